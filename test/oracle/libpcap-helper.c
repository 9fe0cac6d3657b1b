/*
 * libpcap oracle for pktfilter's tests. Built at test time with the system gcc and -lpcap.
 *
 *   libpcap-helper compile LINKTYPE SNAPLEN OPTIMIZE [NETMASK]
 *       stdin: one filter expression per line.
 *       stdout: per line "OK n,code jt jf k,..." (the comma form) or "ERR message".
 *   libpcap-helper run PCAPFILE
 *       stdin: one program per line in the comma form "n,code jt jf k,...".
 *       stdout: per line, the return values of bpf_filter on every packet of PCAPFILE, space-separated,
 *       or "ERR message" for a line that is not a program.
 *   libpcap-helper validate
 *       stdin: one program per line; stdout: "1" if bpf_validate accepts it, else "0".
 *   libpcap-helper image
 *       stdin: one program per line; stdout: bpf_image of each instruction, one per line, then an empty line.
 *   libpcap-helper dump OPTION
 *       stdin: one program per line; stdout: bpf_dump(program, OPTION) (1 = tcpdump -d, 2 = -dd, 3 = -ddd),
 *       then an empty line.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct packet { struct pcap_pkthdr header; u_char *bytes; };

static void print_program(const struct bpf_program *program) {
  printf("OK %u", program->bf_len);
  for (u_int i = 0; i < program->bf_len; i++) {
    const struct bpf_insn *insn = &program->bf_insns[i];
    printf(",%u %u %u %u", insn->code, insn->jt, insn->jf, insn->k);
  }
  putchar('\n');
}

/* Parses "n,code jt jf k,..." into a freshly allocated instruction array; returns the count or -1. */
static int parse_program(const char *line, struct bpf_insn **out) {
  char *end;
  unsigned long count = strtoul(line, &end, 10);
  if (end == line || count > 1000000) return -1;
  struct bpf_insn *insns = calloc(count ? count : 1, sizeof *insns);
  const char *p = end;
  for (unsigned long i = 0; i < count; i++) {
    unsigned long code, jt, jf, k;
    int used = 0;
    if (sscanf(p, " , %lu %lu %lu %lu%n", &code, &jt, &jf, &k, &used) != 4) { free(insns); return -1; }
    insns[i].code = (u_short)code; insns[i].jt = (u_char)jt; insns[i].jf = (u_char)jf; insns[i].k = (bpf_u_int32)k;
    p += used;
  }
  *out = insns;
  return (int)count;
}

static char *read_line(FILE *in) {
  static char *buffer = NULL;
  static size_t capacity = 0;
  ssize_t length = getline(&buffer, &capacity, in);
  if (length < 0) return NULL;
  while (length > 0 && (buffer[length - 1] == '\n' || buffer[length - 1] == '\r')) buffer[--length] = 0;
  return buffer;
}

static int do_compile(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage: compile LINKTYPE SNAPLEN OPTIMIZE [NETMASK]\n"); return 2; }
  int linktype = atoi(argv[2]), snaplen = atoi(argv[3]), optimize = atoi(argv[4]);
  bpf_u_int32 netmask = argc > 5 ? (bpf_u_int32)strtoul(argv[5], NULL, 0) : 0;
  pcap_t *handle = pcap_open_dead(linktype, snaplen);
  if (!handle) { fprintf(stderr, "pcap_open_dead failed\n"); return 1; }
  char *line;
  while ((line = read_line(stdin)) != NULL) {
    struct bpf_program program;
    if (pcap_compile(handle, &program, line, optimize, netmask) < 0) {
      /* One line per expression: libpcap's messages may carry a newline (its DECnet name error does). */
      char *message = pcap_geterr(handle);
      for (char *c = message; *c; c++) if (*c == '\n' || *c == '\r') *c = ' ';
      size_t length = strlen(message);
      while (length > 0 && message[length - 1] == ' ') message[--length] = 0;
      printf("ERR %s\n", message);
    } else {
      print_program(&program);
      pcap_freecode(&program);
    }
    fflush(stdout);
  }
  pcap_close(handle);
  return 0;
}

static int do_run(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: run PCAPFILE\n"); return 2; }
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t *handle = pcap_open_offline(argv[2], errbuf);
  if (!handle) { fprintf(stderr, "%s\n", errbuf); return 1; }
  size_t count = 0, capacity = 64;
  struct packet *packets = malloc(capacity * sizeof *packets);
  struct pcap_pkthdr *header;
  const u_char *data;
  while (pcap_next_ex(handle, &header, &data) == 1) {
    if (count == capacity) packets = realloc(packets, (capacity *= 2) * sizeof *packets);
    packets[count].header = *header;
    packets[count].bytes = malloc(header->caplen ? header->caplen : 1);
    memcpy(packets[count].bytes, data, header->caplen);
    count++;
  }
  pcap_close(handle);
  char *line;
  while ((line = read_line(stdin)) != NULL) {
    struct bpf_insn *insns;
    int length = parse_program(line, &insns);
    if (length < 0) { printf("ERR not a program\n"); fflush(stdout); continue; }
    for (size_t i = 0; i < count; i++) {
      u_int result = bpf_filter(insns, packets[i].bytes, packets[i].header.len, packets[i].header.caplen);
      printf(i ? " %u" : "%u", result);
    }
    putchar('\n');
    fflush(stdout);
    free(insns);
  }
  return 0;
}

static int do_validate(void) {
  char *line;
  while ((line = read_line(stdin)) != NULL) {
    struct bpf_insn *insns;
    int length = parse_program(line, &insns);
    printf("%d\n", length < 0 ? 0 : bpf_validate(insns, length) ? 1 : 0);
    fflush(stdout);
    if (length >= 0) free(insns);
  }
  return 0;
}

static int do_image(void) {
  char *line;
  while ((line = read_line(stdin)) != NULL) {
    struct bpf_insn *insns;
    int length = parse_program(line, &insns);
    if (length < 0) { printf("ERR not a program\n\n"); fflush(stdout); continue; }
    for (int i = 0; i < length; i++) printf("%s\n", bpf_image(&insns[i], i));
    putchar('\n');
    fflush(stdout);
    free(insns);
  }
  return 0;
}

static int do_dump(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: dump OPTION\n"); return 2; }
  int option = atoi(argv[2]);
  char *line;
  while ((line = read_line(stdin)) != NULL) {
    struct bpf_insn *insns;
    int length = parse_program(line, &insns);
    if (length < 0) { printf("ERR not a program\n\n"); fflush(stdout); continue; }
    struct bpf_program program = { (u_int)length, insns };
    bpf_dump(&program, option);
    putchar('\n');
    fflush(stdout);
    free(insns);
  }
  return 0;
}

int main(int argc, char **argv) {
  /* A program that loops (libpcap follows backward jumps) must not hang the test run. */
  alarm(600);
  if (argc >= 2 && strcmp(argv[1], "compile") == 0) return do_compile(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "run") == 0) return do_run(argc, argv);
  if (argc >= 2 && strcmp(argv[1], "validate") == 0) return do_validate();
  if (argc >= 2 && strcmp(argv[1], "image") == 0) return do_image();
  if (argc >= 2 && strcmp(argv[1], "dump") == 0) return do_dump(argc, argv);
  fprintf(stderr, "usage: libpcap-helper compile|run|validate|image|dump ...\n");
  return 2;
}
