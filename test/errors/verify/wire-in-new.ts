// expect: VMS8002 at 10:15
// A Reader call inside `new`: what the constructor does with it is not followed.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { a: Uint8Array }): void {
  w.bytes(s.a, 4, "a");
}

export function loadSection(r: Reader): { a: Uint8Array } {
  return { a: new Uint8Array(r.bytes(4, "a")) };
}
