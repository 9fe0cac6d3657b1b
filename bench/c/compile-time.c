/*
 * libpcap's side of bench/compiler.ts: for each filter expression on stdin (one per line), runs
 * pcap_compile REPS times on a dead handle of LINKTYPE and prints "median_ns program_length" (or
 * "ERR message").
 *
 *   compile-time LINKTYPE REPS < expressions.txt
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: compile-time LINKTYPE REPS [OPTIMIZE] < expressions\n"); return 2; }
  int linktype = atoi(argv[1]), reps = atoi(argv[2]), optimize = argc > 3 ? atoi(argv[3]) : 1;
  if (reps < 1) reps = 1;
  pcap_t *handle = pcap_open_dead(linktype, 262144);
  if (!handle) { fprintf(stderr, "pcap_open_dead failed\n"); return 1; }
  double *times = malloc(sizeof *times * reps);
  char *line = NULL;
  size_t capacity = 0;
  ssize_t length;
  while ((length = getline(&line, &capacity, stdin)) >= 0) {
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = 0;
    struct bpf_program program;
    unsigned instructions = 0;
    int failed = 0;
    for (int r = 0; r < reps; r++) {
      double start = now_ns();
      int status = pcap_compile(handle, &program, line, optimize, 0);
      times[r] = now_ns() - start;
      if (status < 0) { failed = 1; break; }
      instructions = program.bf_len;
      pcap_freecode(&program);
    }
    if (failed) { printf("ERR %s\n", pcap_geterr(handle)); continue; }
    qsort(times, reps, sizeof *times, compare);
    printf("%.0f %u\n", times[reps / 2], instructions);
    fflush(stdout);
  }
  free(times);
  free(line);
  pcap_close(handle);
  return 0;
}
