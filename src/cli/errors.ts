/** An error the CLI reports as one line with a chosen exit code (2 for usage mistakes). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'CliError';
  }
}
