/** grammar/railroad.html must be what the current Chevrotain rules generate (regenerate with grammar/generate-railroad.ts). */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { filterRailroadHtml } from '../../src/filter/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('railroad diagram', () => {
  it('is up to date with the grammar (run: node scripts/run-ts.mjs grammar/generate-railroad.ts)', () => {
    const committed = readFileSync(join(root, 'grammar/railroad.html'), 'utf8');
    expect(committed === filterRailroadHtml(), 'grammar/railroad.html is stale: run node scripts/run-ts.mjs grammar/generate-railroad.ts').toBe(true);
  });

  it('draws every rule of the grammar', () => {
    const html = filterRailroadHtml();
    for (const rule of ['filter', 'expression', 'term', 'primitive', 'qualifiedPrimitive', 'inheritingOperand', 'operandList', 'operand', 'relation', 'arithmetic', 'arithmeticOperand', 'arithmeticPrimary', 'encapsulation']) {
      expect(html).toContain(`"name": "${rule}"`);
    }
  });
});
