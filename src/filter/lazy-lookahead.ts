/**
 * Chevrotain's LL(k) lookahead, built on first use: performSelfAnalysis asks for a lookahead function for every
 * alternation and optional production of the grammar at every start, while one short filter reaches only a few
 * of them. Each function is computed the first time the parser runs that production, by Chevrotain's own LL(k)
 * strategy, so the parser decides exactly as with the eager one.
 */
import { LLkLookaheadStrategy, type ILookaheadStrategy, type ILookaheadValidationError, type IOrAlt } from 'chevrotain';

type Eager = InstanceType<typeof LLkLookaheadStrategy>;
type AlternationLookahead = (orAlts?: IOrAlt<unknown>[] | undefined) => number | undefined;

/** LL(k) lookahead whose functions are computed lazily, one production at a time. */
export class LazyLookaheadStrategy implements ILookaheadStrategy {
  private readonly eager: Eager;

  /** Uses Chevrotain's LL(k) strategy with `maxLookahead` tokens. */
  constructor(options: { maxLookahead: number }) {
    this.eager = new LLkLookaheadStrategy(options);
  }

  /** The LL(k) strategy's grammar validations (only run when the parser validates). */
  validate(options: Parameters<Eager['validate']>[0]): ILookaheadValidationError[] {
    return this.eager.validate(options);
  }

  /** The lookahead of an alternation (`OR`), computed on its first call. */
  buildLookaheadForAlternation(options: Parameters<Eager['buildLookaheadForAlternation']>[0]): AlternationLookahead {
    const eager = this.eager;
    let built: AlternationLookahead | undefined;
    return function lazyAlternation(this: unknown, alternatives) {
      built ??= eager.buildLookaheadForAlternation(options);
      return built.call(this, alternatives);
    };
  }

  /** The lookahead of an optional production (`OPTION`, `MANY`, `AT_LEAST_ONE`...), computed on its first call. */
  buildLookaheadForOptional(options: Parameters<Eager['buildLookaheadForOptional']>[0]): () => boolean {
    const eager = this.eager;
    let built: (() => boolean) | undefined;
    return function lazyOptional(this: unknown) {
      built ??= eager.buildLookaheadForOptional(options);
      return built.call(this);
    };
  }
}
