/*
 * C baseline for bench/builders.ts: builds the same two packets by hand (fixed layouts, memcpy and
 * the RFC 1071 checksum), with the TCP sequence number / ICMP sequence varied per packet like the
 * TypeScript side. Prints "<shape> <ns per packet> <hex of the packet built with i = 0>" per shape.
 * No libpcap function builds packets, so a hand-written C builder is the reference.
 *   gcc -O2 -o builders bench/c/builders.c && ./builders N
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint16_t checksum(const uint8_t *a, size_t n, uint32_t sum) {
  for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t)(a[i] << 8 | a[i + 1]);
  if (n & 1) sum += (uint32_t)a[n - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return (uint16_t)~sum;
}
static uint32_t partial(const uint8_t *a, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += (uint32_t)(a[i] << 8 | a[i + 1]);
  return sum;
}
static void put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static void put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x02}, mac_b[6] = {0x02, 0, 0, 0, 0, 0x01};

/* Ethernet / IPv4 / TCP SYN with MSS, SACK permitted, timestamps, NOP, window scale (74 bytes). */
static size_t build_syn(uint8_t *p, uint32_t seq) {
  memcpy(p, mac_a, 6); memcpy(p + 6, mac_b, 6); put16(p + 12, 0x0800);
  uint8_t *ip = p + 14;
  memset(ip, 0, 20);
  ip[0] = 0x45; put16(ip + 2, 60); put16(ip + 4, 1); ip[6] = 0x40; ip[8] = 64; ip[9] = 6;
  put32(ip + 12, 0x0a000002); put32(ip + 16, 0x0a000001);
  put16(ip + 10, checksum(ip, 20, 0));
  uint8_t *tcp = ip + 20;
  memset(tcp, 0, 40);
  put16(tcp, 40000); put16(tcp + 2, 443); put32(tcp + 4, seq); tcp[12] = 10 << 4; tcp[13] = 0x02; put16(tcp + 14, 64240);
  static const uint8_t options[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
  memcpy(tcp + 20, options, 20);
  uint8_t pseudo[12];
  memcpy(pseudo, ip + 12, 8); pseudo[8] = 0; pseudo[9] = 6; put16(pseudo + 10, 40);
  put16(tcp + 16, checksum(tcp, 40, partial(pseudo, 12)));
  return 74;
}

/* Ethernet / 802.1Q / IPv4 (DF) / GRE with key, 0x6558 / Ethernet / IPv4 / ICMP echo with 56 bytes (144 bytes). */
static size_t build_gre(uint8_t *p, uint16_t sequence) {
  memcpy(p, mac_a, 6); memcpy(p + 6, mac_b, 6); put16(p + 12, 0x8100); put16(p + 14, 102); put16(p + 16, 0x0800);
  uint8_t *outer = p + 18;
  memset(outer, 0, 20);
  outer[0] = 0x45; put16(outer + 2, 126); put16(outer + 4, 1); outer[6] = 0x40; outer[8] = 64; outer[9] = 47;
  put32(outer + 12, 0xac14000b); put32(outer + 16, 0xac14000c);
  put16(outer + 10, checksum(outer, 20, 0));
  uint8_t *gre = outer + 20;
  put16(gre, 0x2000); put16(gre + 2, 0x6558); put32(gre + 4, 1002);
  uint8_t *eth = gre + 8;
  memcpy(eth, mac_a, 6); memcpy(eth + 6, mac_b, 6); put16(eth + 12, 0x0800);
  uint8_t *ip = eth + 14;
  memset(ip, 0, 20);
  ip[0] = 0x45; put16(ip + 2, 84); put16(ip + 4, 1); ip[6] = 0x40; ip[8] = 64; ip[9] = 1;
  put32(ip + 12, 0x0a050501); put32(ip + 16, 0x0a050505);
  put16(ip + 10, checksum(ip, 20, 0));
  uint8_t *icmp = ip + 20;
  icmp[0] = 8; icmp[1] = 0; put16(icmp + 2, 0); put16(icmp + 4, 0x0b1c); put16(icmp + 6, sequence);
  for (int i = 0; i < 56; i++) icmp[8 + i] = (uint8_t)i;
  put16(icmp + 2, checksum(icmp, 64, 0));
  return 144;
}

static double cpu_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  static uint8_t buffer[256];
  const char *names[2] = {"syn", "gre"};
  for (int shape = 0; shape < 2; shape++) {
    double best = 1e18;
    volatile uint32_t sink = 0;
    for (int round = 0; round < 5; round++) {
      double start = cpu_ns();
      for (long i = 0; i < n; i++) {
        size_t length = shape == 0 ? build_syn(buffer, (uint32_t)i) : build_gre(buffer, (uint16_t)i);
        sink += buffer[length - 1] + buffer[length / 2];
      }
      double per = (cpu_ns() - start) / n;
      if (per < best) best = per;
    }
    size_t length = shape == 0 ? build_syn(buffer, 0) : build_gre(buffer, 0);
    printf("%s %.2f ", names[shape], best);
    for (size_t i = 0; i < length; i++) printf("%02x", buffer[i]);
    printf("\n");
    (void)sink;
  }
  return 0;
}
