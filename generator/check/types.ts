// Scalar type names, their value ranges, and integer range arithmetic shared by the check passes.

import type { ExprType, FieldType, IntType, ScalarType } from "../model.js";

const scalarNames = new Map<string, ScalarType>([["bool", { kind: "bool" }]]);
for (const bits of [8, 16, 32, 64] as const) {
  for (const signed of [false, true]) {
    const base = `${signed ? "i" : "u"}${bits}`;
    scalarNames.set(base, { kind: "int", signed, bits, endian: "be" });
    if (bits > 8) scalarNames.set(`${base}le`, { kind: "int", signed, bits, endian: "le" });
  }
}

/** `u32`, `i16le`, `bool` … or undefined. */
export function scalarByName(name: string): ScalarType | undefined {
  return scalarNames.get(name);
}

export function scalarName(type: ScalarType): string {
  if (type.kind === "bool") return "bool";
  return `${type.signed ? "i" : "u"}${type.bits}${type.endian === "le" ? "le" : ""}`;
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
