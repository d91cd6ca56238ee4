// Canonical expressions: what a guard, count or check computes, with the names of one schema
// replaced by what both versions can compare — wire items by their matched position, lets and
// struct arguments inlined, the version being read substituted, constants folded again.

import { arith } from "../ir/constants.js";
import { isBuiltin, type CallBuiltin } from "../ir/builtins.js";

export type Side = "old" | "new";

export type Canon =
  | { readonly k: "lit"; readonly v: bigint | boolean; readonly name: string | undefined }
  /** A value on the wire: item `id` of one side (or of the array element reached through `base`). */
  | {
      readonly k: "ref";
      readonly side: Side;
      readonly id: number;
      readonly base: Canon | undefined;
    }
  | { readonly k: "param"; readonly name: string }
  /** An optional parameter the other version does not have: absent, so `??` takes its right side. */
  | { readonly k: "absent" }
  /** Something this comparison does not model: equal to nothing, not even itself elsewhere. */
  | { readonly k: "opaque"; readonly text: string }
  | { readonly k: "op"; readonly op: string; readonly args: readonly Canon[] };

export const TRUE: Canon = { k: "lit", v: true, name: undefined };

export function lit(v: bigint | boolean, name?: string): Canon {
  return { k: "lit", v, name };
}

export function literalOf(c: Canon): bigint | boolean | undefined {
  return c.k === "lit" ? c.v : undefined;
}

const COMMUTATIVE = new Set(["+", "*", "&", "|", "^", "==", "!=", "&&", "||"]);

/** Builds an operation, folding it when its operands are constants. `>`/`>=` become `<`/`<=`. */
export function op(name: string, args: readonly Canon[]): Canon {
  if (name === ">" || name === ">=") return op(name === ">" ? "<" : "<=", [args[1]!, args[0]!]);
  const folded = fold(name, args);
  return folded ?? { k: "op", op: name, args };
}

export function and(a: Canon, b: Canon): Canon {
  return op("&&", [a, b]);
}

/**
 * What compat computes of each builtin when its arguments are constants; the others stay symbolic
 * (their arguments are bytes of the stream, never constants).
 */
const builtinFolds: Record<
  CallBuiltin,
  ((values: readonly (bigint | boolean | undefined)[]) => Canon) | undefined
> = {
  has: ([v, bit]) => lit((((v as bigint) >> (bit as bigint)) & 1n) === 1n),
  pci_capability: undefined,
  le16: undefined,
  le32: undefined,
};

function fold(name: string, args: readonly Canon[]): Canon | undefined {
  const values = args.map(literalOf);
  const [a, b] = values;
  switch (name) {
    case "&&":
    case "||": {
      const absorbing = name === "||";
      if (a === absorbing || b === absorbing) return lit(absorbing);
      if (a === !absorbing) return args[1];
      if (b === !absorbing) return args[0];
      return undefined;
    }
    case "!":
      if (typeof a === "boolean") return lit(!a);
      if (args[0]!.k === "op" && args[0]!.op === "!") return args[0]!.args[0];
      return undefined;
    case "?:":
      return typeof a === "boolean" ? (a ? args[1] : args[2]) : undefined;
    case "??":
      if (args[0]!.k === "absent") return args[1];
      return a !== undefined ? args[0] : undefined;
  }
  if (values.some((v) => v === undefined)) return undefined;
  if (isBuiltin(name) && name !== "stream_version") return builtinFolds[name]?.(values);
  switch (name) {
    case "neg":
      return lit(-(a as bigint));
    case "~":
      return lit(~(a as bigint));
    case "==":
      return lit(a === b);
    case "!=":
      return lit(a !== b);
    case "<":
      return lit((a as bigint) < (b as bigint));
    case "<=":
      return lit((a as bigint) <= (b as bigint));
    case "+":
    case "-":
    case "*":
    case "/":
    case "%":
    case "<<":
    case ">>":
    case "&":
    case "|":
    case "^":
      return lit(arith(name, a as bigint, b as bigint));
  }
  return undefined;
}

/** How the two sides' wire items are known to each other: matched items share a key. */
export type RefNamer = (side: Side, id: number) => string;

/**
 * A text equal for equal computations. `named` writes a constant by its name rather than its
 * value: two expressions equal by name but not by value differ only in constants.
 */
export function render(c: Canon, refs: RefNamer, named = false): string {
  // Post-order by an explicit stack: a chain of operators is a tree as deep as it is long.
  const rendered = new Map<Canon, string>();
  const inner = (x: Canon): readonly Canon[] =>
    x.k === "op" ? x.args : x.k === "ref" && x.base ? [x.base] : [];
  const pending: Canon[] = [c];
  while (pending.length > 0) {
    const x = pending[pending.length - 1]!;
    const waiting = inner(x).filter((a) => !rendered.has(a));
    if (waiting.length > 0) {
      pending.push(...waiting);
      continue;
    }
    pending.pop();
    rendered.set(
      x,
      renderOne(x, (a) => rendered.get(a)!, refs, named),
    );
  }
  return rendered.get(c)!;
}

function renderOne(
  c: Canon,
  renderedOf: (inner: Canon) => string,
  refs: RefNamer,
  named: boolean,
): string {
  switch (c.k) {
    case "lit":
      return named && c.name !== undefined ? `#${c.name}` : String(c.v);
    case "ref": {
      const ref = `@${refs(c.side, c.id)}`;
      return c.base ? `${renderedOf(c.base)}.${ref}` : ref;
    }
    case "param":
      return `$${c.name}`;
    case "absent":
      return "absent";
    case "opaque":
      return `?${c.text}`;
    case "op": {
      const args = c.args.map(renderedOf);
      if (COMMUTATIVE.has(c.op)) args.sort();
      return `(${c.op} ${args.join(" ")})`;
    }
  }
}

/** The named constants an expression still shows, with their values. */
export function namedConstants(
  c: Canon,
  into = new Map<string, bigint | boolean>(),
): Map<string, bigint | boolean> {
  const pending: Canon[] = [c];
  for (let x = pending.pop(); x !== undefined; x = pending.pop()) {
    if (x.k === "lit" && x.name !== undefined) into.set(x.name, x.v);
    if (x.k === "ref" && x.base) pending.push(x.base);
    if (x.k === "op") for (let i = x.args.length - 1; i >= 0; i--) pending.push(x.args[i]!);
  }
  return into;
}
