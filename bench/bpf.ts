/**
 * Benchmark of the BPF machine: ns/packet of our interpreter and our compiled JavaScript against libpcap's
 * bpf_filter in C (bench/c/bpf-run.c, built here with gcc -O2 -lpcap), for libpcap's own programs of ten
 * filters, on the same generated capture of 1M frames held in memory ("memory") and on its first 10k
 * frames looped ("hot", cache-resident).
 *
 * Both sides hold the frames the same way: one buffer and parallel offset / captured length / wire length
 * arrays. Two APIs of ours are measured:
 *   call  - the single-packet function (createInterpreter, compileToJs) called once per record from a loop;
 *   batch - the batch function (createBatchInterpreter, compileToJsBatch) called once for all the records.
 * libpcap has one API, bpf_filter, and its side is always the tightest loop it allows: a C loop over the
 * same arrays calling bpf_filter on each record (unrolled four records a step, as our generated batch loop
 * is, and counting without a branch on the verdict); both of our rows compare with that same figure.
 *
 * Method (the machine is shared): the C runner stays up, and for each filter the passes alternate, a
 * libpcap pass then a pass of each of our engines, over several rounds. Hot: every side keeps its best
 * pass. Memory: a pass over the 1M frames takes tens of milliseconds, long enough to be preempted on a
 * loaded machine, so each pass is timed per chunk of 25k frames (a few MB, evicted again by the rest of
 * the pass before the chunk's next round) and every side's figure is the sum over chunks of the chunk's
 * best round. Every pass's accepted count must equal libpcap's or the benchmark fails. Prints a table and
 * writes bench/results/bpf.json.
 *
 *   node scripts/run-ts.mjs bench/bpf.ts [FRAMES]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { compileToJs, compileToJsBatch, createBatchInterpreter, createInterpreter, formatCommaForm, generateJsSource } from '../src/bpf/index.js';
import type { BpfBatchFilterFunction, BpfFilterFunction } from '../src/bpf/index.js';
import { encodePcap } from '../src/capture/pcap-writer.js';
import { libpcapAvailable, libpcapCompile } from '../test/support/libpcap.js';

const FRAMES = Number(process.argv[2] ?? 1_000_000);
const HOT_FRAMES = 10_000;
/** Rounds of interleaved passes; per round, memory passes and hot passes per side. */
const ROUNDS = 4;
const HOT_PASSES = 12;
const MEMORY_ROUNDS = 5;
const CHUNK_FRAMES = 25_000;
const filters = [
  'ip', 'tcp port 80', 'udp port 53 or udp port 67 or udp port 68', 'vlan and tcp', 'ip[6:2] & 0x1fff != 0',
  'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', 'proto gre and (ip[54:4] = 0x0a050505 or ip[58:4] = 0x0a050505)',
  'ip6 and tcp dst port 443', 'arp or icmp', 'host 10.1.2.3 and not port 22',
];

// ---- A realistic mix of frames, built byte by byte (simple and independent of the decoder). ----
let seed = 12345;
const random = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
const pick = <T>(items: readonly T[]): T => items[random(items.length)]!;

