// A hand-written codec for test/errors/codec-disagrees.vmstate: its load reads the two fields in
// the other order.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { a: number; b: number }, _p: unknown): void {
  w.u32(s.a, "a");
  w.u16(s.b, "b");
}

export function loadSection(r: Reader, _p: unknown): { a: number; b: number } {
  const b = r.u16("b");
  const a = r.u32("a");
  return { a, b };
}
