/*
 * libpcap's bpf_filter timed over a capture held in memory, for bench/engines.ts (bench/bpf.ts and the
 * engines section of bench/filter.ts). It stays running and is driven over stdin/stdout so that the
 * benchmark can interleave libpcap's passes with ours.
 *
 *   bpf-run PCAPFILE
 *       reads every record of PCAPFILE into one buffer (captured bytes packed) with parallel offset /
 *       captured length / wire length arrays (the layout the JavaScript side uses), then prints "ready COUNT".
 *   stdin commands, one per line; one reply line each:
 *       load n,code jt jf k,...        -> "ok INDEX"       (the comma form of a program; bpf_validate must
 *                                                          accept it, else "error ...")
 *       hot INDEX FRAMES REPEATS PASSES -> "NS ACCEPTED"   best ns/packet of PASSES passes over the hot
 *                                                          sequence (the first FRAMES records, REPEATS times
 *                                                          over, as one run of FRAMES * REPEATS records), and
 *                                                          how many records one pass over FRAMES accepted
 *       chunks INDEX CHUNK_FRAMES      -> "ACCEPTED NS..." one pass over every record, timed per chunk of
 *                                                          CHUNK_FRAMES records: each chunk's total ns
 *   The timed loop is the tightest libpcap allows: bpf_filter called on each record of the arrays, the
 *   loop unrolled four records a step as our batch loops are (gcc's unroll pragma), and the accepted count
 *   kept without a branch on the verdict.
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

/* bpf_filter over records FIRST ... LAST - 1 of the arrays OFFSETS, CAPLENS, WIRELENS, adding the accepted ones to HITS. */
#define RUN_RECORDS(OFFSETS, CAPLENS, WIRELENS, FIRST, LAST, HITS) \
  _Pragma("GCC unroll 4") \
  for (size_t i = (FIRST); i < (LAST); i++) (HITS) += bpf_filter(insns, bytes + (OFFSETS)[i], (WIRELENS)[i], (CAPLENS)[i]) != 0

