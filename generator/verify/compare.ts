// Trace comparison: walks the save and load traces side by side and reports the first place where
// they disagree, naming both.

import { sameSym, symText } from "./symbols.js";
import type { Location, RunOp, RunTrace, SubsectionTrace, TraceNode } from "./trace.js";

export interface Mismatch {
  /** Where save and load diverge; an absent side has ended early. */
  readonly save: { readonly what: string; readonly loc: Location | undefined };
  readonly load: { readonly what: string; readonly loc: Location | undefined };
}

export function compareTraces(
  save: readonly TraceNode[],
  load: readonly TraceNode[],
  saveEnd: Location,
  loadEnd: Location,
): Mismatch | undefined {
  const n = Math.max(save.length, load.length);
  for (let i = 0; i < n; i++) {
    const a = save[i];
    const b = load[i];
    if (!a || !b) return mismatch(a, b, saveEnd, loadEnd);
    const inner = compareNode(a, b);
    if (inner) return inner;
  }
  return undefined;
}

function compareNode(a: TraceNode, b: TraceNode): Mismatch | undefined {
  if (a.kind !== b.kind) return mismatch(a, b);
  switch (a.kind) {
    case "op": {
      const o = b as typeof a;
      // The path names the field the value belongs to: two reads of one width swapped differ only there.
      const sameEquals =
        a.equals === undefined || o.equals === undefined
          ? a.equals === o.equals
          : a.equals.firstCopy === o.equals.firstCopy && sameSym(a.equals.value, o.equals.value);
      if (a.op !== o.op || !sameSym(a.length, o.length) || !sameEquals || a.path !== o.path)
        return mismatch(a, b);
      return undefined;
    }
    case "subsectionHeader": {
      const o = b as typeof a;
      return a.name === o.name && sameSym(a.version, o.version) ? undefined : mismatch(a, b);
    }
    case "subsectionVersion": {
      const o = b as typeof a;
      return a.path === o.path && sameSym(a.min, o.min) && sameSym(a.max, o.max)
        ? undefined
        : mismatch(a, b);
    }
    case "check": {
      const o = b as typeof a;
      return sameSym(a.condition, o.condition) ? undefined : mismatch(a, b);
    }
    case "call": {
      const o = b as typeof a;
      return a.callee === o.callee &&
        a.args.length === o.args.length &&
        a.args.every((x, i) => sameSym(x, o.args[i]))
        ? undefined
        : mismatch(a, b);
    }
    case "if": {
      const o = b as typeof a;
      if (!sameSym(a.condition, o.condition)) return mismatch(a, b);
      return (
        compareTraces(a.then, o.then, a.loc, o.loc) ?? compareTraces(a.else, o.else, a.loc, o.loc)
      );
    }
    case "loop": {
      const o = b as typeof a;
      if (!sameSym(a.count, o.count)) return mismatch(a, b);
      return compareTraces(a.body, o.body, a.loc, o.loc);
    }
    case "subsections": {
      const o = b as typeof a;
      return compareSubsections(a.arms, o.arms, a, o);
    }
    case "run":
      return compareRuns(a, b as typeof a);
  }
}

/**
 * Two runs agree when they have one size and the same values at the same offsets, in the same
 * order (the loader's padding taken from its layout); a loop in a run, when it has the same count
 * and stride and its elements agree alike. Then they must tile the run, every byte once, and the
 * loader's layout (what its errors say) must be what it reads.
 */
function compareRuns(save: RunTrace, load: RunTrace): Mismatch | undefined {
  if (save.size !== load.size) return mismatch(save, load);
  const layout = load.layout ?? [];
  const loadOps = withPadding(load.ops, layout);
  return (
    compareRunOps(save.ops, loadOps, save, load) ??
    tiles(save.ops, loadOps, save.size, save, load) ??
    compareLayout(loadOps, layout, save.ops, save, load)
  );
}

