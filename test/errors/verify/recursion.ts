// expect: VMS8002 at 7:3
// A helper that calls itself: the verifier follows helpers only so deep.
import type { Reader, Writer } from "../../../runtime/index.js";

function writeRest(w: Writer, items: number[], i: number): void {
  w.u8(items[i]!, "items[]");
  writeRest(w, items, i + 1);
}

export function saveSection(w: Writer, s: { items: number[] }): void {
  writeRest(w, s.items, 0);
}

export function loadSection(r: Reader): { items: number[] } {
  return { items: [r.u8("items[]")] };
}
