/*
 * libpcap's bpf_filter timed over a capture held in memory, for bench/bpf.ts.
 *
 *   bpf-run PCAPFILE HOT_FRAMES HOT_PASSES
 *       stdin: one program per line in the comma form "n,code jt jf k,...".
 *       stdout: per program "memory_ns_per_packet hot_ns_per_packet accepted" where memory is the best of six
 *       passes over every frame, and hot is the best of HOT_PASSES passes over the first HOT_FRAMES.
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

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: bpf-run PCAPFILE HOT_FRAMES HOT_PASSES < programs\n"); return 2; }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *handle = pcap_open_offline(argv[1], errbuf);
  if (!handle) { fprintf(stderr, "%s\n", errbuf); return 1; }
  size_t count = 0, capacity = 1 << 16, used = 0, space = 1 << 24;
  size_t *offsets = malloc(capacity * sizeof *offsets);
  u_int *caplens = malloc(capacity * sizeof *caplens), *wirelens = malloc(capacity * sizeof *wirelens);
  u_char *bytes = malloc(space);
  struct pcap_pkthdr *header;
  const u_char *data;
  while (pcap_next_ex(handle, &header, &data) == 1) {
    if (count == capacity) {
      capacity *= 2;
      offsets = realloc(offsets, capacity * sizeof *offsets);
      caplens = realloc(caplens, capacity * sizeof *caplens);
      wirelens = realloc(wirelens, capacity * sizeof *wirelens);
    }
    while (used + header->caplen > space) bytes = realloc(bytes, space *= 2);
    memcpy(bytes + used, data, header->caplen);
    offsets[count] = used; caplens[count] = header->caplen; wirelens[count] = header->len;
    used += header->caplen;
    count++;
  }
  pcap_close(handle);
  size_t hot_frames = strtoul(argv[2], NULL, 10);
  if (hot_frames > count) hot_frames = count;
  int hot_passes = atoi(argv[3]);
  char *line = NULL;
  size_t line_capacity = 0;
  while (getline(&line, &line_capacity, stdin) > 0) {
    char *end;
    unsigned long n = strtoul(line, &end, 10);
    struct bpf_insn *insns = calloc(n ? n : 1, sizeof *insns);
    const char *p = end;
    for (unsigned long i = 0; i < n; i++) {
      unsigned long code, jt, jf, k;
      int consumed = 0;
      if (sscanf(p, " , %lu %lu %lu %lu%n", &code, &jt, &jf, &k, &consumed) != 4) { fprintf(stderr, "bad program\n"); return 1; }
      insns[i].code = (u_short)code; insns[i].jt = (u_char)jt; insns[i].jf = (u_char)jf; insns[i].k = (bpf_u_int32)k;
      p += consumed;
    }
    unsigned long accepted = 0;
    double best_memory = 1e300, best_hot = 1e300;
    for (int pass = 0; pass < 6; pass++) {
      unsigned long hits = 0;
      double start = now_ns();
      for (size_t i = 0; i < count; i++) hits += bpf_filter(insns, bytes + offsets[i], wirelens[i], caplens[i]) != 0;
      double elapsed = (now_ns() - start) / (double)count;
      if (elapsed < best_memory) best_memory = elapsed;
      accepted = hits;
    }
    for (int pass = 0; pass < hot_passes; pass++) {
      unsigned long hits = 0;
      double start = now_ns();
      for (size_t i = 0; i < hot_frames; i++) hits += bpf_filter(insns, bytes + offsets[i], wirelens[i], caplens[i]) != 0;
      double elapsed = (now_ns() - start) / (double)hot_frames;
      if (elapsed < best_hot) best_hot = elapsed;
      if (hits == (unsigned long)-1) putchar(' ');
    }
    printf("%.3f %.3f %lu\n", best_memory, best_hot, accepted);
    fflush(stdout);
    free(insns);
  }
  return 0;
}
