import { readUint16, readUint32 } from './bytes.js';
import type { FieldLayout, FieldSink } from './field-layout.js';
import { LayerKind } from './kinds.js';
import type { LinuxSll2Fields } from './layers.js';
import { formatCookedAddress, linuxCookedNextLayer } from './linux-sll.js';
import type { PacketLayers } from './packet-layers.js';
import { LayerView } from './view.js';

/** Linux cooked capture v2 header fields (LINKTYPE_LINUX_SLL2, 20 bytes). */
export const LINUX_SLL2_LAYOUT: readonly FieldLayout[] = [
  { name: 'protocol', offset: 0, size: 2 },
  { name: 'reservedMbz', offset: 2, size: 2 },
  { name: 'interfaceIndex', offset: 4, size: 4 },
  { name: 'arphrdType', offset: 8, size: 2 },
  { name: 'packetType', offset: 10, size: 1 },
  { name: 'addressLength', offset: 11, size: 1 },
  { name: 'address', offset: 12, size: 8 },
];

/** Zero-copy view of a LINUX_SLL2 header. */
export class LinuxSll2View extends LayerView {
  override get layerName(): string { return 'linuxSll2'; }
  override get minimumLength(): number { return 20; }
  get headerLength(): number { return 20; }
  get protocol(): number { return readUint16(this.data, this.offset); }
  get reservedMbz(): number { return readUint16(this.data, this.offset + 2); }
  get interfaceIndex(): number { return readUint32(this.data, this.offset + 4); }
  get arphrdType(): number { return readUint16(this.data, this.offset + 8); }
  get packetType(): number { return this.data[this.offset + 10]!; }
  get addressLength(): number { return this.data[this.offset + 11]!; }
  get address(): string { return formatCookedAddress(this.data, this.offset + 12, this.addressLength); }

  /** What the protocol field announces. */
  nextLayer(): number { return linuxCookedNextLayer(this.protocol); }

  toFields(): LinuxSll2Fields {
    return {
      protocol: this.protocol, reservedMbz: this.reservedMbz, interfaceIndex: this.interfaceIndex, arphrdType: this.arphrdType,
      packetType: this.packetType, addressLength: this.addressLength, address: this.address,
    };
  }

  describeFields(sink: FieldSink): void {
    sink.add('protocol', 0, 2, this.protocol);
    sink.add('reservedMbz', 2, 2, this.reservedMbz);
    sink.add('interfaceIndex', 4, 4, this.interfaceIndex);
    sink.add('arphrdType', 8, 2, this.arphrdType);
    sink.add('packetType', 10, 1, this.packetType);
    sink.add('addressLength', 11, 1, this.addressLength);
    sink.add('address', 12, 8, this.address);
  }
}

const scratch = new LinuxSll2View();

/** Decodes a LINUX_SLL2 header at `offset` and sets the next step. */
export function decodeLinuxSll2(layers: PacketLayers, offset: number, end: number): void {
  if (end - offset < 20) return layers.truncated(LayerKind.linuxSll2, LINUX_SLL2_LAYOUT, offset, end, 20);
  const view = scratch.point(layers.data, offset, end);
  layers.push(LayerKind.linuxSll2, offset, 20, end);
  layers.next(view.nextLayer(), offset + 20, end, view.protocol);
}
