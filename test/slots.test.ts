// The checker's fill-once slots (generator/check/slots.ts): a model part read before its level is
// checked, or filled twice, is a bug of the binder and throws; a checked schema reads every slot.

import { describe, expect, it } from "vitest";
import { Later, LaterCount } from "../generator/check/slots.js";
import { checkText } from "../generator/index.js";
import { allMembers } from "../generator/ir/walk.js";

describe("fill-once slots", () => {
  it("throws on a read before the fill and on a second fill", () => {
    const slot = new Later<number>("a test value");
    expect(() => slot.value).toThrow("a test value was read before it was checked");
    slot.fill(3);
    expect(slot.value).toBe(3);
    expect(() => slot.fill(4)).toThrow("a test value is filled once");
    expect(slot.value).toBe(3);
  });

  it("keeps undefined as a filled value", () => {
    const slot = new Later<string | undefined>("an optional value");
    slot.fill(undefined);
    expect(slot.value).toBeUndefined();
  });

  it("gives a count's parts once filled", () => {
    const count = new LaterCount();
    expect(() => count.constant).toThrow("a count was read before it was checked");
  });

  it("are all filled when a schema with merges, subsections and struct arguments is checked", () => {
    const checked = checkText(
      `struct Q(n: u8) "Q" version 1 { a: u16[n max 8]; }
       section s "s" version 2 minimum 1 {
         n: u8;
         q: Q(n);
         flag: bool;
         x: u32 if flag;
         subsection sub "s/sub" version 2 minimum 1 needed (x ?? 0) != 0 { y: u8 since 2; q.b: u8; }
       }`,
      "slots.vmstate",
    );
    expect(checked.diagnostics.map((d) => d.message)).toEqual([]);
    const section = checked.model!.sections[0]!;
    const seen: string[] = [];
    for (const m of allMembers(section.members)) {
      if (m.kind === "field") {
        seen.push(`${m.path.join(".")}: guard ${m.guard !== undefined}, merge ${m.merge?.key}`);
        if (m.path.join(".") === "y") expect(m.since?.kind).toBe("literal");
      }
      if (m.kind === "subsection") seen.push(`${m.qemuName}: needed ${m.needed !== undefined}`);
    }
    expect(seen).toEqual([
      "n: guard false, merge undefined",
      "q: guard false, merge undefined",
      "flag: guard false, merge undefined",
      "x: guard true, merge undefined",
      "s/sub: needed true",
      "y: guard false, merge undefined",
      "q.b: guard false, merge b",
    ]);
    const q = section.members[1]!;
    expect(q.kind === "field" && q.type.kind === "struct" && q.type.args.length).toBe(1);
    expect(q.kind === "field" && q.extensions.map((e) => e.key)).toEqual(["b"]);
  });
});
