// The Reader's and Writer's vocabulary as data: the scalar methods with the type each carries, and
// the calls that move nothing. The checker takes its scalar types from here, the emitters write
// these names and the verifier recognises them, so a method is named once, and the types below
// fail to compile when a name here is not a method of both classes.

import type { Reader } from "./reader.js";
import type { Writer } from "./writer.js";

/** Methods that read or write one scalar, with the scalar: `r.u32(path)`, `w.i16le(v, path)`. */
export const scalarMethods = {
  bool: { kind: "bool" },
  u8: { kind: "int", signed: false, bits: 8, endian: "be" },
  i8: { kind: "int", signed: true, bits: 8, endian: "be" },
  u16: { kind: "int", signed: false, bits: 16, endian: "be" },
  i16: { kind: "int", signed: true, bits: 16, endian: "be" },
  u32: { kind: "int", signed: false, bits: 32, endian: "be" },
  i32: { kind: "int", signed: true, bits: 32, endian: "be" },
  u64: { kind: "int", signed: false, bits: 64, endian: "be" },
  i64: { kind: "int", signed: true, bits: 64, endian: "be" },
  u16le: { kind: "int", signed: false, bits: 16, endian: "le" },
  i16le: { kind: "int", signed: true, bits: 16, endian: "le" },
  u32le: { kind: "int", signed: false, bits: 32, endian: "le" },
  i32le: { kind: "int", signed: true, bits: 32, endian: "le" },
  u64le: { kind: "int", signed: false, bits: 64, endian: "le" },
  i64le: { kind: "int", signed: true, bits: 64, endian: "le" },
} as const;

export type ScalarMethod = keyof typeof scalarMethods;
/** The same scalar at a constant offset of a run: `r.u32At(base + 4, path)`. */
export type RunMethod = `${ScalarMethod}At`;

/** Calls that neither move through the stream nor decide anything. */
export const bookkeepingMethods = [
  "absent",
  "version",
  "duplicateSubsection",
  "unknownSubsection",
  "fail",
  "finish",
] as const satisfies readonly (keyof Reader | keyof Writer)[];

/** Pure helpers: their result depends on their arguments only. */
export const pureMethods = ["at", "count", "le16At", "le32At"] as const satisfies readonly (
  keyof Reader | keyof Writer
)[];

/** Does not compile when a scalar or run method is missing from the Reader or the Writer. */
export type WireMethodsExist = {
  readonly [M in ScalarMethod | RunMethod]: readonly [Reader[M], Writer[M]];
};

export function isScalarMethod(name: string): name is ScalarMethod {
  return Object.hasOwn(scalarMethods, name);
}

type MethodOf<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T] &
  string;

/** The Reader's public methods by name: what a loader, generated or hand-written, may call. */
export type ReaderMethod = MethodOf<Reader>;
/** The Writer's public methods by name. */
export type WriterMethod = MethodOf<Writer>;
