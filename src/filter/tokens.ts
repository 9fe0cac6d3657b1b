/**
 * Token types of the pcap-filter(7) language, as Chevrotain token types.
 *
 * The scanner (scanner.ts) produces them with libpcap's flex rules (longest match, earliest rule on a tie),
 * which Chevrotain's own lexer cannot express; so every token type here has `Lexer.NA` as its pattern and
 * the grammar (grammar.ts) only sees the kinds. Words that share a meaning share a kind: every protocol
 * name is a `ProtocolName` (the word stays in the image), `and`/`&&` are `And`, `not`/`!` are `Not`.
 */
import { createToken, Lexer } from 'chevrotain';
import type { TokenType } from 'chevrotain';

const kind = (name: string, label?: string): TokenType => createToken({ name, pattern: Lexer.NA, label: label ?? name });

export const Src = kind('Src', "'src'");
export const Dst = kind('Dst', "'dst'");
export const Host = kind('Host', "'host'");
export const Net = kind('Net', "'net'");
export const Mask = kind('Mask', "'mask'");
export const Port = kind('Port', "'port'");
export const Portrange = kind('Portrange', "'portrange'");
export const Proto = kind('Proto', "'proto'");
export const Protochain = kind('Protochain', "'protochain'");
export const Gateway = kind('Gateway', "'gateway'");
export const Less = kind('Less', "'less'");
export const Greater = kind('Greater', "'greater'");
export const Broadcast = kind('Broadcast', "'broadcast'");
export const Multicast = kind('Multicast', "'multicast'");
export const And = kind('And', "'and' | '&&'");
export const Or = kind('Or', "'or' | '||'");
export const Not = kind('Not', "'not' | '!'");
export const Len = kind('Len', "'len' | 'length'");
export const Inbound = kind('Inbound', "'inbound'");
export const Outbound = kind('Outbound', "'outbound'");
export const Ifindex = kind('Ifindex', "'ifindex'");
export const Vlan = kind('Vlan', "'vlan'");
export const Mpls = kind('Mpls', "'mpls'");
export const Pppoed = kind('Pppoed', "'pppoed'");
export const Pppoes = kind('Pppoes', "'pppoes'");
export const Geneve = kind('Geneve', "'geneve'");
export const Vxlan = kind('Vxlan', "'vxlan'");
export const Llc = kind('Llc', "'llc'");
/** `rnr`/`rulenum`: a pf keyword in libpcap, and also an LLC S-frame subtype after `llc`. */
export const Rnr = kind('Rnr', "'rnr'");
/** Every protocol qualifier word (`ether`, `ip`, `tcp`, … also `ppp`, `fddi`, `es-is`); the image says which. */
export const ProtocolName = kind('ProtocolName');
/** libpcap keywords of link types we do not handle (802.11, ATM, MTP, pf, `byte`): refused with a clear message. */
export const UnsupportedKeyword = kind('UnsupportedKeyword');

/** A number: decimal, 0x hex, leading-0 octal, or a named constant such as `tcp-syn` (image keeps the name). */
export const NumberLiteral = kind('NumberLiteral', 'Number');
/** A name: host, service, protocol, or a backslash-escaped word such as `\tcp`. */
export const Name = kind('Name');
/** A dotted IPv4 address with 2 to 4 parts (`10.1`, `192.168.0.1`). */
export const IPv4Address = kind('IPv4Address');
/** An IPv6 address. */
export const IPv6Address = kind('IPv6Address');
/** A MAC address in any of libpcap's forms. */
export const MacAddress = kind('MacAddress');
/** An ARCnet address `$xx` (recognized as libpcap does; refused, no ARCnet link type here). */
export const ArcnetAddress = kind('ArcnetAddress');

export const LParen = kind('LParen', "'('");
export const RParen = kind('RParen', "')'");
export const LBracket = kind('LBracket', "'['");
export const RBracket = kind('RBracket', "']'");
export const Colon = kind('Colon', "':'");
export const Slash = kind('Slash', "'/'");
export const Plus = kind('Plus', "'+'");
export const Minus = kind('Minus', "'-'");
export const Star = kind('Star', "'*'");
export const Percent = kind('Percent', "'%'");
export const Ampersand = kind('Ampersand', "'&'");
export const Pipe = kind('Pipe', "'|'");
export const Caret = kind('Caret', "'^'");
export const ShiftLeft = kind('ShiftLeft', "'<<'");
export const ShiftRight = kind('ShiftRight', "'>>'");
export const Greater_ = kind('GreaterThan', "'>'");
export const LessThan = kind('LessThan', "'<'");
export const GreaterEqual = kind('GreaterEqual', "'>='");
export const LessEqual = kind('LessEqual', "'<='");
export const Equal = kind('Equal', "'=' | '=='");
export const NotEqual = kind('NotEqual', "'!='");

/** Every token type, in a fixed order (the parser's vocabulary). */
export const allTokenTypes: TokenType[] = [
  Src, Dst, Host, Net, Mask, Port, Portrange, Proto, Protochain, Gateway, Less, Greater, Broadcast, Multicast,
  And, Or, Not, Len, Inbound, Outbound, Ifindex, Vlan, Mpls, Pppoed, Pppoes, Geneve, Vxlan, Llc, Rnr,
  ProtocolName, UnsupportedKeyword, NumberLiteral, Name, IPv4Address, IPv6Address, MacAddress, ArcnetAddress,
  LParen, RParen, LBracket, RBracket, Colon, Slash, Plus, Minus, Star, Percent, Ampersand, Pipe, Caret,
  ShiftLeft, ShiftRight, Greater_, LessThan, GreaterEqual, LessEqual, Equal, NotEqual,
];

