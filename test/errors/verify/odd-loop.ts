// expect: VMS8002 at 13:3
// A for loop that does not count from 0 by one has no count the verifier can see.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { items: number[] }): void {
  w.u8(s.items.length, "count");
  for (let i = 0; i < s.items.length; i++) w.u8(s.items[i]!, "items[]");
}

export function loadSection(r: Reader): { items: number[] } {
  const n = r.u8("count");
  const items: number[] = [];
  for (let i = n; i > 0; i--) items.push(r.u8("items[]"));
  return { items };
}
