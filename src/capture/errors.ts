/** Errors of the capture-file readers and writers. */

/**
 * A capture file (or stream) is damaged or is not a capture file: `offset` is the byte offset in the
 * file where the problem was found and `problem` says what it is. Readers throw it only after every
 * complete record before the damage has been delivered.
 */
export class CaptureFormatError extends Error {
  /** Byte offset in the file of the damaged header, record or block. */
  readonly offset: number;
  /** What is wrong, without the offset (for example `truncated record: 60 bytes needed, 12 present`). */
  readonly problem: string;
  /** The file name when the reader knows it. */
  readonly file: string | undefined;

  constructor(offset: number, problem: string, file?: string) {
    super(`${file === undefined ? '' : `${file}: `}${problem} (at byte offset ${offset})`);
    this.name = 'CaptureFormatError';
    this.offset = offset;
    this.problem = problem;
    this.file = file;
  }

  /** The same error with the file name attached (for readers that open a path). */
  withFile(file: string): CaptureFormatError {
    return new CaptureFormatError(this.offset, this.problem, file);
  }
}

/** A writer was given something it cannot write (a timestamp out of range, an unknown interface, a closed writer). */
export class CaptureWriteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CaptureWriteError';
  }
}
