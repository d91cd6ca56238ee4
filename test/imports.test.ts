// Imports across schema files: checked once per run, generated once, followed by the stream tools,
// compat, the gen cache and the language server. The shared declaration here is QEMU 7.2's 8259
// state (hw/intc/i8259_common.c vmstate_pic_common), decoded from the fixture streams' real bytes.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { importOrder } from "../generator/import-order.js";
import { checkText } from "../generator/index.js";
import { Analysis } from "../lsp/analysis.js";
import { definition } from "../lsp/features.js";
import { vmstate } from "./support/cli.js";
import { fixturesDir } from "./support/fixtures.js";

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "vmstate-imports-"));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const PIC_FIELDS = [
  "last_irr",
  "irr",
  "imr",
  "isr",
  "priority_add",
  "irq_base",
  "read_reg_select",
  "poll",
  "special_mask",
  "init_state",
  "auto_eoi",
  "rotate_on_auto_eoi",
  "special_fully_nested_mode",
  "init4",
  "single_mode",
  "elcr",
];

const PIC = `// The 8259's registers (hw/intc/i8259_common.c, vmstate_pic_common).
const PIC_BYTES = 16;

struct PicState {
${PIC_FIELDS.map((f) => `  ${f}: u8;`).join("\n")}
}
`;

const I8259 = `import { PicState, PIC_BYTES } from "./shared/pic.vmstate";

section i8259 "i8259" version 1 {
  pic: PicState;
  validate PIC_BYTES == 16, "the 8259 state is 16 bytes";
}
`;

