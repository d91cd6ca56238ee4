// expect: VMS8002 at 11:3
// The writer hands the Writer to a function the verifier cannot read.
import type { Reader, Writer } from "../../../runtime/index.js";

declare function writeExtra(w: Writer, value: number): void;

export function saveSection(w: Writer, s: { a: number; extra: number }): void {
  const a = s.a;
  w.u32(a, "a");
  const extra = s.extra;
  writeExtra(w, extra);
}

export function loadSection(r: Reader): { a: number; extra: number } {
  const a = r.u32("a");
  const extra = r.u32("extra");
  return { a, extra };
}
