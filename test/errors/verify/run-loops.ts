// expect: VMS8002 at 14:3
// expect: VMS8002 at 30:3
// expect: VMS8002 at 43:3
// Loops inside a run the verifier cannot lay out: one that also does another wire operation, one
// counted by a value that is not a number literal, and one whose elements are not all the same
// number of bytes apart.
import type { Reader, RunLayout, Writer } from "../../../runtime/index.js";

const layout: RunLayout = [[0, 4, 4, "items[]", [[0, 4, "u32", ""]]]];

export function saveMixed(w: Writer, s: { items: number[] }): void {
  const run$0 = w.run(16, "items[]");
  const items = w.array(s.items, 4, "items");
  for (let i = 0; i < 4; i++) {
    w.u32At(run$0 + i * 4, items[i]!, "items[]");
    w.u8(0, "marker");
  }
}

export function loadMixed(r: Reader): { items: number[] } {
  const run$0 = r.run(16, layout);
  const items: number[] = new Array<number>(4);
  for (let i = 0; i < 4; i++) items[i] = r.u32At(run$0 + i * 4, "items[]");
  return { items };
}

export function saveCounted(w: Writer, s: { items: number[] }, n: number): void {
  const run$0 = w.run(16, "items[]");
  const items = w.array(s.items, n, "items");
  for (let i = 0; i < n; i++) w.u32At(run$0 + i * 4, items[i]!, "items[]");
}

export function loadCounted(r: Reader): { items: number[] } {
  const run$0 = r.run(16, layout);
  const items: number[] = new Array<number>(4);
  for (let i = 0; i < 4; i++) items[i] = r.u32At(run$0 + i * 4, "items[]");
  return { items };
}

export function saveStrided(w: Writer, s: { pairs: { a: number; b: number }[] }): void {
  const run$0 = w.run(32, "pairs[]");
  const pairs = w.array(s.pairs, 4, "pairs");
  for (let i = 0; i < 4; i++) {
    const p = w.object(pairs[i]!, "pairs[]");
    w.u32At(run$0 + i * 8, p.a, "a");
    w.u32At(run$0 + i * 4 + 4, p.b, "b");
  }
}

export function loadStrided(r: Reader): { pairs: { a: number; b: number }[] } {
  const run$0 = r.run(32, layout);
  const pairs: { a: number; b: number }[] = new Array<{ a: number; b: number }>(4);
  for (let i = 0; i < 4; i++)
    pairs[i] = { a: r.u32At(run$0 + i * 8, "a"), b: r.u32At(run$0 + i * 8 + 4, "b") };
  return { pairs };
}
