// Hand-written codecs in generated modules: they are imported under their own names, which the
// generated functions never take, even when a section's name would give the same ones.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Reader, Writer } from "../runtime/index.js";
import { vmstate } from "./support/cli.js";
import { root } from "./support/compile.js";

// Inside the repository, so the generated module imports runtime/ by a relative path.
const dir = mkdtempSync(join(root, "test", ".codecs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("hand-written codecs", () => {
  it("a codec named like a section: the section's functions take other names, and both work", async () => {
    // `codec VirtioNet` brings saveVirtioNet/loadVirtioNet; section virtio_net would generate the same names.
    writeFileSync(
      join(dir, "pair.ts"),
      [
        'import type { Reader, Writer } from "../../runtime/index.js";',
        "export function saveVirtioNet(w: Writer, s: { a: number }, p: unknown): void {",
        '  w.u16(s.a, "a");',
        "}",
        "export function loadVirtioNet(r: Reader, p: unknown): { a: number } {",
        '  const a = r.u16("a");',
        "  return { a };",
        "}",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "clash.vmstate"),
      'codec VirtioNet from "./pair.ts";\n\nsection virtio_net "virtio-net" version 1 {\n  n: u8;\n  inner: VirtioNet;\n}\n',
    );
    const gen = vmstate(["gen", join(dir, "clash.vmstate"), "--out", dir]);
    expect(gen).toMatchObject({ status: 0, stderr: "" });
    type Fn = (...args: unknown[]) => unknown;
    const module = (await import(join(dir, "clash.ts"))) as Record<string, Fn>;
    expect(Object.keys(module).sort()).toEqual([
      "loadVirtioNet_2",
      "saveVirtioNet_2",
      "virtioNetSection",
    ]);
    const w = new Writer();
    module["saveVirtioNet_2"]!(w, { n: 7, inner: { a: 0x1234 } });
    const bytes = w.finish();
    expect([...bytes]).toEqual([7, 0x12, 0x34]);
    expect(module["loadVirtioNet_2"]!(new Reader(bytes))).toEqual({ n: 7, inner: { a: 0x1234 } });
  });
});
