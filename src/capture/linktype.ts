/**
 * Link-layer header types as they appear in pcap and pcapng files (LINKTYPE_* values of the
 * tcpdump.org link-type registry), with the names libpcap and tcpdump print (`-y EN10MB`).
 */
export const LinkType = {
  NULL: 0,
  EN10MB: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export type LinkTypeName = keyof typeof LinkType;

/** The link types the decoder and the compiler understand fully. */
export const SUPPORTED_LINK_TYPES: readonly number[] = Object.values(LinkType);

/** Names of a few more link types that pass through as raw bytes, for messages. */
const OTHER_LINK_TYPE_NAMES: Record<number, string> = {
  6: 'IEEE802', 9: 'PPP', 10: 'FDDI', 50: 'PPP_HDLC', 51: 'PPP_ETHER', 105: 'IEEE802_11',
  127: 'IEEE802_11_RADIO', 147: 'USER0', 192: 'PPI', 195: 'IEEE802_15_4', 220: 'USB_LINUX_MMAPPED',
  249: 'NETLINK', 263: 'NFLOG', 239: 'NFLOG_OLD',
};

/** The tcpdump name of a link type number (`1` -> `EN10MB`), or `LINKTYPE_<n>` when unknown. */
export function linkTypeName(linkType: number): string {
  for (const [name, value] of Object.entries(LinkType)) if (value === linkType) return name;
  return OTHER_LINK_TYPE_NAMES[linkType] ?? `LINKTYPE_${linkType}`;
}

/** The link type number for a tcpdump name (`EN10MB`, case-insensitive) or a decimal number, or undefined. */
export function parseLinkType(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const upper = text.toUpperCase();
  if (upper in LinkType) return LinkType[upper as LinkTypeName];
  for (const [value, name] of Object.entries(OTHER_LINK_TYPE_NAMES)) if (name === upper) return Number(value);
  return undefined;
}
