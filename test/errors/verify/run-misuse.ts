// expect: VMS8002 at 17:17
// expect: VMS8002 at 36:17
// expect: VMS8002 at 44:3
// expect: VMS8002 at 65:13
// expect: VMS8002 at 72:3
// Runs the verifier cannot place: a size that is not a number literal, a layout that is not a
// constant of the module, an offset from something else than a run's base, a read of a run after
// another read, and padding of a length that is not a number literal.
import type { Reader, RunLayout, Writer } from "../../../runtime/index.js";

const layout: RunLayout = [
  [0, 4, "u32", "a"],
  [4, 4, "u32", "b"],
];

export function saveSized(w: Writer, s: { a: number; b: number }, size: number): void {
  const run$0 = w.run(size, "a");
  w.u32At(run$0, s.a, "a");
  w.u32At(run$0 + 4, s.b, "b");
}

export function loadSized(r: Reader): { a: number; b: number } {
  const run$0 = r.run(8, layout);
  const a = r.u32At(run$0, "a");
  const b = r.u32At(run$0 + 4, "b");
  return { a, b };
}

export function saveLaidOut(w: Writer, s: { a: number; b: number }): void {
  const run$0 = w.run(8, "a");
  w.u32At(run$0, s.a, "a");
  w.u32At(run$0 + 4, s.b, "b");
}

export function loadLaidOut(r: Reader, given: RunLayout): { a: number; b: number } {
  const run$0 = r.run(8, given);
  const a = r.u32At(run$0, "a");
  const b = r.u32At(run$0 + 4, "b");
  return { a, b };
}

export function saveOffset(w: Writer, s: { a: number; b: number }, at: number): void {
  const run$0 = w.run(8, "a");
  w.u32At(at, s.a, "a");
  w.u32At(run$0 + 4, s.b, "b");
}

export function loadOffset(r: Reader): { a: number; b: number } {
  const run$0 = r.run(8, layout);
  const a = r.u32At(run$0, "a");
  const b = r.u32At(run$0 + 4, "b");
  return { a, b };
}

export function saveLate(w: Writer, s: { a: number; b: number }): void {
  const run$0 = w.run(8, "a");
  w.u32At(run$0, s.a, "a");
  w.u32At(run$0 + 4, s.b, "b");
}

export function loadLate(r: Reader): { a: number; b: number } {
  const run$0 = r.run(8, layout);
  const a = r.u32At(run$0, "a");
  const c = r.u8("c");
  const b = r.u32At(run$0 + 4, "b");
  return { a, b: b + c };
}

export function savePadded(w: Writer, s: { a: number }, n: number): void {
  const run$0 = w.run(8, "a");
  w.u32At(run$0, s.a, "a");
  w.zeroAt(run$0 + 4, n, "pad");
}

export function loadPadded(r: Reader): { a: number } {
  const run$0 = r.run(8, paddedLayout);
  const a = r.u32At(run$0, "a");
  return { a };
}

const paddedLayout: RunLayout = [
  [0, 4, "u32", "a"],
  [4, 4, "unused", "pad"],
];
