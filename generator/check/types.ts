// The checker's view of types: the expression type of a field's value, how a type is named in
// messages, and the range of bitwise results.

import type { ExprType, FieldType } from "../model.js";
import { intRange } from "../ir/scalars.js";

/** The expression type of a value read from a field of this type. */
export function exprTypeOfField(type: FieldType): ExprType {
  switch (type.kind) {
    case "int":
      return { kind: "int", ...intRange(type) };
    case "bool":
      return { kind: "bool" };
    case "bytes":
      return { kind: "bytes" };
    case "text":
      return { kind: "text" };
    case "array":
      return { kind: "array", element: type.element };
    case "struct":
      return {
        kind: "object",
        node: {
          kind: "group",
          key: type.struct.name,
          children: type.struct.state,
          span: type.struct.nameSpan,
        },
      };
    case "custom":
      // Hand-written: its value has no members the checker knows.
      return {
        kind: "object",
        node: {
          kind: "group",
          key: type.codec.name,
          children: new Map(),
          span: type.codec.nameSpan,
        },
      };
  }
}

export function describeType(type: ExprType): string {
  switch (type.kind) {
    case "int":
      return "an integer";
    case "bool":
      return "a bool";
    case "bytes":
      return "bytes";
    case "text":
      return "text";
    case "array":
      return "an array";
    case "object":
      return "a struct";
    case "features":
      return "a feature set";
    case "error":
      return "an invalid value";
  }
}

/** Smallest `2^n - 1` that is at least `v` (for v ≥ 0): the range of `|` and `^` of non-negative values. */
export function allOnesAbove(v: bigint): bigint {
  let m = 0n;
  while (m < v) m = (m << 1n) | 1n;
  return m;
}
