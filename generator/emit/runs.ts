// Runs: consecutive steps whose every byte has a fixed size and a fixed place (unconditional
// scalars, fixed arrays of a few scalars, fixed `unused`), read and written with one bounds check
// and constant offsets from one base. Both emitters group a function's steps with the same call,
// so the loader's runs and the writer's are the same, and the verifier compares them op by op.

import { scalarSize } from "../check/types.js";
import type { Step } from "../plan/plan.js";
import { fieldPath, joinPath, wireMethod } from "./common.js";

/** One value (or padding) of a run: its offset in the run, width, wire method and path. */
export interface RunField {
  readonly at: number;
  readonly width: number;
  /** The Reader/Writer method (`u32`, `bool`) without `At`, or `unused`. */
  readonly what: string;
  readonly path: string;
}

/** A step of a run and the fields it puts on the wire (an array's elements, in order). */
export interface RunPart {
  readonly step: Step & { kind: "field" | "unused" };
  readonly fields: readonly RunField[];
}

export interface Run {
  readonly kind: "run";
  readonly size: number;
  readonly parts: readonly RunPart[];
}

/** Arrays of at most this many scalars are unrolled into a run; longer ones keep their loop. */
const MAX_UNROLLED = 16;
/** Padding up to this many bytes is zeroed byte by byte inside a run; longer padding ends it. */
const MAX_PADDING = 64;

/**
 * The steps with each stretch of two or more fixed fields made a run. `prefix` is the path of
 * the level the steps are at (a subsection's key), as the emitters name fields.
 */
export function withRuns(steps: readonly Step[], prefix: string): (Step | Run)[] {
  const out: (Step | Run)[] = [];
  let parts: RunPart[] = [];
  let size = 0;
  const close = (): void => {
    const fields = parts.reduce((n, p) => n + p.fields.length, 0);
    if (fields >= 2) out.push({ kind: "run", size, parts });
    else out.push(...parts.map((p) => p.step));
    parts = [];
    size = 0;
  };
  for (const step of steps) {
    const fields = fixedFields(step, prefix, size);
    if (fields === undefined) {
      close();
      out.push(step);
      continue;
    }
    parts.push({ step: step as RunPart["step"], fields });
    size += fields.reduce((n, f) => n + f.width, 0);
  }
  close();
  return out;
}

/** The fields of a step that can go in a run, starting at `at`; undefined if it cannot. */
function fixedFields(step: Step, prefix: string, at: number): RunField[] | undefined {
  if (step.kind === "unused") {
    const n = step.count.constant;
    if (step.condition || n === undefined || n <= 0n || n > BigInt(MAX_PADDING)) return undefined;
    return [{ at, width: Number(n), what: "unused", path: joinPath(prefix, "unused") }];
  }
  if (step.kind !== "field" || step.condition || step.equals || step.field.again) return undefined;
  const value = step.value;
  const path = fieldPath(step, prefix);
  if (value.kind === "scalar")
    return [{ at, width: scalarSize(value.type), what: wireMethod(value), path }];
  if (value.kind !== "array" || value.element.kind !== "scalar") return undefined;
  const count = value.count.constant;
  if (count === undefined || count <= 0n || count > BigInt(MAX_UNROLLED)) return undefined;
  const n = Number(count);
  const width = scalarSize(value.element.type);
  const what = wireMethod(value.element);
  return Array.from({ length: n }, (_, i) => ({
    at: at + i * width,
    width,
    what,
    path: `${path}[${i}]`,
  }));
}

/** `run$0 + 4`: where a field of a run is, from the run's base. */
export function offsetCode(base: string, at: number): string {
  return at === 0 ? base : `${base} + ${at}`;
}
