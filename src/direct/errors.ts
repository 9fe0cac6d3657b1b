/** Errors of the direct engine. */

/** The direct engine cannot compile this filter (callers fall back to BPF->JS); the message names what. */
export class DirectUnsupportedError extends Error {
  constructor(readonly what: string) {
    super(`direct JS engine: unsupported ${what} (use the BPF engines)`);
    this.name = 'DirectUnsupportedError';
  }
}
