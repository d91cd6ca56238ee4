// expect: VMS8002 at 13:34
// expect: VMS8002 at 13:47
// Two Reader calls in one expression whose order the verifier does not decide.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { a: number; b: number }): void {
  w.u8(s.a, "a");
  w.u8(s.b, "b");
}

export function loadSection(r: Reader): { a: number; b: number } {
  const a = r.u8("a");
  const b = [1, 2].includes(a) ? r.u8("b") : (r.u8("b") ?? 0);
  return { a, b };
}
