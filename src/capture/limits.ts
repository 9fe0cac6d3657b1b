/**
 * Length limits of the readers. A captured length above MAX_CAPTURED_LENGTH (256 MiB) is taken as damage;
 * below it a record may exceed the header's snaplen (as Wireshark accepts, while libpcap truncates it).
 * Readers never allocate from a length field: they only wait for bytes that actually arrive.
 */
export const MAX_CAPTURED_LENGTH = 256 * 1024 * 1024;

/** Largest pcapng block accepted: a maximal packet plus room for its header and options. */
export const MAX_BLOCK_LENGTH = MAX_CAPTURED_LENGTH + 64 * 1024;

/** Rounds a length up to a multiple of 4 (pcapng padding). */
export function pad4(length: number): number {
  return (length + 3) & ~3;
}
