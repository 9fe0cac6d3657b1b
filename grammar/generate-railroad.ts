// Regenerates grammar/railroad.html from the Chevrotain rules in src/filter/grammar.ts (the one source of truth):
//   node scripts/run-ts.mjs grammar/generate-railroad.ts
// test/filter/railroad.test.ts fails while the committed page is stale.
import { writeFileSync } from 'node:fs';
import { filterRailroadHtml } from '../src/filter/railroad.js';

writeFileSync('grammar/railroad.html', filterRailroadHtml());
console.log('wrote grammar/railroad.html');
