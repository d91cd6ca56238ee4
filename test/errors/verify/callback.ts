// expect: VMS8002 at 8:17
// A Writer call inside a callback: whether and how often it runs is not in the syntax.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { items: number[] }): void {
  const items = s.items;
  w.u8(items.length, "count");
  items.forEach((item) => w.u8(item, "items[]"));
}

export function loadSection(r: Reader): { items: number[] } {
  const count = r.u8("count");
  const items: number[] = [];
  for (let i = 0; i < count; i++) items[i] = r.u8("items[]");
  return { items };
}
