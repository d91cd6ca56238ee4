// expect: VMS8002 at 23:5
// expect: VMS8002 at 33:16
// expect: VMS8002 at 35:22
// expect: VMS8002 at 45:3
// expect: VMS8002 at 54:18
// Calls the verifier cannot follow: a subsection branch that does not compare the name with a
// string, a tuple() whose length is not a number literal or whose value is not kept in a local, a
// call of a Writer method that is no wire operation (a private one), and a Writer call inside a
// function value.
import type { Reader, Writer } from "../../../runtime/index.js";

export function saveSub(w: Writer, s: { extra: { x: number } | undefined }): void {
  const extra = s.extra;
  if (extra !== undefined) {
    w.subsection("owner/extra", 1);
    w.u32(extra.x, "extra.x");
  }
}

export function loadSub(r: Reader): { extra: { x: number } | undefined } {
  let extra: { x: number } | undefined;
  for (let $name = r.subsection("owner"); $name !== undefined; $name = r.subsection("owner")) {
    if ($name.endsWith("/extra")) {
      r.subsectionVersion($name, 1, 1, "extra");
      extra = { x: r.u32("extra.x") };
    } else r.unknownSubsection($name, "owner");
  }
  return { extra };
}

export function saveTuple(w: Writer, s: { pair: number[] }, n: number): void {
  const run$0 = w.run(8, "pair[0]");
  const pair = w.tuple(s.pair, n, "pair");
  w.u32At(run$0, pair[0]!, "pair[0]");
  w.u32At(run$0 + 4, w.tuple(s.pair, 2, "pair")[1]!, "pair[1]");
}

export function loadTuple(r: Reader): { pair: number[] } {
  const pair = [r.u32("pair[0]"), r.u32("pair[1]")];
  return { pair };
}

export function saveReserved(w: Writer, s: { a: number }): void {
  // @ts-expect-error: room() is the Writer's own; a module that calls it is not one the verifier knows
  w.room(4, "a");
  w.u32(s.a, "a");
}

export function loadReserved(r: Reader): { a: number } {
  return { a: r.u32("a") };
}

export function saveLater(w: Writer, s: { a: number }): void {
  const _write = (): void => w.u32(s.a, "a");
  w.u32(s.a, "a");
}

export function loadLater(r: Reader): { a: number } {
  return { a: r.u32("a") };
}