function ethernet(type: number, vlan?: number): number[] {
  const header = [0x00, 0x11, 0x22, 0x33, 0x44, random(256), 0x00, 0x00, 0x5e, 0x00, 0x01, random(256)];
  if (vlan !== undefined) header.push(0x81, 0x00, (vlan >> 8) & 0x0f, vlan & 0xff);
  header.push(type >> 8, type & 0xff);
  return header;
}
const ip4 = (): number[] => (random(4) === 0 ? [10, 1, 2, 3] : [pick([10, 192, 172, 8]), random(256), random(256), 1 + random(254)]);
function ipv4(protocol: number, payloadLength: number, options: { source?: number[]; destination?: number[]; fragment?: number } = {}): number[] {
  const total = 20 + payloadLength;
  return [0x45, 0, total >> 8, total & 0xff, random(256), random(256), (options.fragment ?? 0x4000) >> 8, (options.fragment ?? 0x4000) & 0xff,
    64, protocol, 0, 0, ...(options.source ?? ip4()), ...(options.destination ?? ip4())];
}
function ipv6(next: number, payloadLength: number): number[] {
  const address = (): number[] => [0x20, 0x01, 0x0d, 0xb8, ...Array.from({ length: 12 }, () => random(256))];
  return [0x60, 0, 0, 0, payloadLength >> 8, payloadLength & 0xff, next, 64, ...address(), ...address()];
}
const port = (): number => pick([80, 443, 22, 53, 8080, 1024 + random(60000), 1024 + random(60000)]);
function tcp(source: number, destination: number, flags = pick([0x10, 0x18, 0x02, 0x12, 0x11, 0x10, 0x18])): number[] {
  return [source >> 8, source & 0xff, destination >> 8, destination & 0xff, random(256), random(256), random(256), random(256), 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0];
}
const udp = (source: number, destination: number, payload: number): number[] => [source >> 8, source & 0xff, destination >> 8, destination & 0xff, (8 + payload) >> 8, (8 + payload) & 0xff, 0, 0];
const payload = (length: number): number[] => Array.from({ length }, () => random(256));

/** One frame: its captured bytes (at most 128) and its wire length. */
function frame(): { data: number[]; wire: number } {
  const kind = random(100);
  let bytes: number[];
  if (kind < 38) {
    const data = pick([0, 0, 20, 100, 1400]);
    bytes = [...ethernet(0x0800), ...ipv4(6, 20 + data), ...tcp(port(), port()), ...payload(data)];
  } else if (kind < 48) {
    const [source, destination] = pick([[53, 1024 + random(60000)], [1024 + random(60000), 53], [67, 68], [68, 67], [port(), port()]]);
    bytes = [...ethernet(0x0800), ...ipv4(17, 8 + 40), ...udp(source!, destination!, 40), ...payload(40)];
  } else if (kind < 56) {
    bytes = [...ethernet(0x8100, 1 + random(4000)), 0x08, 0x00, ...ipv4(6, 20), ...tcp(port(), port())].filter((_, i) => i !== 16 && i !== 17);
  } else if (kind < 68) {
    bytes = random(2) ? [...ethernet(0x86dd), ...ipv6(6, 20), ...tcp(port(), pick([443, 443, 80, port()]))] : [...ethernet(0x86dd), ...ipv6(17, 8 + 30), ...udp(port(), port(), 30), ...payload(30)];
  } else if (kind < 73) {
    bytes = [...ethernet(0x0806), 0, 1, 8, 0, 6, 4, 0, pick([1, 2]), ...payload(6), ...ip4(), ...payload(6), ...ip4()];
  } else if (kind < 80) {
    bytes = [...ethernet(0x0800), ...ipv4(1, 8 + 32), pick([8, 0, 3]), 0, 0, 0, 0, 1, 0, random(256), ...payload(32)];
  } else if (kind < 86) {
    const inner = [...ethernet(0x0800), ...ipv4(1, 8, { source: random(3) ? [10, 5, 5, 5] : ip4(), destination: random(2) ? [10, 5, 5, 5] : ip4() }), 8, 0, 0, 0, 0, 1, 0, 1];
    bytes = [...ethernet(0x0800), ...ipv4(47, 8 + inner.length), 0x20, 0x00, 0x65, 0x58, 0, 0, 0, random(256), ...inner];
  } else if (kind < 91) {
    bytes = [...ethernet(0x0800), ...ipv4(17, 60, { fragment: random(2) ? 0x2000 + 1 + random(100) : 0x0000 + 1 + random(100) }), ...payload(60)];
  } else {
    bytes = [...ethernet(0x0800), ...ipv4(6, 20, { source: [10, 1, 2, 3] }), ...tcp(pick([22, 22, 80]), port())];
  }
  return { data: bytes.slice(0, 128), wire: bytes.length };
}

