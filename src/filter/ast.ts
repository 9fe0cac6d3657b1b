/**
 * The typed tree of a pcap-filter(7) expression: what the parser produces and the compiler consumes.
 *
 * The parser resolves qualifier inheritance (`host a or b` gives two `qualified` nodes that both say
 * `host`), named constants (`tcp-syn` -> 2, with the name kept for printing) and escapes (`\tcp`),
 * so the compiler never sees the shorthand. Every node carries the span of source text it came from.
 */

/** Character offsets into the expression text, `start` inclusive, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** Protocol qualifiers of pcap-filter(7), as written (`link` is kept apart from `ether` only for printing). */
export type ProtoQualifier =
  | 'ether' | 'link' | 'ip' | 'ip6' | 'arp' | 'rarp'
  | 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'igmp' | 'igrp' | 'pim' | 'ah' | 'esp' | 'vrrp' | 'carp'
  | 'atalk' | 'aarp' | 'decnet' | 'lat' | 'sca' | 'moprc' | 'mopdl' | 'iso' | 'esis' | 'isis' | 'clnp'
  | 'stp' | 'ipx' | 'netbeui' | 'l1' | 'l2' | 'iih' | 'lsp' | 'snp' | 'csnp' | 'psnp';

/** Direction qualifiers (the 802.11 ones do not apply to our link types). */
export type DirQualifier = 'src' | 'dst' | 'src or dst' | 'src and dst';

/** Type qualifiers. */
export type TypeQualifier = 'host' | 'net' | 'port' | 'portrange' | 'gateway' | 'proto' | 'protochain';

/** The operand of a qualified primitive. */
export type Id =
  /** A bare number: `port 80`, `proto 6`, `net 10` (a network number, shifted as libpcap does). */
  | { kind: 'number'; value: number; text: string; span: Span }
  /** A dotted IPv4 address, possibly partial (`192.168` has 2 octets). `value` is the address as written, right-aligned (0xc0a8 for `192.168`). */
  | { kind: 'ipv4'; value: number; octets: 1 | 2 | 3 | 4; text: string; span: Span }
  /** An IPv6 address; `bytes` has 16 entries. */
  | { kind: 'ipv6'; bytes: number[]; text: string; span: Span }
  /** A MAC address in any of libpcap's forms; `bytes` has 6 entries. */
  | { kind: 'mac'; bytes: number[]; text: string; span: Span }
  /** A name: host, service (`http`), protocol (`tcp` written `\tcp`), resolved later. `escaped` when written with a backslash. */
  | {
    kind: 'name'; name: string; escaped: boolean; text: string; span: Span;
    /** For `net NAME`: the IPv4 network number the parse options' network resolver gave (as inet_network returns it, right-aligned). */
    network?: number;
  }
  /** `net ADDR/LEN` or `net ADDR mask MASK`. */
  | { kind: 'prefix'; address: Id & { kind: 'ipv4' | 'ipv6' | 'number' }; prefixLength?: number; mask?: Id & { kind: 'ipv4' }; text: string; span: Span }
  /** `portrange LOW-HIGH`; each end a number or a service name. */
  | { kind: 'range'; low: Id & { kind: 'number' | 'name' }; high: Id & { kind: 'number' | 'name' }; text: string; span: Span };

/** `[proto] [dir] [type] id` after inheritance; an absent qualifier takes libpcap's default in the compiler. */
export interface QualifiedPrimitive {
  kind: 'qualified';
  proto?: ProtoQualifier;
  dir?: DirQualifier;
  type?: TypeQualifier;
  id: Id;
  /** True when some qualifier was inherited from the primitive before (`host a or b`). */
  inherited: boolean;
  span: Span;
}

/** A protocol qualifier on its own: `tcp`, `ip6`, `arp`, `icmp`. */
export interface ProtoPrimitive { kind: 'proto'; proto: ProtoQualifier; span: Span }

