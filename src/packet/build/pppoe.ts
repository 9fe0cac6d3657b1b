/** PPPoE header builder (RFC 2516): session stage with its PPP protocol field, or discovery stage. */
import type { EncodedLayer, PppoeBuiltLayer, LayerEncodeContext, SpecOf } from './context.js';
import { failField, uintField } from './fields.js';
import { pppProtocolFor } from './next-layer.js';

/** Encodes a 6-byte PPPoE header, plus the 2-byte PPP protocol in the session stage (code 0); the length covers what follows the 6 bytes. */
export function encodePppoeHeader(spec: SpecOf<'pppoe'>, context: LayerEncodeContext): EncodedLayer<PppoeBuiltLayer> {
  const { position } = context;
  const version = uintField(position, 'version', spec.version, 4, 1);
  const pppoeType = uintField(position, 'pppoeType', spec.pppoeType, 4, 1);
  const code = uintField(position, 'code', spec.code, 8, 0);
  const sessionId = uintField(position, 'sessionId', spec.sessionId, 16, code === 0 ? 1 : 0);
  const session = code === 0;
  if (!session && spec.pppProtocol !== undefined) failField(position, 'pppProtocol', `discovery packets (code ${code}) have no PPP protocol field; only sessions (code 0) do`);
  const pppProtocol = session ? uintField(position, 'pppProtocol', spec.pppProtocol, 16, pppProtocolFor(context.next)) : undefined;
  const length = uintField(position, 'length', spec.length, 16, context.inner.length + (session ? 2 : 0));
  const header = new Uint8Array(session ? 8 : 6);
  header[0] = (version << 4) | pppoeType;
  header[1] = code;
  header[2] = sessionId >> 8; header[3] = sessionId & 0xff;
  header[4] = length >> 8; header[5] = length & 0xff;
  if (pppProtocol !== undefined) { header[6] = pppProtocol >> 8; header[7] = pppProtocol & 0xff; }
  const layer: PppoeBuiltLayer = { type: 'pppoe', version, pppoeType, code, sessionId, length };
  if (pppProtocol !== undefined) layer.pppProtocol = pppProtocol;
  return { header, layer };
}
