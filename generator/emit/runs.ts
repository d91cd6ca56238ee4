// Runs: consecutive steps whose every byte has a fixed size and a fixed place (unconditional
// scalars, arrays of scalars or of structs that are one run themselves, with a constant count,
// fixed `unused`), read and written with one bounds check and constant offsets from one base.
// Both emitters group a function's steps with the same call, so the loader's runs and the
// writer's are the same, and the verifier compares them op by op.

import type { ScalarMethod } from "../../runtime/wire.js";
import { scalarSize } from "../ir/scalars.js";
import type { FunctionPlan, Step, ValuePlan } from "../plan/plan.js";
import { fieldPath, joinPath, wireMethod } from "./common.js";

/** One value (or padding) of a run: its offset in the run, width, wire method and path. */
export interface RunField {
  readonly at: number;
  readonly width: number;
  /** The Reader/Writer method (`u32`, `bool`) without `At`, or `unused`. */
  readonly what: ScalarMethod | "unused";
  readonly path: string;
}

/** A field of a run that carries a value, not padding. */
export type ValueField = RunField & { readonly what: ScalarMethod };

export function isValueField(f: RunField): f is ValueField {
  return f.what !== "unused";
}

/** A step of a run: its fields (a scalar, an unrolled array's elements, padding) or a loop. */
export type RunPart =
  | {
      readonly kind: "fields";
      readonly step: Step & { kind: "field" | "unused" };
      readonly fields: readonly RunField[];
    }
  | RunLoop;

/**
 * A constant number of elements of one fixed layout (`u32le[128]`, `ModernQueueState[1024]`),
 * read and written in a loop at `at + i * stride`. `element` has offsets and paths relative to
 * the element (a scalar's path is ""); `path` is the array's, with `[]` for the index.
 */
export interface RunLoop {
  readonly kind: "loop";
  readonly step: Step & { kind: "field" };
  readonly value: ValuePlan & { kind: "array" };
  readonly at: number;
  readonly count: number;
  readonly stride: number;
  readonly path: string;
  readonly element: readonly RunField[];
  /** The struct of the elements, whose steps are this one run; undefined for scalars. */
  readonly struct: { readonly fn: FunctionPlan; readonly run: Run } | undefined;
}

export interface Run {
  readonly kind: "run";
  readonly size: number;
  readonly parts: readonly RunPart[];
}

/** Arrays of at most this many scalars are unrolled into a run; longer ones are a loop in it. */
const MAX_UNROLLED = 16;
/** Padding up to this many bytes is zeroed byte by byte inside a run; longer padding ends it. */
const MAX_PADDING = 64;

/**
 * The steps with each stretch of `minValues` or more fixed fields made a run (a loop counts as
 * two). `prefix` is the path of the level the steps are at (a subsection's key), as the emitters
 * name fields. One field alone is written as it is (a run would only add its check), except as
 * the element of a loop, where the loop's one check covers every element.
 */
export function withRuns(steps: readonly Step[], prefix: string, minValues = 2): (Step | Run)[] {
  const out: (Step | Run)[] = [];
  let parts: RunPart[] = [];
  let size = 0;
  const close = (): void => {
    const values = parts.reduce((n, p) => n + (p.kind === "loop" ? 2 : p.fields.length), 0);
    if (values >= minValues) out.push({ kind: "run", size, parts });
    else out.push(...parts.map((p) => p.step));
    parts = [];
    size = 0;
  };
  for (const step of steps) {
    const part = fixedPart(step, prefix, size);
    if (part === undefined) {
      close();
      out.push(step);
      continue;
    }
    parts.push(part);
    size += partSize(part);
  }
  close();
  return out;
}

/** The run of a struct's function when all its steps are one run, else undefined. */
export function wholeRun(fn: FunctionPlan): Run | undefined {
  if (fn.layout.kind !== "struct" || fn.importedFrom) return undefined;
  const grouped = withRuns(fn.steps, "", 1);
  const run = grouped[0];
  if (grouped.length !== 1 || run?.kind !== "run") return undefined;
  // Merged fields go into another value than their own; a loop in a loop is not flattened.
  const plain = run.parts.every(
    (p) =>
      p.kind === "fields" &&
      (p.step.kind === "unused" || (!p.step.field.merge && p.step.field.extensions.length === 0)),
  );
  return plain ? run : undefined;
}