/** `ether broadcast`, `ip broadcast`, `broadcast` (proto absent = ether), and the same for multicast. */
export interface CastPrimitive { kind: 'broadcast' | 'multicast'; proto?: 'ether' | 'link' | 'ip' | 'ip6'; span: Span }

/** `less N` (len <= N) and `greater N` (len >= N). */
export interface LengthPrimitive { kind: 'less' | 'greater'; value: number; span: Span }

/** Relational operators; `==` is kept apart from `=` only for printing. */
export type RelOp = '>' | '<' | '>=' | '<=' | '=' | '==' | '!=';

/** `arith relop arith`. */
export interface Relation { kind: 'relation'; op: RelOp; left: Arith; right: Arith; span: Span }

/**
 * Encapsulation primitives that shift the offsets of everything after them:
 * `vlan [id]`, `mpls [label]`, `pppoes [session]`, `geneve [vni]`, `vxlan [vni]`, and our `gre [key]`.
 * `pppoed` has no operand and shifts nothing.
 */
export interface EncapsulationPrimitive {
  kind: 'vlan' | 'mpls' | 'pppoes' | 'pppoed' | 'geneve' | 'vxlan' | 'gre';
  value?: number;
  span: Span;
}

/** `inbound` / `outbound` (LINUX_SLL, LINUX_SLL2 and similar). */
export interface DirectionPrimitive { kind: 'inbound' | 'outbound'; span: Span }

/** `ifindex N` (LINUX_SLL2). */
export interface IfIndexPrimitive { kind: 'ifindex'; value: number; span: Span }

/** `llc` and `llc i|s|u|rr|rnr|rej|ui|ua|disc|sabme|test|xid|frmr`. */
export interface LlcPrimitive { kind: 'llc'; subtype?: string; span: Span }

export interface AndExpr { kind: 'and'; left: Expr; right: Expr; span: Span }
export interface OrExpr { kind: 'or'; left: Expr; right: Expr; span: Span }
export interface NotExpr { kind: 'not'; operand: Expr; span: Span }

/** A boolean filter expression. */
export type Expr =
  | AndExpr | OrExpr | NotExpr
  | QualifiedPrimitive | ProtoPrimitive | CastPrimitive | LengthPrimitive | Relation
  | EncapsulationPrimitive | DirectionPrimitive | IfIndexPrimitive | LlcPrimitive;

/** Arithmetic operators of pcap-filter(7). */
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^' | '<<' | '>>';

/** Protocols that may be indexed as `proto[expr:size]`. */
export type LoadProto =
  | 'ether' | 'link' | 'ppp' | 'slip' | 'fddi' | 'tr' | 'wlan' | 'radio'
  | 'ip' | 'ip6' | 'arp' | 'rarp' | 'tcp' | 'udp' | 'sctp' | 'icmp' | 'icmp6' | 'igmp' | 'igrp' | 'pim' | 'vrrp' | 'carp'
  | 'atalk' | 'aarp' | 'decnet' | 'lat' | 'sca' | 'moprc' | 'mopdl' | 'iso' | 'esis' | 'isis' | 'clnp' | 'ah' | 'esp';

/** An arithmetic expression (32-bit unsigned, as BPF computes it). */
export type Arith =
  /** A constant; `name` when written as a named constant (`tcpflags`, `tcp-syn`, `icmp-echo`). */
  | { kind: 'number'; value: number; name?: string; text: string; span: Span }
  /** The packet's wire length, `len`. */
  | { kind: 'len'; span: Span }
  /** `proto[offset]` or `proto[offset:size]`. */
  | { kind: 'load'; proto: LoadProto; offset: Arith; size: 1 | 2 | 4; sizeWritten: boolean; span: Span }
  | { kind: 'binary'; op: ArithOp; left: Arith; right: Arith; span: Span }
  /** Unary minus. */
  | { kind: 'negate'; operand: Arith; span: Span };