describe("imports", () => {
  it("decode and encode use a schema that imports another, on a real stream, byte for byte", () => {
    const dir = folder({ "schemas/shared/pic.vmstate": PIC, "schemas/i8259.vmstate": I8259 });
    const stream = join(fixturesDir, "streams", "pxe-loop-pc.stream");
    const env = { VMSTATE_CACHE_DIR: join(dir, "cache") };
    const decoded = vmstate(
      ["decode", stream, "--schemas", join(dir, "schemas"), "-o", join(dir, "s.json"), "--quiet"],
      undefined,
      env,
    );
    expect(decoded.stderr).toBe("");
    expect(decoded.status).toBe(0);
    // The same bytes as the example's flat schema gives (examples/own-schemas/i8259.vmstate).
    const flat = vmstate(
      [
        "decode",
        stream,
        "--schemas",
        "examples/own-schemas",
        "-o",
        join(dir, "flat.json"),
        "--quiet",
      ],
      undefined,
      env,
    );
    expect(flat.status).toBe(0);
    const states = (file: string): Record<string, unknown>[] =>
      (
        JSON.parse(readFileSync(join(dir, file), "utf8")) as {
          items: { idstr?: string; body?: { state?: Record<string, unknown> } }[];
        }
      ).items
        .filter((s) => s.idstr === "i8259")
        .map((s) => s.body!.state!);
    const nested = states("s.json");
    expect(nested).toHaveLength(2);
    expect(nested.map((s) => s["pic"])).toEqual(states("flat.json"));
    // The master's interrupt mask as QEMU wrote it: 0xb8 (analyze-migration.py shows the same).
    expect((nested[0]!["pic"] as Record<string, number>)["imr"]).toBe(0xb8);

    const encoded = vmstate(
      ["encode", join(dir, "s.json"), "--schemas", join(dir, "schemas"), "-o", join(dir, "b")],
      undefined,
      env,
    );
    expect(encoded.status).toBe(0);
    expect(readFileSync(join(dir, "b")).equals(readFileSync(stream))).toBe(true);
  });

  it("gen writes the imported file's module once, beside its importers, and they import it", () => {
    const mouse = I8259.replace('section i8259 "i8259"', 'section other "other"');
    const dir = folder({
      "schemas/shared/pic.vmstate": PIC,
      "schemas/i8259.vmstate": I8259,
      "schemas/other.vmstate": mouse,
    });
    const r = vmstate(["gen", "schemas", "--out", "out"], dir);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual([
      "wrote out/i8259.ts",
      "wrote out/other.ts",
      "wrote out/shared/pic.ts",
    ]);
    const shared = readFileSync(join(dir, "out/shared/pic.ts"), "utf8");
    expect(shared).toMatch(/export function savePicState\(/);
    expect(shared).toMatch(/export const PIC_BYTES/);
    for (const name of ["i8259", "other"]) {
      const code = readFileSync(join(dir, `out/${name}.ts`), "utf8");
      expect(code).toContain(
        'import { type PicState, savePicState, loadPicState, PIC_BYTES } from "./shared/pic.js";',
      );
      expect(code).not.toMatch(/function savePicState|const PIC_BYTES/);
    }
    expect(vmstate(["gen", "schemas", "--out", "out", "--check"], dir).status).toBe(0);
  });

  it("gen --check names an importer stale when the file it imports changes, through the cache", () => {
    const dir = folder({ "schemas/shared/pic.vmstate": PIC, "schemas/i8259.vmstate": I8259 });
    // With node_modules in the working folder, gen keeps its cache there (bin/commands/gen-cache.ts).
    mkdirSync(join(dir, "node_modules"));
    expect(vmstate(["gen", "schemas", "--out", "out"], dir).status).toBe(0);
    const cache = JSON.parse(
      readFileSync(join(dir, "node_modules/.cache/vmstate/gen.json"), "utf8"),
    ) as { entries: object };
    expect(Object.keys(cache.entries)).toHaveLength(2);
    expect(vmstate(["gen", "schemas", "--out", "out", "--check"], dir).status).toBe(0);
    writeFileSync(
      join(dir, "schemas/shared/pic.vmstate"),
      PIC.replace("  elcr: u8;", "  elcr: u8;\n  extra: u8;"),
    );
    const r = vmstate(["gen", "schemas", "--out", "out", "--check"], dir);
    expect(r.status).toBe(1);
    expect(r.stdout.split("\n").filter(Boolean).sort()).toEqual([
      "out/i8259.ts is stale: run `npm run gen`",
      "out/shared/pic.ts is stale: run `npm run gen`",
    ]);
    expect(vmstate(["gen", "schemas", "--out", "out"], dir).stdout).toContain("wrote out/i8259.ts");
    expect(vmstate(["gen", "schemas", "--out", "out", "--check"], dir).status).toBe(0);
  });

  it("check reports an error of a file several schemas import once, where it is", () => {
    const dir = folder({
      "schemas/shared/pic.vmstate": PIC.replace("elcr: u8;", "elcr: u7;"),
      "schemas/i8259.vmstate": I8259,
      "schemas/other.vmstate": I8259.replace('section i8259 "i8259"', 'section other "other"'),
    });
    const r = vmstate(["check", "schemas"], dir);
    expect(r.status).toBe(1);
    const located = r.stdout.match(/^\S+:\d+:\d+ - error VMS\d+/gm);
    expect(located).toEqual([
      "schemas/i8259.vmstate:1:37 - error VMS2024",
      "schemas/shared/pic.vmstate:20:9 - error VMS2003",
      "schemas/other.vmstate:1:37 - error VMS2024",
    ]);
  });

  it("a cycle through two files is reported in each, at its import", () => {
    const dir = folder({
      "a.vmstate": 'import { B } from "./b.vmstate";\n\nstruct A {\n  x: u8;\n}\n',
      "b.vmstate": 'import { A } from "./a.vmstate";\n\nstruct B {\n  a: A;\n}\n',
    });
    const r = vmstate(["check", "a.vmstate"], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "b.vmstate:1:19 - error VMS2021: import cycle: a.vmstate → b.vmstate → a.vmstate",
    );
    expect(r.stdout).toContain("a.vmstate:1:19 - error VMS2024");
  });

  it("compat follows imports: a field added to an imported struct breaks migration", () => {
    const dir = folder({
      "old/shared/pic.vmstate": PIC,
      "old/i8259.vmstate": I8259,
      "new/shared/pic.vmstate": PIC.replace("  elcr: u8;", "  elcr: u8;\n  extra: u8;"),
      "new/i8259.vmstate": I8259,
    });
    const r = vmstate(["compat", "old/i8259.vmstate", "new/i8259.vmstate"], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^new\/shared\/pic\.vmstate:21:3 - error VMS9011: 'pic\.extra' was added/m,
    );
  });

  it("the language server goes to an imported name's declaration in its own file", () => {
    const dir = folder({ "shared/pic.vmstate": PIC });
    const file = join(dir, "i8259.vmstate");
    const a = new Analysis(I8259, file);
    expect(a.diagnostics).toEqual([]);
    const uriOf = (f: string): string => pathToFileURL(f).href;
    // On `PicState` in the field's type, line 4 (0-based 3).
    const at = definition(a, uriOf(file), { line: 3, character: 8 }, uriOf);
    expect(at?.uri).toBe(uriOf(join(dir, "shared/pic.vmstate")));
    expect(at?.range.start).toEqual({ line: 3, character: 7 });
    // An import of a file with errors is an error at the import, not a crash of the analysis.
    writeFileSync(join(dir, "shared/pic.vmstate"), PIC.replace("elcr: u8;", "elcr: u7;"));
    const broken = new Analysis(I8259, file);
    expect(broken.diagnostics.map((d) => `${d.code} at ${d.span.line}`)).toEqual(["VMS2024 at 1"]);
  });

  it("the checker sees through an import: paths into an imported struct are typed", () => {
    const dir = folder({ "shared/pic.vmstate": PIC });
    const text = I8259.replace(
      "  validate",
      '  validate pic.imr <= 0xff, "a byte";\n  validate pic.nothing == 0, "no";\n  validate',
    );
    const checked = checkText(text, join(dir, "i8259.vmstate"));
    expect(checked.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "VMS2004 'pic' has no member 'nothing'",
    ]);
  });
});

describe("the order of a schema's imports", () => {
  const graph = (edges: Record<string, string[]>) => (f: string) => edges[f];

  it("takes each file once, after what it imports, and the root last; unknown files left out", () => {
    const order = importOrder(
      "a",
      graph({ a: ["b", "c", "gone"], b: ["d"], c: ["d", "b"], d: [] }),
    );
    expect(order).toEqual(["d", "b", "c", "a"]);
  });

  it("ends on a cycle, each file once", () => {
    expect(importOrder("a", graph({ a: ["b"], b: ["c"], c: ["a", "b"] }))).toEqual(["c", "b", "a"]);
  });

  it("walks a chain of 100 000 imports without recursion", () => {
    const n = 100_000;
    const order = importOrder("f0", (f) => {
      const i = Number(f.slice(1));
      return i + 1 < n ? [`f${i + 1}`] : [];
    });
    expect(order.length).toBe(n);
    expect(order[0]).toBe(`f${n - 1}`);
    expect(order[n - 1]).toBe("f0");
  });
});
