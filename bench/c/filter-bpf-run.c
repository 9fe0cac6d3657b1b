/*
 * libpcap's bpf_filter timed over a capture held in memory, for bench/filter.ts (a batch runner with a fixed
 * interface, so that the end-to-end benchmark does not depend on bench/c/bpf-run.c's evolving protocol).
 *
 *   filter-bpf-run PCAPFILE HOT_FRAMES HOT_PASSES MEMORY_PASSES < programs
 *       stdin:  one program per line in the comma form "n,code jt jf k,..." (what iptables' xt_bpf takes)
 *       stdout: "ready COUNT" once the file is loaded, then per program one line
 *               "MEMORY_NS HOT_NS ACCEPTED": the best ns/packet of MEMORY_PASSES passes over every record,
 *               the best of HOT_PASSES passes over the first HOT_FRAMES records, and the records accepted
 *               by a pass over every record.
 *   Every record is copied into one buffer with parallel offset / captured length / wire length arrays, the
 *   layout the JavaScript side of the benchmark uses; the timed loop calls bpf_filter on each record.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec * 1e9 + (double)now.tv_nsec;
}

static void *resize(void *block, size_t size) {
  void *grown = realloc(block, size);
  if (!grown) { fprintf(stderr, "filter-bpf-run: out of memory (%zu bytes)\n", size); exit(1); }
  return grown;
}

/* Best ns/packet over `passes` passes of bpf_filter on the first `frames` records; `accepted` gets a pass's matches. */
static double best_pass(const struct bpf_insn *program, const u_char *bytes, const size_t *offsets, const u_int *captured,
                        const u_int *wire, size_t frames, long passes, unsigned long *accepted) {
  double best = 1e300;
  for (long pass = 0; pass < passes; pass++) {
    unsigned long matches = 0;
    double start = monotonic_ns();
    for (size_t i = 0; i < frames; i++) matches += bpf_filter(program, bytes + offsets[i], wire[i], captured[i]) != 0;
    double per_packet = (monotonic_ns() - start) / (double)(frames ? frames : 1);
    if (per_packet < best) best = per_packet;
    *accepted = matches;
  }
  return best;
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: filter-bpf-run PCAPFILE HOT_FRAMES HOT_PASSES MEMORY_PASSES < programs\n"); return 2; }
  char error[PCAP_ERRBUF_SIZE];
  pcap_t *capture = pcap_open_offline(argv[1], error);
  if (!capture) { fprintf(stderr, "filter-bpf-run: %s\n", error); return 1; }
  size_t count = 0, capacity = 1 << 16, used = 0, space = 1 << 24;
  size_t *offsets = resize(NULL, capacity * sizeof *offsets);
  u_int *captured = resize(NULL, capacity * sizeof *captured);
  u_int *wire = resize(NULL, capacity * sizeof *wire);
  u_char *bytes = resize(NULL, space);
  struct pcap_pkthdr *header;
  const u_char *data;
  int status;
  while ((status = pcap_next_ex(capture, &header, &data)) == 1) {
    if (count == capacity) {
      capacity *= 2;
      offsets = resize(offsets, capacity * sizeof *offsets);
      captured = resize(captured, capacity * sizeof *captured);
      wire = resize(wire, capacity * sizeof *wire);
    }
    while (used + header->caplen > space) bytes = resize(bytes, space *= 2);
    memcpy(bytes + used, data, header->caplen);
    offsets[count] = used;
    captured[count] = header->caplen;
    wire[count] = header->len;
    used += header->caplen;
    count++;
  }
  if (status == -1) { fprintf(stderr, "filter-bpf-run: %s: %s\n", argv[1], pcap_geterr(capture)); return 1; }
  pcap_close(capture);
  size_t hot_frames = strtoul(argv[2], NULL, 10);
  if (hot_frames > count) hot_frames = count;
  long hot_passes = strtol(argv[3], NULL, 10), memory_passes = strtol(argv[4], NULL, 10);
  if (hot_passes < 1 || memory_passes < 1) { fprintf(stderr, "filter-bpf-run: pass counts must be positive\n"); return 2; }
  printf("ready %zu\n", count);
  fflush(stdout);

  char *line = NULL;
  size_t line_capacity = 0;
  unsigned long line_number = 0;
  while (getline(&line, &line_capacity, stdin) > 0) {
    line_number++;
    char *end;
    unsigned long length = strtoul(line, &end, 10);
    if (end == line || length == 0 || length > 4096) { fprintf(stderr, "filter-bpf-run: program %lu: bad instruction count\n", line_number); return 1; }
    struct bpf_insn *program = calloc(length, sizeof *program);
    if (!program) { fprintf(stderr, "filter-bpf-run: out of memory\n"); return 1; }
    const char *cursor = end;
    for (unsigned long i = 0; i < length; i++) {
      unsigned long code, jt, jf, k;
      int consumed = 0;
      if (sscanf(cursor, " , %lu %lu %lu %lu%n", &code, &jt, &jf, &k, &consumed) != 4) {
        fprintf(stderr, "filter-bpf-run: program %lu: instruction %lu is not \"code jt jf k\"\n", line_number, i);
        return 1;
      }
      program[i].code = (u_short)code;
      program[i].jt = (u_char)jt;
      program[i].jf = (u_char)jf;
      program[i].k = (bpf_u_int32)k;
      cursor += consumed;
    }
    if (!bpf_validate(program, (int)length)) { fprintf(stderr, "filter-bpf-run: program %lu: bpf_validate refuses it\n", line_number); return 1; }
    unsigned long accepted = 0, hot_accepted = 0;
    double memory_ns = best_pass(program, bytes, offsets, captured, wire, count, memory_passes, &accepted);
    double hot_ns = best_pass(program, bytes, offsets, captured, wire, hot_frames, hot_passes, &hot_accepted);
    printf("%.3f %.3f %lu\n", memory_ns, hot_ns, accepted);
    fflush(stdout);
    free(program);
  }
  free(line);
  return 0;
}
