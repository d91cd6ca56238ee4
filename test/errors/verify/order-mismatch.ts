// expect: VMS8001 at 8:3
// A hand-edited module: load reads the two fields in the other order.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { a: number; b: number }): void {
  const a = s.a;
  const b = s.b;
  w.u32(a, "a");
  w.u16(b, "b");
}

export function loadSection(r: Reader): { a: number; b: number } {
  const b = r.u16("b");
  const a = r.u32("a");
  return { a, b };
}
