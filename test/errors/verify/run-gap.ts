// expect: VMS8001 at 9:3
// A hand-written pair with runs: both put `b` at offset 6 of a 10-byte run, so bytes 4 to 6 are
// never written (a lent buffer would send an earlier Writer's bytes there) and never read.
import type { Reader, RunLayout, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { a: number; b: number }): void {
  const run$0 = w.run(10, "a");
  w.u32At(run$0, s.a, "a");
  w.u32At(run$0 + 6, s.b, "b");
}

const loadSection$run0: RunLayout = [
  [0, 4, "u32", "a"],
  [6, 4, "u32", "b"],
];

export function loadSection(r: Reader): { a: number; b: number } {
  const run$0 = r.run(10, loadSection$run0);
  const a = r.u32At(run$0, "a");
  const b = r.u32At(run$0 + 6, "b");
  return { a, b };
}
