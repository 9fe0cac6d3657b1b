// Public API of src/tunnel (re-exported by src/index.ts): from a field of a captured frame to the stock
// tcpdump expression that tests it, with its layout assumptions and the guards that check them.
export { deriveStockExpression, deriveStockExpressionForField, stockFieldShape } from './derive.js';
export type { StockExpressionDerivation } from './derive.js';
export type { StockAssumption } from './guards.js';
export { parseStockFieldSelector, selectStockField } from './select.js';
export type { StockFieldSelector } from './select.js';
export { stockFieldComparison, stockHex } from './format.js';
export type { StockFieldComparison } from './format.js';
export { StockExpressionError } from './errors.js';
