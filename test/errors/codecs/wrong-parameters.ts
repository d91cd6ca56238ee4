// A hand-written codec for test/errors/codec-parameters.vmstate: the schema passes it one
// argument, but its save takes none after the parameters and its load takes two.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveMac(w: Writer, s: { a: number }, _p: unknown): void {
  w.u32(s.a, "a");
}

export function loadMac(r: Reader, _p: unknown, _width: number, _extra: number): { a: number } {
  return { a: r.u32("a") };
}
