// expect: VMS8002 at 1:1
// A module with a save function and no load function for it.
import type { Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { a: number }): void {
  w.u8(s.a, "a");
}
