// Unit tests of the availability analysis: what a guard, count, validation, argument or version
// gate may read at its place in wire order.

import { describe, expect, it } from "vitest";
import { checkText } from "../generator/index.js";

/** The availability diagnostics (VMS4xxx) with the text each points at; the schema has no other. */
function availability(body: string, extra = ""): string[] {
  const text = `${extra}\nsection s "dev" version 2 minimum 1 {\n${body}\n}\n`;
  const lines = text.split("\n");
  const { diagnostics } = checkText(text, "t.vmstate");
  expect(
    diagnostics.filter((d) => !d.code.startsWith("VMS4")).map((d) => `${d.code} ${d.message}`),
  ).toEqual([]);
  return diagnostics.map(
    (d) =>
      `${d.code} ${lines[d.span.line - 1]!.slice(d.span.column - 1, d.span.endLine === d.span.line ? d.span.endColumn - 1 : undefined)}`,
  );
}

describe("availability", () => {
  it("accepts a guard, count and validation over earlier fields, parameters and constants", () => {
    expect(
      availability(
        'n: u8;\nflags: u32;\na: u16[n max 8] if has(flags, 1) && q > 0;\nvalidate n < LIMIT, "too many";',
        "const LIMIT = 9;\nparam q: u8 = 1;",
      ),
    ).toEqual([]);
  });

  it("refuses a guard over a later field, naming the field", () => {
    expect(availability("a: u8 if b > 0;\nb: u8;")).toEqual(["VMS4001 b"]);
  });

  it("refuses a field's guard over the field itself", () => {
    expect(availability("a: u8 if a > 0;")).toEqual(["VMS4001 a"]);
  });

  it("refuses a count over a later field, and a validation placed before what it checks", () => {
    expect(availability('t: u16[n max 8];\nvalidate m < 3, "m";\nn: u8;\nm: u8;')).toEqual([
      "VMS4001 n",
      "VMS4001 m",
    ]);
  });

  it("follows a let to what it reads", () => {
    expect(availability("let k = n * 2;\nt: u16[k max 8];\nn: u8;")).toEqual(["VMS4001 n"]);
    expect(availability("t: u16[k max 8];\nlet k = 1;")).toEqual(["VMS4001 k"]);
  });

  it("refuses a struct argument over a later field", () => {
    expect(availability("q: Q(w);\nw: bool;", "struct Q(wide: bool) { v: u64 if wide; }")).toEqual([
      "VMS4001 w",
    ]);
  });

  it("refuses a version gate over a later field", () => {
    expect(availability("a: u8 since v;\nv: u8;")).toEqual(["VMS4001 v"]);
  });

  it("refuses any read of a field inside a subsection from outside it", () => {
    expect(
      availability('a: u8 if ext.len > 0;\nsubsection ext "dev/ext" version 1 { len: u8; }'),
    ).toEqual(["VMS4002 ext.len"]);
  });

  it("lets a subsection read its owner's fields and its own earlier fields", () => {
    expect(
      availability(
        'n: u8;\nsubsection ext "dev/ext" version 1 { len: u8; t: u16[len + n max 600]; }',
      ),
    ).toEqual([]);
  });

  it("refuses a read of a sibling subsection's field", () => {
    expect(
      availability(
        'subsection a "dev/a" version 1 { len: u8; }\nsubsection b "dev/b" version 1 { t: u8[a.len max 9]; }',
      ),
    ).toEqual(["VMS4002 a.len"]);
  });

  it("refuses a read into a struct's subsection, even after the struct", () => {
    const struct = 'struct V "v" version 1 { subsection f "v/f" version 1 { features: u64; } }';
    expect(availability("v: V;\na: u8 if has(v.f.features, 2);", struct)).toEqual([
      "VMS4002 v.f.features",
    ]);
  });

  it("lets `needed` (writer only) read any owner field, but not a subsection's", () => {
    expect(
      availability('subsection a "dev/a" version 1 needed late > 0 { x: u8; }\nlate: u8;'),
    ).toEqual([]);
    expect(
      availability(
        'subsection a "dev/a" version 1 { x: u8; }\nsubsection b "dev/b" version 1 needed a.x > 0 { y: u8; }',
      ),
    ).toEqual(["VMS4002 a.x"]);
  });

  it("requires `??` for a field that may be absent, and accepts it with one", () => {
    expect(availability("m: bool;\np: u16 if m;\nt: u32[p max 9];")).toEqual(["VMS4003 p"]);
    expect(availability("m: bool;\np: u16 if m;\nt: u32[(p ?? 1) - 1 max 9];")).toEqual([]);
    expect(availability("late: u16 since 2;\nt: u32[late max 9];")).toEqual(["VMS4003 late"]);
    expect(availability("early: u16 since 1;\nt: u32[early max 9];")).toEqual([]);
  });

  it("reports a later field as not read yet, not as absent, however it is reached (an element, validate each)", () => {
    expect(availability('m: bool;\nvalidate t[0] < 3, "x";\nt: u8[4] if m;')).toEqual([
      "VMS4001 t[0]",
    ]);
    expect(availability('m: bool;\nvalidate each x in t: x < 3, "x";\nt: u8[4] if m;')).toEqual([
      "VMS4001 t",
    ]);
  });

  it("requires an array that validate each goes over to be there, without suggesting `??`", () => {
    const text =
      'section s "dev" version 1 {\n  m: bool;\n  t: u8[4] if m;\n  validate each x in t: x < 3, "x";\n}\n';
    expect(checkText(text, "t.vmstate").diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "VMS4003 't' may be absent here (it is guarded by a condition)",
    ]);
  });

  it("requires `??` for an optional parameter", () => {
    expect(availability("t: u32[q max 9];", "param q?: u8;")).toEqual(["VMS4003 q"]);
    expect(availability("t: u32[q ?? 2 max 9];", "param q?: u8;")).toEqual([]);
  });
});
