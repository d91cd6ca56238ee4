// The runtime's exports that generated code refers to, checked against the runtime itself: a name
// here that the runtime does not export fails to compile. The planner keeps these names free; the
// emitter records the ones it prints and imports exactly those.

import type * as Runtime from "../../runtime/index.js";
import type { ObjectShape, Reader, RunLayout, SectionCodec, Writer } from "../../runtime/index.js";

/** Functions generated code calls, in the order its import lists them. */
export const runtimeValues = [
  "atIndex",
  "atPath",
  "pciCapability",
] as const satisfies readonly (keyof typeof Runtime)[];

/** Types generated code names: each key is bound to the runtime's type of that name. */
interface RuntimeTypes {
  ObjectShape: ObjectShape;
  Reader: Reader;
  RunLayout: RunLayout;
  SectionCodec: SectionCodec<never, never>;
  Writer: Writer;
}

export type RuntimeValue = (typeof runtimeValues)[number];
export type RuntimeType = keyof RuntimeTypes;

/** In the order the import lists them, after the values. */
export const runtimeTypes = [
  "ObjectShape",
  "Reader",
  "RunLayout",
  "SectionCodec",
  "Writer",
] as const satisfies readonly RuntimeType[];

/** Every name generated code may import from the runtime. */
export const runtimeNames: readonly string[] = [...runtimeValues, ...runtimeTypes];