/** Generates the frames straight into one buffer (no per-frame arrays kept alive to burden the GC while timing). */
function buildCapture(): { bytes: Uint8Array; offsets: Uint32Array; caps: Uint32Array; wires: Uint32Array; pcap: Uint8Array } {
  let bytes = new Uint8Array(FRAMES * 96);
  const offsets = new Uint32Array(FRAMES);
  const caps = new Uint32Array(FRAMES);
  const wires = new Uint32Array(FRAMES);
  let offset = 0;
  for (let i = 0; i < FRAMES; i++) {
    const f = frame();
    if (offset + f.data.length > bytes.length) {
      const grown = new Uint8Array(bytes.length * 2);
      grown.set(bytes);
      bytes = grown;
    }
    bytes.set(f.data, offset);
    offsets[i] = offset;
    caps[i] = f.data.length;
    wires[i] = f.wire;
    offset += f.data.length;
  }
  bytes = bytes.slice(0, offset);
  const pcap = encodePcap(Array.from(offsets, (start, i) => ({ data: bytes.subarray(start, start + caps[i]!), wireLength: wires[i]!, timestampNs: BigInt(i) * 1000n })), { linkType: 1, snaplen: 262144 });
  return { bytes, offsets, caps, wires, pcap };
}

interface Frames { bytes: Uint8Array; offsets: Uint32Array; caps: Uint32Array; wires: Uint32Array }
/** Runs an engine over records start … end - 1 and returns how many it accepted. */
type Pass = (start: number, end: number) => number;

let loops = 0;
/**
 * A pass of a single-packet engine: a fresh loop function per engine, so each gets its own type feedback
 * (the source differs by a comment: V8 caches identical `new Function` sources and would share one
 * feedback vector, making the call site megamorphic). Like the C side, it passes the one buffer holding
 * every frame and each frame's offset (no per-packet view objects).
 */
function callPass(run: BpfFilterFunction, { bytes, offsets, caps, wires }: Frames): Pass {
  const loop = new Function('run', 'bytes', 'offsets', 'caps', 'wires', 'start', 'end',
    `/* loop ${loops++} */ ` + 'let hits = 0; for (let i = start; i < end; i++) { if (run(bytes, caps[i], wires[i], offsets[i]) !== 0) hits++; } return hits;') as
    (run: BpfFilterFunction, bytes: Uint8Array, offsets: Uint32Array, caps: Uint32Array, wires: Uint32Array, start: number, end: number) => number;
  return (start, end) => loop(run, bytes, offsets, caps, wires, start, end);
}

/** A pass of a batch engine: one call over the records (views of the arrays from `start`, no copy). */
function batchPass(run: BpfBatchFilterFunction, { bytes, offsets, caps, wires }: Frames): Pass {
  return (start, end) => (start === 0 ? run(bytes, offsets, caps, wires, end) : run(bytes, offsets.subarray(start), caps.subarray(start), wires.subarray(start), end - start));
}

/** Best ns/packet of `passes` passes over the first `frames` records (and the accepted count, the same every pass). */
function time(pass: Pass, frames: number, passes: number): { ns: number; accepted: number } {
  let best = Infinity;
  let accepted = -1;
  for (let i = 0; i < passes; i++) {
    const start = process.hrtime.bigint();
    const hits = pass(0, frames);
    const elapsed = Number(process.hrtime.bigint() - start) / frames;
    if (accepted !== -1 && hits !== accepted) throw new Error(`accepted ${hits} then ${accepted}`);
    accepted = hits;
    if (elapsed < best) best = elapsed;
  }
  return { ns: best, accepted };
}

