import { ArpView } from './arp.js';
import { EthernetView } from './ethernet.js';
import { GeneveView } from './geneve.js';
import { GreView } from './gre.js';
import { IcmpView } from './icmp.js';
import { Icmpv6View } from './icmpv6.js';
import { Ipv4View } from './ipv4.js';
import { Ipv6View } from './ipv6.js';
import { Ipv6ExtensionView } from './ipv6-extension.js';
import { Ipv6FragmentView } from './ipv6-fragment.js';
import { LayerKind } from './kinds.js';
import { LinuxSllView } from './linux-sll.js';
import { LinuxSll2View } from './linux-sll2.js';
import { LlcView } from './llc.js';
import { LoopbackView } from './loopback.js';
import { MplsView } from './mpls.js';
import type { PacketLayers } from './packet-layers.js';
import { PayloadView } from './payload.js';
import { PppoeView, PPPOE_SESSION_ETHER_TYPE } from './pppoe.js';
import { TcpView } from './tcp.js';
import { UdpView } from './udp.js';
import { VlanView } from './vlan.js';
import { VxlanView } from './vxlan.js';

/** Any protocol view. */
export type AnyLayerView =
  | EthernetView | LlcView | VlanView | MplsView | PppoeView | ArpView | Ipv4View | Ipv6View | Ipv6ExtensionView
  | Ipv6FragmentView | GreView | UdpView | TcpView | IcmpView | Icmpv6View | VxlanView | GeneveView | LinuxSllView
  | LinuxSll2View | LoopbackView | PayloadView;

/** A new view of layer `index` of a decoded packet (allocates; hot loops keep their own views and `point` them). */
export function viewOfLayer(layers: PacketLayers, index: number): AnyLayerView {
  const data = layers.data;
  const offset = layers.offsets[index]!;
  const end = layers.ends[index]!;
  const make = (): AnyLayerView => {
    switch (layers.kinds[index]) {
      case LayerKind.ethernet: return new EthernetView();
      case LayerKind.llc: return new LlcView();
      case LayerKind.vlan: return new VlanView();
      case LayerKind.mpls: return new MplsView();
      case LayerKind.pppoe: { const view = new PppoeView(); view.session = layers.introducedBy[index] === PPPOE_SESSION_ETHER_TYPE; return view; }
      case LayerKind.arp: return new ArpView();
      case LayerKind.ipv4: return new Ipv4View();
      case LayerKind.ipv6: return new Ipv6View();
      case LayerKind.ipv6Extension: { const view = new Ipv6ExtensionView(); view.headerType = layers.introducedBy[index]!; return view; }
      case LayerKind.ipv6Fragment: return new Ipv6FragmentView();
      case LayerKind.gre: return new GreView();
      case LayerKind.udp: return new UdpView();
      case LayerKind.tcp: return new TcpView();
      case LayerKind.icmp: return new IcmpView();
      case LayerKind.icmpv6: return new Icmpv6View();
      case LayerKind.vxlan: return new VxlanView();
      case LayerKind.geneve: return new GeneveView();
      case LayerKind.linuxSll: return new LinuxSllView();
      case LayerKind.linuxSll2: return new LinuxSll2View();
      case LayerKind.null: return new LoopbackView();
      case LayerKind.loop: { const view = new LoopbackView(); view.networkOrder = true; return view; }
      default: return new PayloadView();
    }
  };
  return make().point(data, offset, end);
}
