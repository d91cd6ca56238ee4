// Scalar type names, their value ranges, and integer range arithmetic shared by the check passes.

import { scalarMethods, type ScalarMethod } from "../../runtime/wire.js";
import type { ExprType, FieldType, IntType, ScalarType } from "../model.js";

// The scalar types are the runtime's scalar methods (runtime/wire.ts): a type is read and written
// by the method of its name.
const scalarNames = new Map<string, ScalarType>(Object.entries(scalarMethods));
const methodOf = new Map<string, ScalarMethod>(
  Object.entries(scalarMethods).map(([name, type]) => [scalarKey(type), name as ScalarMethod]),
);

function scalarKey(type: ScalarType): string {
  return type.kind === "bool" ? "bool" : `${type.signed}/${type.bits}/${type.endian}`;
}

/** `u32`, `i16le`, `bool` … or undefined. */
export function scalarByName(name: string): ScalarType | undefined {
  return scalarNames.get(name);
}

/** The name of a scalar type, which is also the Reader's and Writer's method for it. */
export function scalarName(type: ScalarType): ScalarMethod {
  return methodOf.get(scalarKey(type))!;
}

/** Bytes a scalar takes on the wire. */
export function scalarSize(type: ScalarType): number {
  return type.kind === "bool" ? 1 : type.bits / 8;
}

export function intRange(type: IntType): { min: bigint; max: bigint } {
  const bits = BigInt(type.bits);
  return type.signed
    ? { min: -(1n << (bits - 1n)), max: (1n << (bits - 1n)) - 1n }
    : { min: 0n, max: (1n << bits) - 1n };
}

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

export const SAFE_MAX = (1n << 53n) - 1n;
export const SAFE_MIN = -SAFE_MAX;

/** Smallest `2^n - 1` that is at least `v` (for v ≥ 0): the range of `|` and `^` of non-negative values. */
export function allOnesAbove(v: bigint): bigint {
  let m = 0n;
  while (m < v) m = (m << 1n) | 1n;
  return m;
}

export function fits(value: bigint, type: IntType): boolean {
  const r = intRange(type);
  return value >= r.min && value <= r.max;
}

/** Every scalar type name, in the order of the table above (for editors' completion). */
export function scalarTypeNames(): string[] {
  return [...scalarNames.keys()];
}
