/**
 * Availability of the external oracles (libpcap through our C helper, tcpdump, tshark).
 * Outside CI a missing oracle skips its tests with a loud notice; with CI set it fails them.
 */
import { execFileSync } from 'node:child_process';
import { describe } from 'vitest';

const cache = new Map<string, boolean>();

/** True when `command` runs on this machine. */
export function hasCommand(command: string, versionArgs: string[] = ['--version']): boolean {
  const key = `${command} ${versionArgs.join(' ')}`;
  if (!cache.has(key)) {
    let ok = true;
    try { execFileSync(command, versionArgs, { stdio: 'ignore', timeout: 30_000 }); } catch { ok = false; }
    cache.set(key, ok);
  }
  return cache.get(key)!;
}

/** True when oracle tests must run (CI): a missing oracle is then a failure, not a skip. */
export const oraclesRequired = (): boolean => !!process.env.CI && process.env.CI !== 'false';

/**
 * `describe` for tests that need an oracle: runs when `available`, fails in CI when not,
 * and otherwise skips with a notice on stderr naming what is missing.
 */
export function describeWithOracle(name: string, available: boolean, missing: string, body: () => void): void {
  if (available) { describe(name, body); return; }
  if (oraclesRequired()) {
    describe(name, () => { throw new Error(`oracle required in CI but missing: ${missing}`); });
    return;
  }
  process.stderr.write(`\n*** SKIPPING "${name}": oracle missing (${missing}). Install tcpdump, libpcap-dev and tshark (see .ci/run). ***\n\n`);
  describe.skip(name, body);
}