/** One pass over all `frames` records timed per chunk: the accepted count and each chunk's ns. */
function timeChunks(pass: Pass, frames: number): { accepted: number; chunks: number[] } {
  let accepted = 0;
  const chunks: number[] = [];
  for (let start = 0; start < frames; start += CHUNK_FRAMES) {
    const end = Math.min(frames, start + CHUNK_FRAMES);
    const begin = process.hrtime.bigint();
    accepted += pass(start, end);
    chunks.push(Number(process.hrtime.bigint() - begin));
  }
  return { accepted, chunks };
}

/** Keeps each chunk's best time over the rounds. */
function keepBest(best: number[], chunks: readonly number[]): void {
  chunks.forEach((ns, i) => { best[i] = Math.min(best[i] ?? Infinity, ns); });
}
const perFrame = (best: readonly number[]): number => best.reduce((sum, ns) => sum + ns, 0) / FRAMES;

/** The C runner, driven one command at a time. */
async function startLibpcap(runner: string, capture: string): Promise<{ ask: (command: string) => Promise<string>; stop: () => void }> {
  const child = spawn(runner, [capture, String(HOT_FRAMES)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const { value, done } = await lines.next();
    if (done) throw new Error('bpf-run exited early');
    return value as string;
  };
  const ready = await next();
  if (!ready.startsWith('ready ')) throw new Error(`bpf-run: ${ready}`);
  return {
    ask: async (command) => { child.stdin.write(command + '\n'); return next(); },
    stop: () => { child.stdin.end(); },
  };
}

const ENGINES = ['interp call', 'interp batch', 'js call', 'js batch'] as const;
type Engine = typeof ENGINES[number];

if (!libpcapAvailable()) { console.error('bench bpf: needs gcc and libpcap-dev'); process.exit(1); }
const directory = mkdtempSync(join(tmpdir(), 'pktfilter-bench-bpf-'));
try {
  const started = Date.now();
  const frames = buildCapture();
  const capture = join(directory, 'mix.pcap');
  writeFileSync(capture, frames.pcap);
  const pcapMegabytes = frames.pcap.length / 1e6;
  const runner = join(directory, 'bpf-run');
  execFileSync('gcc', ['-O2', '-o', runner, 'bench/c/bpf-run.c', '-lpcap']);
  const programs = libpcapCompile(filters, { linkType: 1, snaplen: 262144 }).map((r, i) => { if (!r.ok) throw new Error(`${filters[i]}: ${r.error}`); return r.program; });
  const libpcap = await startLibpcap(runner, capture);
  const results: { filter: string; data: 'memory' | 'hot'; libpcap: number; ours: Record<Engine, number> }[] = [];
  for (const [index, program] of programs.entries()) {
    const cIndex = (await libpcap.ask(`load ${formatCommaForm(program)}`)).split(' ')[1];
    const passes: Record<Engine, Pass> = {
      'interp call': callPass(createInterpreter(program), frames),
      'interp batch': batchPass(createBatchInterpreter(program), frames),
      'js call': callPass(compileToJs(program), frames),
      'js batch': batchPass(compileToJsBatch(program), frames),
    };
    for (const engine of ENGINES) { time(passes[engine], HOT_FRAMES, 20); timeChunks(passes[engine], 4 * CHUNK_FRAMES); } // warm up (JIT)
    const check = (data: string, engine: string, accepted: number, cAccepted: number): void => {
      if (accepted !== cAccepted) throw new Error(`${filters[index]} (${data}): ${engine} accepted ${accepted} frames, libpcap ${cAccepted}`);
    };
    {
      let cBest = Infinity;
      const best = Object.fromEntries(ENGINES.map((engine) => [engine, Infinity])) as Record<Engine, number>;
      for (let round = 0; round < ROUNDS; round++) {
        const [cNs, cAccepted] = (await libpcap.ask(`time ${cIndex} hot ${HOT_PASSES}`)).split(' ').map(Number) as [number, number];
        cBest = Math.min(cBest, cNs);
        for (const engine of ENGINES) {
          const { ns, accepted } = time(passes[engine], HOT_FRAMES, HOT_PASSES);
          check('hot', engine, accepted, cAccepted);
          best[engine] = Math.min(best[engine], ns);
        }
      }
      results.push({ filter: filters[index]!, data: 'hot', libpcap: cBest, ours: best });
    }
    {
      const cBest: number[] = [];
      const best = Object.fromEntries(ENGINES.map((engine) => [engine, [] as number[]])) as Record<Engine, number[]>;
      for (let round = 0; round < MEMORY_ROUNDS; round++) {
        const [cAccepted, ...cChunks] = (await libpcap.ask(`chunks ${cIndex} ${CHUNK_FRAMES}`)).split(' ').map(Number) as [number, ...number[]];
        keepBest(cBest, cChunks);
        for (const engine of ENGINES) {
          const { accepted, chunks } = timeChunks(passes[engine], FRAMES);
          check('memory', engine, accepted, cAccepted);
          keepBest(best[engine], chunks);
        }
      }
      results.push({ filter: filters[index]!, data: 'memory', libpcap: perFrame(cBest), ours: Object.fromEntries(ENGINES.map((engine) => [engine, perFrame(best[engine])])) as Record<Engine, number> });
    }
  }
  libpcap.stop();

  const rows: { filter: string; data: string; engine: string; api: string; libpcapApi: string; ns: number; libpcapNs: number; ratio: number; target: number }[] = [];
  console.log(`${FRAMES} frames (${pcapMegabytes.toFixed(0)} MB pcap), hot set ${HOT_FRAMES} frames; ns/packet, ratio = ours / libpcap bpf_filter;`);
  console.log(`hot: best of ${ROUNDS * HOT_PASSES} passes per side; memory: sum of each ${CHUNK_FRAMES}-frame chunk's best of ${MEMORY_ROUNDS} passes; interleaved`);
  console.log('call = our single-packet function called per packet; batch = our batch function called once per pass (or chunk);');
  console.log('libpcap = bpf_filter called per packet from a C loop over the same arrays (gcc -O2, unrolled by 4)\n');
  console.log(['filter'.padEnd(62), 'data  ', 'libpcap', ...ENGINES.flatMap((engine) => [engine.padStart(12), ' ratio']), 'form'].join(' '));
  for (const { filter, data, libpcap: cNs, ours } of results) {
    const cells: string[] = [];
    for (const engine of ENGINES) {
      const ns = ours[engine];
      const ratio = ns / cNs;
      const [kind, api] = engine.split(' ') as [string, string];
      const target = kind === 'interp' ? 2 : data === 'hot' ? 0.4 : 0.85;
      rows.push({ filter, data, engine: kind, api, libpcapApi: 'bpf_filter per packet', ns: +ns.toFixed(2), libpcapNs: +cNs.toFixed(2), ratio: +ratio.toFixed(3), target });
      cells.push(ns.toFixed(1).padStart(12), `${ratio.toFixed(2)}${ratio <= target ? ' ' : '!'}`.padStart(6));
    }
    console.log([filter.padEnd(62), data.padEnd(6), cNs.toFixed(1).padStart(7), ...cells, generateJsSource(programs[filters.indexOf(filter)]!).form].join(' '));
  }
  console.log(`\n! marks a ratio above its target (js <= 0.85 in memory, <= 0.4 hot; interp <= 2). ${((Date.now() - started) / 1000).toFixed(1)} s`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/bpf.json', JSON.stringify({ frames: FRAMES, hotFrames: HOT_FRAMES, rounds: ROUNDS, hotPasses: HOT_PASSES, memoryRounds: MEMORY_ROUNDS, chunkFrames: CHUNK_FRAMES, rows }, null, 2) + '\n');
} finally {
  rmSync(directory, { recursive: true, force: true });
}
