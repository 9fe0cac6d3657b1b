/** Helpers shared by the corpus scenarios: one frame type and Ethernet minimum-size padding. */
import { buildPacketLayers } from '../../src/packet/build/index.js';
import type { BuildLayerSpec, BuiltLayer } from '../../src/packet/build/index.js';

/** One captured frame of a scenario, with what it is (for README lines and tests). */
export interface CorpusFrame {
  timestampNs: bigint;
  data: Uint8Array;
  /** The layers as built (before Ethernet padding), outermost first. */
  layers: BuiltLayer[];
  /** Where each layer starts in `data`. */
  offsets: number[];
  /** One line saying what the frame is in the story. */
  note: string;
}

/** The shortest Ethernet frame without FCS: shorter frames are padded with zeros after the datagram. */
export const ETHERNET_MINIMUM_FRAME = 60;

/** Builds one frame; Ethernet frames are zero-padded to 60 bytes as a NIC sends them. */
export function frame(timestampNs: bigint, note: string, stack: BuildLayerSpec[]): CorpusFrame {
  const built = buildPacketLayers(stack);
  let data = built.data;
  if (stack[0]?.type === 'ethernet' && data.length < ETHERNET_MINIMUM_FRAME) {
    data = new Uint8Array(ETHERNET_MINIMUM_FRAME);
    data.set(built.data);
  }
  return { timestampNs, data, layers: built.layers, offsets: built.offsets, note };
}
