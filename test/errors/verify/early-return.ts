// expect: VMS8002 at 15:19
// A return in the middle of the loader: the rest of the trace runs on some paths only.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { kind: number; value: number }): void {
  const kind = s.kind;
  w.u8(kind, "kind");
  const value = s.value;
  w.u32(value, "value");
}

export function loadSection(r: Reader): { kind: number; value: number } {
  const kind = r.u8("kind");
  // A reader that stops early for kind 0 and so disagrees with the writer.
  if (kind === 0) return { kind, value: 0 };
  const value = r.u32("value");
  return { kind, value };
}
