import { formatHex, formatIpv4, formatMac, readUint16 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { ArpFields } from './layers.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** ARP fixed fields (RFC 826); the four addresses follow at offsets that depend on the two sizes. */
export const ARP_LAYOUT: readonly FieldLayout[] = [
  { name: 'hardwareType', offset: 0, size: 2 },
  { name: 'protocolType', offset: 2, size: 2 },
  { name: 'hardwareSize', offset: 4, size: 1 },
  { name: 'protocolSize', offset: 5, size: 1 },
  { name: 'operation', offset: 6, size: 2 },
];

/** Zero-copy view of an ARP or RARP packet (8 bytes plus two hardware and two protocol addresses). */
export class ArpView extends LayerView {
  override get layerName(): string { return 'arp'; }
  override get minimumLength(): number { return 8; }
  get hardwareType(): number { return readUint16(this.data, this.offset); }
  get protocolType(): number { return readUint16(this.data, this.offset + 2); }
  get hardwareSize(): number { return this.data[this.offset + 4]!; }
  get protocolSize(): number { return this.data[this.offset + 5]!; }
  get operation(): number { return readUint16(this.data, this.offset + 6); }
  get headerLength(): number { return 8 + 2 * (this.hardwareSize + this.protocolSize); }
  /** Offset (relative) of the sender hardware address; the others follow it. */
  private address(relative: number, size: number, hardware: boolean): string {
    const at = this.offset + relative;
    if (hardware && size === 6) return formatMac(this.data, at);
    if (!hardware && size === 4) return formatIpv4(this.data, at);
    return formatHex(this.data, at, size);
  }
  get senderHardwareAddress(): string { return this.address(8, this.hardwareSize, true); }
  get senderProtocolAddress(): string { return this.address(8 + this.hardwareSize, this.protocolSize, false); }
  get targetHardwareAddress(): string { return this.address(8 + this.hardwareSize + this.protocolSize, this.hardwareSize, true); }
  get targetProtocolAddress(): string { return this.address(8 + 2 * this.hardwareSize + this.protocolSize, this.protocolSize, false); }

  toFields(): ArpFields {
    return {
      hardwareType: this.hardwareType, protocolType: this.protocolType, hardwareSize: this.hardwareSize, protocolSize: this.protocolSize,
      operation: this.operation, senderHardwareAddress: this.senderHardwareAddress, senderProtocolAddress: this.senderProtocolAddress,
      targetHardwareAddress: this.targetHardwareAddress, targetProtocolAddress: this.targetProtocolAddress,
    };
  }

  describeFields(sink: FieldSink): void {
    const hs = this.hardwareSize;
    const ps = this.protocolSize;
    sink.add('hardwareType', 0, 2, this.hardwareType);
    sink.add('protocolType', 2, 2, this.protocolType);
    sink.add('hardwareSize', 4, 1, hs);
    sink.add('protocolSize', 5, 1, ps);
    sink.add('operation', 6, 2, this.operation);
    if (hs > 0) sink.add('senderHardwareAddress', 8, hs, this.senderHardwareAddress);
    if (ps > 0) sink.add('senderProtocolAddress', 8 + hs, ps, this.senderProtocolAddress);
    if (hs > 0) sink.add('targetHardwareAddress', 8 + hs + ps, hs, this.targetHardwareAddress);
    if (ps > 0) sink.add('targetProtocolAddress', 8 + 2 * hs + ps, ps, this.targetProtocolAddress);
  }
}

const scratch = new ArpView();

/** Decodes an ARP packet at `offset`; what follows (Ethernet padding) is a payload. */
export function decodeArp(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 8) return layers.truncated(LayerKind.arp, ARP_LAYOUT, offset, end, 8);
  const view = scratch.point(layers.data, offset, end);
  const length = view.headerLength;
  if (end - offset < length) {
    const hs = view.hardwareSize;
    const ps = view.protocolSize;
    const addresses: FieldLayout[] = [
      { name: 'senderHardwareAddress', offset: 8, size: hs },
      { name: 'senderProtocolAddress', offset: 8 + hs, size: ps },
      { name: 'targetHardwareAddress', offset: 8 + hs + ps, size: hs },
      { name: 'targetProtocolAddress', offset: 8 + 2 * hs + ps, size: ps },
    ];
    return layers.truncated(LayerKind.arp, addresses, offset, end, length);
  }
  layers.push(LayerKind.arp, offset, length, offset + length);
  layers.next(LayerKind.payload, offset + length, end);
}
