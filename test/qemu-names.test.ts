// The names that go on the wire fit QEMU's format or are refused by the checker (VMS2013): from 1 to
// 255 characters of U+0001 to U+00FF, one byte each, for sections and subsections alike.

import { describe, expect, it } from "vitest";
import { qemuNameProblem } from "../generator/check/layouts.js";
import { checkText } from "../generator/index.js";

function codes(section: string, subsection: string): string[] {
  const text = `section dev "${section}" version 1 {\n  a: u8;\n  subsection extra "${subsection}" version 1 {\n    b: u8;\n  }\n}\n`;
  return checkText(text, "n.vmstate").diagnostics.map((d) => d.code);
}

describe("QEMU names", () => {
  it("accept 1 to 255 characters up to U+00FF and refuse the rest", () => {
    expect(qemuNameProblem("a")).toBeUndefined();
    expect(qemuNameProblem("x".repeat(255))).toBeUndefined();
    expect(qemuNameProblem("\u00ff\u0001")).toBeUndefined();
    expect(qemuNameProblem("")?.message).toMatch(/is empty/);
    expect(qemuNameProblem("x".repeat(256))?.message).toMatch(/has 256 characters/);
    expect(qemuNameProblem("a\u0100")?.message).toMatch(/U\+0100/);
    expect(qemuNameProblem("😀")?.message).toMatch(/U\+1F600/);
    expect(qemuNameProblem("a\u0000b")?.message).toMatch(/U\+0000/);
  });

  it("are checked where they stand: the section's idstr and each subsection's name", () => {
    for (const size of [1, 100, 251, 252, 400]) {
      const sub = `dev/${"y".repeat(size)}`;
      expect(codes("dev", sub), `${sub.length}`).toEqual(sub.length <= 255 ? [] : ["VMS2013"]);
    }
    expect(codes("dev", `dev/${"y".repeat(251)}`)).toEqual([]);
    expect(codes("dev", `dev/${"y".repeat(252)}`)).toEqual(["VMS2013"]);
    expect(codes("d\u0100v", "d\u0100v/e")).toEqual(["VMS2013", "VMS2013"]);
    expect(codes("dev", "dev/\u20ac")).toEqual(["VMS2013"]);
  });
});
