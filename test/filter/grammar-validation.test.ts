import { expect, it } from 'vitest';
import { FilterGrammar } from '../../src/filter/grammar.js';

it('passes Chevrotain grammar validation (skipped at run time for start-up speed)', () => {
  // performSelfAnalysis throws on an ambiguous, left-recursive or otherwise invalid grammar.
  expect(() => new FilterGrammar({ validate: true })).not.toThrow();
});
