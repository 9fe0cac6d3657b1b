/** The error every builder throws for a field it cannot encode; the message names the layer and the field. */
export class PacketBuildError extends Error {
  /** Position of the offending layer in the stack (outermost is 0), or -1 when not known. */
  readonly layerIndex: number;
  /** Name of the offending field, when one is to blame. */
  readonly field: string | undefined;

  constructor(message: string, layerIndex = -1, field?: string) {
    super(message);
    this.name = 'PacketBuildError';
    this.layerIndex = layerIndex;
    this.field = field;
  }
}
