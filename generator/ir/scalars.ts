// Scalar types: their names (the runtime's wire methods), sizes and value ranges; shared by check, plan, emit and compat.

import { scalarMethods, type ScalarMethod } from "../../runtime/wire.js";
import type { IntType, ScalarType } from "../model.js";

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

export const SAFE_MAX = (1n << 53n) - 1n;
export const SAFE_MIN = -SAFE_MAX;

export function fits(value: bigint, type: IntType): boolean {
  const r = intRange(type);
  return value >= r.min && value <= r.max;
}

/** Every scalar type name, in the order of the table above (for editors' completion). */
export function scalarTypeNames(): string[] {
  return [...scalarNames.keys()];
}
