// expect: VMS8002 at 17:3
// expect: VMS8002 at 9:3
// Statements the verifier does not model: a switch, and an expression statement that is neither
// a call nor an assignment.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSection(w: Writer, s: { kind: number; a: number }): void {
  w.u8(s.kind, "kind");
  switch (s.kind) {
    case 1:
      w.u8(s.a, "a");
  }
}

export function loadSection(r: Reader): { kind: number; a: number } {
  const kind = r.u8("kind");
  void r.u8("a");
  return { kind, a: 0 };
}
