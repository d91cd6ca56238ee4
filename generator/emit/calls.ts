// Calls of the Reader and Writer as generated code spells them. The method is a name of the
// runtime's class, so a method renamed or removed there fails to compile here, not in the code
// generated from here.

import type { ReaderMethod, WriterMethod } from "../../runtime/wire.js";

/** `r.method(a, b)`: a call of the loader's Reader. */
export function readerCall(method: ReaderMethod, ...args: (string | number)[]): string {
  return `r.${method}(${args.join(", ")})`;
}

/** `w.method(a, b)`: a call of the saver's Writer. */
export function writerCall(method: WriterMethod, ...args: (string | number)[]): string {
  return `w.${method}(${args.join(", ")})`;
}

/** `r.method(…)` in a loader, `w.method(…)` in a saver, for a method both have. */
export function ioCall(
  io: "r" | "w",
  method: ReaderMethod & WriterMethod,
  ...args: (string | number)[]
): string {
  return io === "r" ? readerCall(method, ...args) : writerCall(method, ...args);
}
