/* Reads 32-hex-digit IPv6 addresses, one per line, and prints each as the C library's inet_ntop does. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  char line[128];
  while (fgets(line, sizeof line, stdin)) {
    unsigned char bytes[16];
    char text[INET6_ADDRSTRLEN];
    if (strlen(line) < 32) return 2;
    for (int i = 0; i < 16; i++) {
      unsigned int value;
      if (sscanf(line + 2 * i, "%2x", &value) != 1) return 2;
      bytes[i] = (unsigned char)value;
    }
    if (!inet_ntop(AF_INET6, bytes, text, sizeof text)) return 3;
    puts(text);
  }
  return 0;
}
