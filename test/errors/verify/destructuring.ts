// expect: VMS8002 at 11:9
// A destructuring declaration of values read: which name holds which wire value is not followed.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { a: number; b: number }): void {
  w.u8(s.a, "a");
  w.u8(s.b, "b");
}

export function loadSection(r: Reader): { a: number; b: number } {
  const [a, b] = [r.u8("a"), r.u8("b")];
  return { a, b };
}
