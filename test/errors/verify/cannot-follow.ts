// expect: VMS8002 at 9:3
// expect: VMS8002 at 14:3
// Loops other than `for (; i < n; i++)` (for-of, while) have no count the verifier can see.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { items: number[] }): void {
  const items = s.items;
  w.u8(items.length, "count");
  for (const item of items) w.u8(item, "items[]");
}

export function loadSection(r: Reader): { items: number[] } {
  const items: number[] = [];
  while (r.remaining > 0) items.push(r.u8("items[]"));
  return { items };
}