/** Keyword words and the token type each one scans as (libpcap's scanner.l keyword list). */
export const keywordTypes: ReadonlyMap<string, TokenType> = new Map<string, TokenType>([
  ['dst', Dst], ['src', Src], ['host', Host], ['net', Net], ['mask', Mask], ['port', Port], ['portrange', Portrange],
  ['proto', Proto], ['protochain', Protochain], ['gateway', Gateway], ['less', Less], ['greater', Greater],
  ['broadcast', Broadcast], ['multicast', Multicast], ['and', And], ['or', Or], ['not', Not], ['len', Len],
  ['length', Len], ['inbound', Inbound], ['outbound', Outbound], ['ifindex', Ifindex], ['vlan', Vlan], ['mpls', Mpls],
  ['pppoed', Pppoed], ['pppoes', Pppoes], ['geneve', Geneve], ['vxlan', Vxlan], ['llc', Llc],
  ['rnr', Rnr], ['rulenum', Rnr],
  ...[
    'link', 'ether', 'ppp', 'slip', 'fddi', 'tr', 'wlan', 'arp', 'rarp', 'ip', 'sctp', 'tcp', 'udp', 'icmp', 'igmp',
    'igrp', 'pim', 'vrrp', 'carp', 'radio', 'ip6', 'icmp6', 'ah', 'esp', 'atalk', 'aarp', 'decnet', 'lat', 'sca',
    'moprc', 'mopdl', 'iso', 'esis', 'es-is', 'isis', 'is-is', 'l1', 'l2', 'iih', 'lsp', 'snp', 'csnp', 'psnp', 'clnp',
    'stp', 'ipx', 'netbeui',
  ].map((word): [string, TokenType] => [word, ProtocolName]),
  ...[
    'type', 'subtype', 'direction', 'dir', 'address1', 'addr1', 'address2', 'addr2', 'address3', 'addr3', 'address4',
    'addr4', 'ra', 'ta', 'byte', 'lane', 'metac', 'bcc', 'oam', 'oamf4', 'oamf4ec', 'oamf4sc', 'sc', 'ilmic', 'vpi',
    'vci', 'connectmsg', 'metaconnect', 'on', 'ifname', 'rset', 'ruleset', 'srnr', 'subrulenum', 'reason', 'action',
    'fisu', 'lssu', 'lsu', 'msu', 'hfisu', 'hlssu', 'hmsu', 'sio', 'opc', 'dpc', 'sls', 'hsio', 'hopc', 'hdpc', 'hsls',
  ].map((word): [string, TokenType] => [word, UnsupportedKeyword]),
]);

/** Named constants of pcap-filter(7) and their values (they scan as numbers). */
export const namedConstants: ReadonlyMap<string, number> = new Map<string, number>([
  ['icmptype', 0], ['icmpcode', 1],
  ['icmp-echoreply', 0], ['icmp-unreach', 3], ['icmp-sourcequench', 4], ['icmp-redirect', 5], ['icmp-echo', 8],
  ['icmp-routeradvert', 9], ['icmp-routersolicit', 10], ['icmp-timxceed', 11], ['icmp-paramprob', 12],
  ['icmp-tstamp', 13], ['icmp-tstampreply', 14], ['icmp-ireq', 15], ['icmp-ireqreply', 16], ['icmp-maskreq', 17],
  ['icmp-maskreply', 18],
  ['icmp6type', 0], ['icmp6code', 1],
  ['icmp6-destinationunreach', 1], ['icmp6-packettoobig', 2], ['icmp6-timeexceeded', 3],
  ['icmp6-parameterproblem', 4], ['icmp6-echo', 128], ['icmp6-echoreply', 129],
  ['icmp6-multicastlistenerquery', 130], ['icmp6-multicastlistenerreportv1', 131],
  ['icmp6-multicastlistenerdone', 132], ['icmp6-routersolicit', 133], ['icmp6-routeradvert', 134],
  ['icmp6-neighborsolicit', 135], ['icmp6-neighboradvert', 136], ['icmp6-redirect', 137],
  ['icmp6-routerrenum', 138], ['icmp6-nodeinformationquery', 139], ['icmp6-nodeinformationresponse', 140],
  ['icmp6-ineighbordiscoverysolicit', 141], ['icmp6-ineighbordiscoveryadvert', 142],
  ['icmp6-multicastlistenerreportv2', 143], ['icmp6-homeagentdiscoveryrequest', 144],
  ['icmp6-homeagentdiscoveryreply', 145], ['icmp6-mobileprefixsolicit', 146], ['icmp6-mobileprefixadvert', 147],
  ['icmp6-certpathsolicit', 148], ['icmp6-certpathadvert', 149], ['icmp6-multicastrouteradvert', 151],
  ['icmp6-multicastroutersolicit', 152], ['icmp6-multicastrouterterm', 153],
  ['tcpflags', 13], ['tcp-fin', 0x01], ['tcp-syn', 0x02], ['tcp-rst', 0x04], ['tcp-push', 0x08], ['tcp-ack', 0x10],
  ['tcp-urg', 0x20], ['tcp-ece', 0x40], ['tcp-cwr', 0x80],
]);
