/** Errors of the BPF machine: every one names the instruction index (when there is one) and the rule broken. */

/** A problem with a BPF program or its text: `index` is the instruction (or -1), `rule` a short stable name. */
export class BpfError extends Error {
  constructor(message: string, readonly rule: string, readonly index = -1) {
    super(message);
    this.name = 'BpfError';
  }
}

/** A problem in program text: `line` and `column` are 1-based. */
export class BpfSyntaxError extends BpfError {
  constructor(message: string, readonly line: number, readonly column = 1) {
    super(`line ${line}${column > 1 ? `, column ${column}` : ''}: ${message}`, 'syntax');
    this.name = 'BpfSyntaxError';
  }
}

/** Raised when a program (libpcap mode allows backward jumps) runs past its step budget. */
export class BpfStepBudgetError extends BpfError {
  constructor(readonly budget: number, index: number) {
    super(`program exceeded its budget of ${budget} backward jumps at instruction ${index} (it may loop forever)`, 'step-budget', index);
    this.name = 'BpfStepBudgetError';
  }
}
