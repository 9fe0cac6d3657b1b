import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { describeWithOracle, hasCommand } from './oracle.js';

// In CI these must be installed (.ci/run installs them); elsewhere their absence is announced loudly.
describeWithOracle('tcpdump oracle', hasCommand('tcpdump', ['--version']), 'tcpdump', () => {
  it('is libpcap-based tcpdump', () => {
    expect(execFileSync('tcpdump', ['--version'], { encoding: 'utf8' })).toMatch(/libpcap version/);
  });
});
describeWithOracle('tshark oracle', hasCommand('tshark', ['--version']), 'tshark', () => {
  it('prints its version', () => {
    expect(execFileSync('tshark', ['--version'], { encoding: 'utf8' })).toMatch(/TShark/);
  });
});
