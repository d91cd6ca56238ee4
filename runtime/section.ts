// The codec of one section, as generated modules export it for stream tools.

import type { Reader } from "./reader.js";
import type { ObjectShape, ParamShape } from "./shape.js";
import type { Writer } from "./writer.js";

export interface SectionCodec<State, Params> {
  /** QEMU's VMStateDescription name, the last part of a section's idstr. */
  readonly name: string;
  readonly version: number;
  readonly minimumVersion: number;
  /** The state's members and their types, for tools that turn states into JSON. */
  readonly state: ObjectShape;
  /** The parameters `load` and `save` accept. */
  readonly params: readonly ParamShape[];
  save(w: Writer, s: State, p?: Params): void;
  load(r: Reader, p?: Params, version?: number): State;
}