static void *grow(void *p, size_t size) {
  void *q = realloc(p, size);
  if (!q) { fprintf(stderr, "bpf-run: out of memory\n"); exit(1); }
  return q;
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: bpf-run PCAPFILE < commands\n"); return 2; }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *handle = pcap_open_offline(argv[1], errbuf);
  if (!handle) { fprintf(stderr, "bpf-run: %s\n", errbuf); return 1; }
  size_t count = 0, capacity = 1 << 16, used = 0, space = 1 << 24;
  u_int *offsets = grow(NULL, capacity * sizeof *offsets);
  u_int *caplens = grow(NULL, capacity * sizeof *caplens), *wirelens = grow(NULL, capacity * sizeof *wirelens);
  u_char *bytes = grow(NULL, space);
  struct pcap_pkthdr *header;
  const u_char *data;
  int status;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
    if (count == capacity) {
      capacity *= 2;
      offsets = grow(offsets, capacity * sizeof *offsets);
      caplens = grow(caplens, capacity * sizeof *caplens);
      wirelens = grow(wirelens, capacity * sizeof *wirelens);
    }
    while (used + header->caplen > space) bytes = grow(bytes, space *= 2);
    memcpy(bytes + used, data, header->caplen);
    offsets[count] = (u_int)used; caplens[count] = header->caplen; wirelens[count] = header->len;
    used += header->caplen;
    count++;
  }
  if (status == -1) { fprintf(stderr, "bpf-run: %s: %s\n", argv[1], pcap_geterr(handle)); return 1; }
  pcap_close(handle);
  printf("ready %zu\n", count);
  fflush(stdout);

  u_int *hot_offsets = NULL, *hot_caplens = NULL, *hot_wirelens = NULL;
  size_t hot_frames = 0, hot_repeats = 0;
  struct bpf_insn *programs[256];
  size_t loaded = 0;
  char *line = NULL;
  size_t line_capacity = 0;
  while (getline(&line, &line_capacity, stdin) > 0) {
    if (strncmp(line, "load ", 5) == 0) {
      if (loaded == 256) { fprintf(stderr, "bpf-run: too many programs\n"); return 1; }
      char *end;
      unsigned long n = strtoul(line + 5, &end, 10);
      struct bpf_insn *insns = calloc(n ? n : 1, sizeof *insns);
      const char *p = end;
      for (unsigned long i = 0; i < n; i++) {
        unsigned long code, jt, jf, k;
        int consumed = 0;
        if (sscanf(p, " , %lu %lu %lu %lu%n", &code, &jt, &jf, &k, &consumed) != 4) { fprintf(stderr, "bpf-run: bad program\n"); return 1; }
        insns[i].code = (u_short)code; insns[i].jt = (u_char)jt; insns[i].jf = (u_char)jf; insns[i].k = (bpf_u_int32)k;
        p += consumed;
      }
      if (!bpf_validate(insns, (int)n)) { printf("error bpf_validate refuses the program\n"); fflush(stdout); free(insns); continue; }
      programs[loaded] = insns;
      printf("ok %zu\n", loaded++);
    } else if (strncmp(line, "chunks ", 7) == 0) {
      unsigned long index, chunk;
      if (sscanf(line + 7, "%lu %lu", &index, &chunk) != 2 || index >= loaded || chunk == 0) { fprintf(stderr, "bpf-run: bad command %s", line); return 1; }
      const struct bpf_insn *insns = programs[index];
      unsigned long hits = 0;
      size_t chunks = (count + chunk - 1) / chunk;
      double *elapsed = calloc(chunks ? chunks : 1, sizeof *elapsed);
      for (size_t c = 0; c < chunks; c++) {
        size_t end = (c + 1) * chunk < count ? (c + 1) * chunk : count;
        double start = now_ns();
        RUN_RECORDS(offsets, caplens, wirelens, c * chunk, end, hits);
        elapsed[c] = now_ns() - start;
      }
      printf("%lu", hits);
      for (size_t c = 0; c < chunks; c++) printf(" %.0f", elapsed[c]);
      printf("\n");
      free(elapsed);
    } else if (strncmp(line, "hot ", 4) == 0) {
      unsigned long index, frames, repeats, passes;
      if (sscanf(line + 4, "%lu %lu %lu %lu", &index, &frames, &repeats, &passes) != 4 || index >= loaded || repeats == 0 || passes == 0) {
        fprintf(stderr, "bpf-run: bad command %s", line);
        return 1;
      }
      const struct bpf_insn *insns = programs[index];
      if (frames > count) frames = count;
      size_t total = frames * repeats;
      if (frames != hot_frames || repeats != hot_repeats) {
        /* The hot sequence: record i is record i % FRAMES of the file (the same bytes, cache-resident). */
        hot_offsets = grow(hot_offsets, (total ? total : 1) * sizeof *hot_offsets);
        hot_caplens = grow(hot_caplens, (total ? total : 1) * sizeof *hot_caplens);
        hot_wirelens = grow(hot_wirelens, (total ? total : 1) * sizeof *hot_wirelens);
        for (size_t i = 0; i < total; i++) {
          hot_offsets[i] = offsets[i % frames]; hot_caplens[i] = caplens[i % frames]; hot_wirelens[i] = wirelens[i % frames];
        }
        hot_frames = frames;
        hot_repeats = repeats;
      }
      double best = 1e300;
      unsigned long hits = 0;
      for (unsigned long pass = 0; pass < passes; pass++) {
        hits = 0;
        double start = now_ns();
        RUN_RECORDS(hot_offsets, hot_caplens, hot_wirelens, 0, total, hits);
        double elapsed = (now_ns() - start) / (double)(total ? total : 1);
        if (elapsed < best) best = elapsed;
      }
      printf("%.3f %lu\n", best, hits / repeats);
    } else {
      fprintf(stderr, "bpf-run: unknown command %s", line);
      return 1;
    }
    fflush(stdout);
  }
  return 0;
}
