/** One packet record of a capture file, as every reader yields it and every writer takes it. */
export interface PacketRecord {
  /** Capture time in nanoseconds since the Unix epoch. */
  timestampNs: bigint;
  /** Number of bytes captured (the length of `data`). */
  capturedLength: number;
  /** Length of the packet on the wire (at least `capturedLength` in a sound file). */
  wireLength: number;
  /** LINKTYPE_* of the interface the packet came from. */
  linkType: number;
  /** Index of the pcapng interface (0 for pcap). */
  interfaceIndex: number;
  /** The captured bytes: a subarray of the reader's buffer, valid until the next record unless copied. */
  data: Uint8Array;
}