function compareRunOps(
  saveOps: readonly RunOp[],
  loadOps: readonly RunOp[],
  save: RunTrace,
  load: RunTrace,
): Mismatch | undefined {
  for (let i = 0; i < Math.max(saveOps.length, loadOps.length); i++) {
    const a = saveOps[i];
    const b = loadOps[i];
    const differ =
      !a ||
      !b ||
      a.op !== b.op ||
      a.at !== b.at ||
      a.width !== b.width ||
      (a.op !== "loop" && a.path !== b.path) ||
      a.loop?.count !== b.loop?.count ||
      a.loop?.stride !== b.loop?.stride;
    if (differ)
      return {
        save: a
          ? { what: describeRunOp(a, "save"), loc: a.loc }
          : { what: "ends its run", loc: save.loc },
        load: b
          ? { what: describeRunOp(b, "load"), loc: b.loc }
          : { what: "ends its run", loc: load.loc },
      };
    if (a.loop && b.loop) {
      const inner = compareRunOps(a.loop.ops, b.loop.ops, save, load);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The ops must cover bytes 0 to `size` (of the run, or of an element) in order, each once. */
function tiles(
  saveOps: readonly RunOp[],
  loadOps: readonly RunOp[],
  size: number,
  save: RunTrace,
  load: RunTrace,
): Mismatch | undefined {
  const whole = size === save.size;
  const of = whole ? `its run of ${size}` : `an element of ${size} bytes of its run`;
  let next = 0;
  for (const [i, op] of saveOps.entries()) {
    if (op.at !== next) {
      const what = `bytes ${Math.min(next, op.at)} to ${Math.max(next, op.at)} of ${of}`;
      return {
        save: { what: `${op.at > next ? "leaves out" : "writes twice"} ${what}`, loc: op.loc },
        load: { what: `${op.at > next ? "skips" : "reads twice"} ${what}`, loc: loadOps[i]!.loc },
      };
    }
    if (op.loop) {
      const inner = tiles(op.loop.ops, loadOps[i]!.loop!.ops, op.loop.stride, save, load);
      if (inner) return inner;
    }
    next = op.at + op.width;
  }
  if (next === size) return undefined;
  return {
    save: {
      what: `writes ${next} of the ${size} bytes of ${whole ? "its run" : of}`,
      loc: save.loc,
    },
    load: {
      what: `reads ${next} of the ${size} bytes of ${whole ? "its run" : of}`,
      loc: load.loc,
    },
  };
}

/**
 * The loader's layout must say what it reads: each field's offset, width, method and path (an
 * element's scalar has the path "", the loop's), and each loop's the path the writer names its
 * elements by.
 */
function compareLayout(
  loadOps: readonly RunOp[],
  layout: readonly RunOp[],
  saveOps: readonly RunOp[],
  save: RunTrace,
  load: RunTrace,
  loopPath = "",
): Mismatch | undefined {
  for (let i = 0; i < Math.max(layout.length, loadOps.length); i++) {
    const a = loadOps[i];
    const b = layout[i];
    const path = (op: RunOp): string => (op.path === "" && loopPath !== "" ? loopPath : op.path);
    const expected = a && (a.op === "loop" ? (saveOps[i]?.path ?? "") : a.path);
    const differ =
      !a ||
      !b ||
      a.op !== b.op ||
      a.at !== b.at ||
      a.width !== b.width ||
      path(b) !== expected ||
      a.loop?.count !== b.loop?.count ||
      a.loop?.stride !== b.loop?.stride;
    if (differ)
      return {
        save: {
          what: a ? describeRunOp(saveOps[i] ?? a, "save") : "writes nothing more",
          loc: saveOps[i]?.loc ?? save.loc,
        },
        load: {
          what: `has a run layout that says ${b ? describeRunOp({ ...b, path: path(b) }, "layout") : "nothing more"} where it reads ${a ? describeRunOp(a, "layout") : "nothing more"}`,
          loc: load.loc,
        },
      };
    if (a.loop && b.loop) {
      const inner = compareLayout(
        a.loop.ops,
        b.loop.ops,
        saveOps[i]!.loop!.ops,
        save,
        load,
        b.path,
      );
      if (inner) return inner;
    }
  }
  return undefined;
}

/** A loader's run ops with the padding of its layout put in at its offsets, in loops too. */
function withPadding(ops: readonly RunOp[], layout: readonly RunOp[]): RunOp[] {
  const padding = layout.filter((f) => f.op === "unused");
  const out: RunOp[] = [];
  for (const op of ops) {
    while (padding.length > 0 && padding[0]!.at <= op.at) out.push(padding.shift()!);
    const loopLayout = op.loop && layout.find((f) => f.op === "loop" && f.at === op.at)?.loop;
    out.push(
      op.loop && loopLayout
        ? { ...op, loop: { ...op.loop, ops: withPadding(op.loop.ops, loopLayout.ops) } }
        : op,
    );
  }
  out.push(...padding);
  return out;
}

/** A run's op as save writes it, load reads it, or a layout names it (no verb, after a space). */
function describeRunOp(op: RunOp, side: "save" | "load" | "layout"): string {
  const verb = side === "save" ? "writes " : side === "load" ? "reads " : "";
  if (op.op === "unused")
    return `${side === "save" ? "zeroes" : "skips"} ${op.width} unused bytes at offset ${op.at} of its run`;
  if (op.loop)
    return `${verb}${op.loop.count} elements of ${op.loop.stride} bytes${op.path ? ` '${op.path}'` : ""} at offset ${op.at} of its run`;
  return `${verb}${op.op} '${op.path}' at offset ${op.at} of its run`;
}

/** Save writes arms in its order; the loader accepts them in any order, so they match by name. */
function compareSubsections(
  saveArms: readonly SubsectionTrace[],
  loadArms: readonly SubsectionTrace[],
  a: TraceNode,
  b: TraceNode,
): Mismatch | undefined {
  for (const arm of saveArms) {
    const other = loadArms.find((l) => l.name === arm.name);
    if (!other) {
      return {
        save: { what: `writes subsection "${arm.name}"`, loc: arm.loc },
        load: {
          what: `does not know subsection "${arm.name}" (QEMU fails such a load)`,
          loc: b.loc,
        },
      };
    }
    const v = arm.version.max;
    if (v < other.version.min || v > other.version.max) {
      return {
        save: { what: `writes subsection "${arm.name}" at version ${v}`, loc: arm.loc },
        load: {
          what: `accepts versions ${other.version.min} to ${other.version.max}`,
          loc: other.loc,
        },
      };
    }
    const inner = compareTraces(arm.body, other.body, arm.loc, other.loc);
    if (inner) return inner;
  }
  for (const arm of loadArms) {
    if (!saveArms.some((s) => s.name === arm.name)) {
      return {
        save: { what: `never writes subsection "${arm.name}"`, loc: a.loc },
        load: { what: `reads subsection "${arm.name}"`, loc: arm.loc },
      };
    }
  }
  return undefined;
}

function mismatch(
  a: TraceNode | undefined,
  b: TraceNode | undefined,
  saveEnd?: Location,
  loadEnd?: Location,
): Mismatch {
  return { save: side(a, "save", saveEnd), load: side(b, "load", loadEnd) };
}

/**
 * One side of a mismatch. Where one side has an `if` and the other not, the `if` is named by the
 * first operation under it, at that operation's place: "writes u64 'x' if (…)".
 */
function side(
  n: TraceNode | undefined,
  who: "save" | "load",
  end: Location | undefined,
): Mismatch["save"] {
  if (!n) return { what: "ends", loc: end };
  if (n.kind === "if") {
    const first = n.then[0] ?? n.else[0];
    if (first && first.kind !== "if")
      return { what: `${describe(first, who)} if ${symText(n.condition)}`, loc: first.loc };
  }
  return { what: describe(n, who), loc: n.loc };
}

export function describe(n: TraceNode, side: "save" | "load"): string {
  switch (n.kind) {
    case "op": {
      const verb = side === "save" ? "writes" : "reads";
      const length = n.length ? symText(n.length) : "undefined";
      if (n.op === "skip") return `${side === "save" ? "writes" : "skips"} ${length} unused bytes`;
      const what =
        n.op === "bytes" ? `${length} bytes` : n.op === "text" ? `text of ${length} bytes` : n.op;
      const equals = n.equals
        ? ` (must equal ${n.equals.firstCopy ? "same " : ""}${symText(n.equals.value)})`
        : "";
      return `${verb} ${what}${n.path ? ` '${n.path}'` : ""}${equals}`;
    }
    case "subsectionHeader":
      return `writes subsectionHeader '${n.name}'`;
    case "subsectionVersion":
      return `reads subsectionVersion${n.path ? ` '${n.path}'` : ""}`;
    case "check":
      return `checks ${symText(n.condition)}`;
    case "if":
      return `tests ${symText(n.condition)}`;
    case "loop":
      return `loops ${symText(n.count)} times`;
    case "call":
      return `${side === "save" ? "writes" : "reads"} struct ${n.callee}(${n.args.map(symText).join(", ")})`;
    case "subsections":
      return `${side === "save" ? "writes" : "reads"} the subsections ${n.arms.map((a) => `"${a.name}"`).join(", ")}`;
    case "run":
      return `${side === "save" ? "writes" : "reads"} a run of ${n.size} bytes`;
  }
}
