// Trace comparison: walks the save and load traces side by side and reports the first place where
// they disagree, naming both.

import type { Location, SubsectionTrace, TraceNode } from "./trace.js";

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
      if (a.op !== o.op || a.length !== o.length || a.equals !== o.equals || a.path !== o.path)
        return mismatch(a, b);
      return undefined;
    }
    case "check": {
      const o = b as typeof a;
      return a.condition === o.condition ? undefined : mismatch(a, b);
    }
    case "call": {
      const o = b as typeof a;
      return a.callee === o.callee && a.args.join() === o.args.join() ? undefined : mismatch(a, b);
    }
    case "if": {
      const o = b as typeof a;
      if (a.condition !== o.condition) return mismatch(a, b);
      return (
        compareTraces(a.then, o.then, a.loc, o.loc) ?? compareTraces(a.else, o.else, a.loc, o.loc)
      );
    }
    case "loop": {
      const o = b as typeof a;
      if (a.count !== o.count) return mismatch(a, b);
      return compareTraces(a.body, o.body, a.loc, o.loc);
    }
    case "subsections": {
      const o = b as typeof a;
      return compareSubsections(a.arms, o.arms, a, o);
    }
  }
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
      return { what: `${describe(first, who)} if ${n.condition}`, loc: first.loc };
  }
  return { what: describe(n, who), loc: n.loc };
}

export function describe(n: TraceNode, side: "save" | "load"): string {
  switch (n.kind) {
    case "op": {
      const verb = side === "save" ? "writes" : "reads";
      if (n.op === "skip")
        return `${side === "save" ? "writes" : "skips"} ${n.length} unused bytes`;
      const what =
        n.op === "bytes"
          ? `${n.length} bytes`
          : n.op === "text"
            ? `text of ${n.length} bytes`
            : n.op;
      const equals = n.equals ? ` (must equal ${n.equals})` : "";
      return `${verb} ${what}${n.path ? ` '${n.path}'` : ""}${equals}`;
    }
    case "check":
      return `checks ${n.condition}`;
    case "if":
      return `tests ${n.condition}`;
    case "loop":
      return `loops ${n.count} times`;
    case "call":
      return `${side === "save" ? "writes" : "reads"} struct ${n.callee}(${n.args.join(", ")})`;
    case "subsections":
      return `${side === "save" ? "writes" : "reads"} the subsections ${n.arms.map((a) => `"${a.name}"`).join(", ")}`;
  }
}
