/** Errors of the tunnels area: a field that cannot be located or expressed, named with where and why. */

/** Thrown when a field selector is malformed, the field is absent from the frame, or its layout cannot be pinned by stock expressions. */
export class StockExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StockExpressionError';
  }
}
