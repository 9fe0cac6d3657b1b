/*
 * Walks a capture file with libpcap's pcap_next_ex, for pktfilter's capture benchmark and tests.
 *   capture-walk walk FILE [REPEAT]  reads every record REPEAT times (default 1) and prints
 *                                    "records bytes seconds" for the fastest pass
 *   capture-walk dump FILE           prints "linktype NAME snaplen M" (the DLT name, or its number)
 *                                    then one line per record:
 *                                    "SECONDS.NANOSECONDS CAPLEN LEN" (nanosecond precision)
 * Exits 1 with pcap's message on stderr when the file cannot be read.
 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pcap_t *open_file(const char *path) {
  char error[PCAP_ERRBUF_SIZE];
  pcap_t *handle = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, error);
  if (handle == NULL) {
    fprintf(stderr, "capture-walk: %s\n", error);
    exit(1);
  }
  return handle;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int walk(const char *path, int repeat) {
  double best = 1e30;
  unsigned long long records = 0, bytes = 0;
  for (int pass = 0; pass < repeat; pass++) {
    pcap_t *handle = open_file(path);
    struct pcap_pkthdr *header;
    const u_char *data;
    unsigned long long count = 0, total = 0;
    unsigned checksum = 0;
    double start = now();
    int status;
    while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
      count++;
      total += header->caplen;
      checksum += data[0]; /* touch the bytes, as a filter would */
    }
    double elapsed = now() - start;
    if (status == PCAP_ERROR) {
      fprintf(stderr, "capture-walk: %s\n", pcap_geterr(handle));
      return 1;
    }
    pcap_close(handle);
    if (elapsed < best) best = elapsed;
    records = count;
    bytes = total;
    if (checksum == 0xdeadbeef) fprintf(stderr, "improbable\n");
  }
  printf("%llu %llu %.6f\n", records, bytes, best);
  return 0;
}

static int dump(const char *path) {
  pcap_t *handle = open_file(path);
  const char *name = pcap_datalink_val_to_name(pcap_datalink(handle));
  if (name != NULL) printf("linktype %s snaplen %d\n", name, pcap_snapshot(handle));
  else printf("linktype %d snaplen %d\n", pcap_datalink(handle), pcap_snapshot(handle));
  struct pcap_pkthdr *header;
  const u_char *data;
  int status;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
    printf("%lld.%09ld %u %u\n", (long long)header->ts.tv_sec, (long)header->ts.tv_usec, header->caplen, header->len);
  }
  if (status == PCAP_ERROR) {
    fprintf(stderr, "capture-walk: %s\n", pcap_geterr(handle));
    return 1;
  }
  pcap_close(handle);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && strcmp(argv[1], "walk") == 0) return walk(argv[2], argc >= 4 ? atoi(argv[3]) : 1);
  if (argc == 3 && strcmp(argv[1], "dump") == 0) return dump(argv[2]);
  fprintf(stderr, "usage: capture-walk walk FILE [REPEAT] | capture-walk dump FILE\n");
  return 2;
}
