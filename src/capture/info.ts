/** File-level facts a capture reader reports: format, byte order, sections and interfaces. */
import type { PacketRecord } from './record.js';

/** Capture file formats the readers and writers handle. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** Timestamp resolution of an interface: `base ** -exponent` seconds per unit (pcap: 10^-6 or 10^-9). */
export interface CaptureTimestampResolution {
  /** 10 for decimal resolutions (if_tsresol high bit clear), 2 for binary ones. */
  base: 10 | 2;
  /** Units per second are `base ** exponent`. */
  exponent: number;
}

/** One interface: the pcap file header, or one pcapng Interface Description Block. */
export interface CaptureInterface {
  /** Index of this interface over the whole file (what records carry in `interfaceIndex`). */
  index: number;
  /** Index of the pcapng section holding it (0 for pcap). */
  section: number;
  /** Index inside its section (what an Enhanced Packet Block names). */
  sectionInterfaceIndex: number;
  /** LINKTYPE_* value. */
  linkType: number;
  /** tcpdump name of the link type (`EN10MB`, or `LINKTYPE_<n>`). */
  linkTypeName: string;
  /** Snapshot length (0 in pcapng means no limit). */
  snaplen: number;
  /** Timestamp resolution (pcapng if_tsresol; default microseconds). */
  timestampResolution: CaptureTimestampResolution;
  /** pcapng if_tsoffset: seconds added to every timestamp of this interface (0n when absent). */
  timestampOffsetSeconds: bigint;
  /** pcapng if_name. */
  name?: string;
  /** pcapng if_description. */
  description?: string;
  /** pcapng opt_comment values of the interface. */
  comments?: string[];
  /** Raw bits of the pcap link-type field above the link type (FCS length flags), or pcapng if_fcslen. */
  fcsLength?: number;
}

/** One pcapng section (its Section Header Block); a pcap file has one pseudo-section. */
export interface CaptureSection {
  /** Byte offset of the Section Header Block (0 for pcap). */
  offset: number;
  /** Byte order of the section. */
  bigEndian: boolean;
  /** Format version from the header (pcap 2.4, pcapng 1.0). */
  majorVersion: number;
  minorVersion: number;
  /** shb_hardware, shb_os, shb_userappl and opt_comment options. */
  hardware?: string;
  os?: string;
  userApplication?: string;
  comments?: string[];
}

/** What a reader knows about the file; pcapng `interfaces` and `sections` grow as blocks are read. */
export interface CaptureInfo {
  format: CaptureFormat;
  /** Link type of the pcap header or of the first pcapng interface (-1 before any interface was seen). */
  linkType: number;
  /** Snapshot length of the pcap header or of the first pcapng interface. */
  snaplen: number;
  /** pcap: nanosecond magic; pcapng: the first interface's resolution is finer than a microsecond. */
  nanosecond: boolean;
  /** Byte order of the pcap header or of the first pcapng section. */
  bigEndian: boolean;
  /** Every interface seen so far, indexed by the records' `interfaceIndex`. */
  interfaces: CaptureInterface[];
  /** Every section seen so far. */
  sections: CaptureSection[];
}

/** What a whole-file walk reports. */
export interface CaptureSummary {
  format: CaptureFormat;
  /** Records delivered to the visitor. */
  records: number;
  /** Bytes of the file consumed (up to the end of the last delivered record or block). */
  bytes: number;
  /** True when the visitor stopped the walk early. */
  stopped: boolean;
  info: CaptureInfo;
}

/** A record with the optional facts a pcapng file adds (a copy-free snapshot; `data` is a view). */
export interface CaptureRecord extends PacketRecord {
  /** Byte offset in the file of the record header (pcap) or of its block (pcapng). */
  fileOffset: number;
  /** opt_comment of a pcapng packet block. */
  comment?: string;
  /** Set for records of pcapng Simple Packet Blocks (no timestamp: 0) and obsolete Packet Blocks. */
  blockType?: PcapngPacketBlockType;
}

/** Which pcapng block carries a record. */
export type PcapngPacketBlockType = 'enhanced' | 'simple' | 'packet';

/** What the writers take: a PacketRecord, a walker's record, or a plain object with at least data and time. */
export interface CaptureRecordInput {
  /** Captured bytes, written unchanged. */
  data: Uint8Array;
  /** Capture time in nanoseconds since the epoch. */
  timestampNs: bigint;
  /** Length on the wire; defaults to `data.length`. */
  wireLength?: number;
  /** pcapng: interface index in the writer's current section (default 0); ignored by pcap. */
  interfaceIndex?: number;
  /** pcapng: opt_comment of the packet block; ignored by pcap. */
  comment?: string | undefined;
  /** pcapng: the block to write, default 'enhanced' (see PcapngRecordInput); ignored by pcap. */
  blockType?: PcapngPacketBlockType | undefined;
}
