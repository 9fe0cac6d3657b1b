/** The railroad diagram of the grammar (grammar/railroad.html), generated from the Chevrotain rules. */
import { createSyntaxDiagramsCode } from 'chevrotain';
import { FilterGrammar } from './grammar.js';

/** The HTML page of railroad diagrams for every rule of the filter grammar. */
export function filterRailroadHtml(): string {
  return createSyntaxDiagramsCode(new FilterGrammar().getSerializedGastProductions());
}
