/*
 * libpcap's pcap_compile timed per expression, for bench/parser.ts.
 *
 *   parser-compile LINKTYPE OPTIMIZE REPEATS
 *       stdin: one filter expression per line.
 *       stdout: per line, the median ns of REPEATS calls of pcap_compile (plus pcap_freecode),
 *       or "ERR" when libpcap refuses the expression.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: parser-compile LINKTYPE OPTIMIZE REPEATS < expressions\n"); return 2; }
  int linktype = atoi(argv[1]), optimize = atoi(argv[2]), repeats = atoi(argv[3]);
  if (repeats < 1) repeats = 1;
  pcap_t *handle = pcap_open_dead(linktype, 262144);
  double *times = malloc(sizeof(double) * (size_t)repeats);
  char *line = NULL;
  size_t capacity = 0;
  ssize_t length;
  while ((length = getline(&line, &capacity, stdin)) >= 0) {
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = 0;
    struct bpf_program program;
    if (pcap_compile(handle, &program, line, optimize, 0) < 0) { puts("ERR"); continue; }
    pcap_freecode(&program);
    for (int i = 0; i < repeats; i++) {
      double start = now_ns();
      pcap_compile(handle, &program, line, optimize, 0);
      pcap_freecode(&program);
      times[i] = now_ns() - start;
    }
    qsort(times, (size_t)repeats, sizeof(double), compare);
    printf("%.0f\n", times[repeats / 2]);
  }
  pcap_close(handle);
  free(times);
  return 0;
}