function partSize(part: RunPart): number {
  return part.kind === "loop"
    ? part.count * part.stride
    : part.fields.reduce((n, f) => n + f.width, 0);
}

/** The part of a run a step can be, starting at `at`; undefined if it cannot be one. */
function fixedPart(step: Step, prefix: string, at: number): RunPart | undefined {
  if (step.kind === "unused") {
    const n = step.count.constant;
    if (step.condition || n === undefined || n <= 0n || n > BigInt(MAX_PADDING)) return undefined;
    const fields: RunField[] = [
      { at, width: Number(n), what: "unused", path: joinPath(prefix, "unused") },
    ];
    return { kind: "fields", step, fields };
  }
  if (step.kind !== "field" || step.condition || step.equals || step.field.again) return undefined;
  const value = step.value;
  const path = fieldPath(step, prefix);
  if (value.kind === "scalar") {
    const fields = [{ at, width: scalarSize(value.type), what: wireMethod(value), path }];
    return { kind: "fields", step, fields };
  }
  if (value.kind !== "array") return undefined;
  const constant = value.count.constant;
  if (constant === undefined || constant <= 0n || constant > 0x7fffffffn) return undefined;
  const count = Number(constant);
  const element = value.element;
  if (element.kind === "scalar") {
    const width = scalarSize(element.type);
    const what = wireMethod(element);
    if (count > MAX_UNROLLED) {
      const fields = [{ at: 0, width, what, path: "" }];
      return loop(step, value, at, count, width, `${path}[]`, fields, undefined);
    }
    const fields = Array.from({ length: count }, (_, i) => ({
      at: at + i * width,
      width,
      what,
      path: `${path}[${i}]`,
    }));
    return { kind: "fields", step, fields };
  }
  if (element.kind !== "struct" || element.args.length > 0) return undefined;
  const run = wholeRun(element.callee);
  if (!run) return undefined;
  const fields = run.parts.flatMap((p) => (p.kind === "fields" ? p.fields : []));
  const struct = { fn: element.callee, run };
  return loop(step, value, at, count, run.size, `${path}[]`, fields, struct);
}

function loop(
  step: Step & { kind: "field" },
  value: ValuePlan & { kind: "array" },
  at: number,
  count: number,
  stride: number,
  path: string,
  element: readonly RunField[],
  struct: RunLoop["struct"],
): RunLoop | undefined {
  // The run's offsets must stay exact integers of the Reader's and Writer's positions.
  if (count * stride > 0x7fffffff) return undefined;
  return { kind: "loop", step, value, at, count, stride, path, element, struct };
}

/** `run$0 + 4`: where a field of a run is, from the run's base. */
export function offsetCode(base: string, at: number): string {
  return at === 0 ? base : `${base} + ${at}`;
}

/** `run$0 + i * 16 + 8`: where a field of an element of a loop is. */
export function loopOffsetCode(base: string, loop: RunLoop, field: RunField): string {
  const at = loop.at + field.at;
  return `${base} + ${loop.value.index} * ${loop.stride}${at === 0 ? "" : ` + ${at}`}`;
}

/** The run layout constant's text: `[[0, 2, "u16", "num"], [2, 1024, 28, "vqs[]", [ … ]]]`. */
export function layoutCode(parts: readonly RunPart[]): string {
  const fields = (list: readonly RunField[]): string =>
    list
      .map((f) => `[${f.at}, ${f.width}, ${JSON.stringify(f.what)}, ${JSON.stringify(f.path)}]`)
      .join(", ");
  const entries = parts.map((p) =>
    p.kind === "fields"
      ? fields(p.fields)
      : `[${p.at}, ${p.count}, ${p.stride}, ${JSON.stringify(p.path)}, [${fields(p.element)}]]`,
  );
  return `[${entries.join(", ")}]`;
}
