/*
 * libpcap's side of bench/tunnel.ts: for each filter on stdin (one per line), compiles it with
 * pcap_compile (optimizer on, netmask 0, as tcpdump -r) REPS times on a dead EN10MB handle and prints
 * the median nanoseconds per compile (or "ERR message").
 *
 *   tunnel-compile REPS < filters.txt
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 5;
  if (reps < 1) reps = 1;
  pcap_t *handle = pcap_open_dead(DLT_EN10MB, 262144);
  if (!handle) { fprintf(stderr, "pcap_open_dead failed\n"); return 1; }
  double *times = malloc(sizeof *times * reps);
  char *line = NULL;
  size_t capacity = 0;
  ssize_t length;
  while ((length = getline(&line, &capacity, stdin)) >= 0) {
    while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r')) line[--length] = 0;
    int failed = 0;
    for (int r = 0; r < reps && !failed; r++) {
      struct bpf_program program;
      double start = now_ns();
      if (pcap_compile(handle, &program, line, 1, 0) != 0) { failed = 1; break; }
      times[r] = now_ns() - start;
      pcap_freecode(&program);
    }
    if (failed) { printf("ERR %s\n", pcap_geterr(handle)); continue; }
    qsort(times, reps, sizeof *times, by_value);
    printf("%.0f\n", times[reps / 2]);
  }
  fflush(stdout);
  free(times);
  free(line);
  pcap_close(handle);
  return 0;
}
