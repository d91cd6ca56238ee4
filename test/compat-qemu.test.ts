// `vmstate compat --qemu-dump` on QEMU 7.2's real -dump-vmstate files and on edited copies of them
// (test/compat/qemu/*.json: a JSON Patch each, with the findings it must produce, and beside it
// NAME.errors.txt, the whole output printed for them, refreshed by `npm run test:update`), and
// `vmstate export-qemu-dump`, whose output must have QEMU's shape and read back.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sortDiagnostics } from "../diagnostics/diagnostic.js";
import { formatDiagnosticsText } from "../diagnostics/format.js";
import { printDumpJson } from "../generator/compat/export-dump.js";
import { compareDumps } from "../generator/compat/qemu-check.js";
import { readDump } from "../generator/compat/qemu-dump.js";
import { vmstate } from "./support/cli.js";
import { root } from "./support/compile.js";
import { dumpShapeProblems } from "./support/dump-format.js";
import { fixturesDir } from "./support/fixtures.js";
import { applyPatch, pointerLine, type PatchOp } from "./support/json-patch.js";

const pc = join(fixturesDir, "vmstate-dump-pc.json");
const q35 = join(fixturesDir, "vmstate-dump-q35.json");
const pcText = readFileSync(pc, "utf8");

const temp = mkdtempSync(join(tmpdir(), "vmstate-compat-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

interface Case {
  readonly description: string;
  readonly patch: PatchOp[];
  readonly expect: { rule: string; direction: string; file: "old" | "new"; pointer: string }[];
}

const casesDir = join(root, "test", "compat", "qemu");
const cases = readdirSync(casesDir)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map(
    (f) =>
      [
        f.replace(/\.json$/, ""),
        JSON.parse(readFileSync(join(casesDir, f), "utf8")) as Case,
      ] as const,
  );

/** The edited copy of the real pc dump, written as QEMU writes dumps. */
function editedCopy(name: string, patch: readonly PatchOp[]): string {
  const path = join(temp, `${name}.json`);
  writeFileSync(path, `${printDumpJson(applyPatch(JSON.parse(pcText), patch))}\n`);
  return path;
}

describe("QEMU's dumps", () => {
  it("are printed back byte for byte by the dump printer (so edited copies are in QEMU's format)", () => {
    for (const file of [pc, q35]) {
      const text = readFileSync(file, "utf8");
      expect(`${printDumpJson(JSON.parse(text))}\n` === text).toBe(true);
    }
  });

  it("have the shape the export must have", () => {
    expect(dumpShapeProblems(JSON.parse(pcText))).toEqual([]);
  });

  it("are read with the right line of every section and field (checked by a plain text search)", () => {
    const dump = readDump(pcText, pc);
    const lines = pcText.split("\n");
    expect(dump.sections.length).toBe(214);
    for (const s of dump.sections)
      expect(lines[s.keySpan.line - 1]).toBe(`  ${JSON.stringify(s.key)}: {`);
    let fields = 0;
    const visit = (d: NonNullable<(typeof dump.sections)[number]["description"]>): void => {
      for (const f of d.fields ?? []) {
        fields++;
        expect(lines[f.fieldSpan.line - 1]!.trim()).toBe(`"field": ${JSON.stringify(f.field)},`);
        if (f.description) visit(f.description);
      }
      for (const sub of d.subsections ?? []) visit(sub);
    };
    for (const s of dump.sections) if (s.description) visit(s.description);
    expect(fields).toBe(pcText.match(/"field": /g)!.length);
  });
});

describe("vmstate compat --qemu-dump", () => {
  it("pc against q35 (QEMU 7.2): only the machine types differ, a warning, exit 0", () => {
    const r = vmstate(["compat", "--qemu-dump", pc, q35, "--format", "json"]);
    expect(r.status).toBe(0);
    const found = JSON.parse(r.stdout) as {
      rule: string;
      direction: string;
      severity: string;
      file: string;
      line: number;
      related: { file: string; line: number }[];
    }[];
    expect(found).toMatchObject([
      {
        rule: "DUMP_MACHINE_CHANGED",
        direction: "both",
        severity: "warning",
        file: q35,
        line: 3,
        related: [{ file: pc, line: 3 }],
      },
    ]);
  });

  it("a dump against itself: nothing", () => {
    expect(compareDumps(readDump(pcText, pc), readDump(pcText, pc))).toEqual([]);
  });

  it.each(cases)("%s", async (name, c) => {
    const edited = editedCopy(name, c.patch);
    const editedText = readFileSync(edited, "utf8");
    const found = compareDumps(readDump(pcText, pc), readDump(editedText, edited)).map((d) => ({
      rule: d.rule,
      direction: d.direction,
      file: d.span.file === pc ? "old" : "new",
      line: d.span.line,
    }));
    const expected = c.expect.map((e) => ({
      rule: e.rule,
      direction: e.direction,
      file: e.file,
      line: pointerLine(e.file === "old" ? pcText : editedText, "", e.pointer),
    }));
    const order = (a: { rule: string; line: number }, b: { rule: string; line: number }): number =>
      a.rule.localeCompare(b.rule) || a.line - b.line;
    expect(found.sort(order)).toEqual(expected.sort(order));
    // The whole output `vmstate compat --qemu-dump` prints for it, under the names of the two files.
    const oldName = "vmstate-dump-pc.json";
    const newName = `${name}.edited.json`;
    const findings = compareDumps(readDump(pcText, oldName), readDump(editedText, newName));
    const sources = new Map([
      [oldName, pcText],
      [newName, editedText],
    ]);
    await expect(formatDiagnosticsText(sortDiagnostics(findings), sources)).toMatchFileSnapshot(
      join(casesDir, `${name}.errors.txt`),
    );
  });

  it("exits 1 only for the directions asked for", () => {
    const edited = editedCopy(
      "raise-version-cli",
      cases.find(([n]) => n === "raise-version")![1].patch,
    );
    const forward = vmstate(["compat", "--qemu-dump", pc, edited, "--direction", "forward"]);
    expect(forward).toMatchObject({ status: 0, stdout: "", stderr: "" });
    const backward = vmstate(["compat", "--qemu-dump", pc, edited, "--direction", "backward"]);
    expect(backward.status).toBe(1);
    expect(backward.stdout).toContain(`${edited}:`);
    expect(backward.stdout).toContain(
      'section "mc146818rtc": the new writer sends version 4, above the old reader\'s version 3 [SECTION_VERSION_TOO_NEW, breaks backward: new writer → old reader]',
    );
    expect(backward.stdout).toMatch(/Found 3 errors\.\n$/);
  });

  it.each([
    ["not JSON", '{\n  "a": [1, 2,,]\n}\n', "x.json:2:14: not JSON: unexpected character ','"],
    [
      "not a dump",
      '{\n  "e1000": { "Name": "e1000", "version_id": "2" }\n}\n',
      'x.json:2:45: not a -dump-vmstate file: "version_id" of section "e1000" must be an integer',
    ],
  ])("%s: one line, exit 2", (_, text, message) => {
    const dir = mkdtempSync(join(temp, "bad-"));
    writeFileSync(join(dir, "x.json"), text);
    const r = vmstate(["compat", "--qemu-dump", "x.json", pc], dir);
    expect(r).toMatchObject({ status: 2, stdout: "" });
    expect(r.stderr).toBe(`vmstate: ${message}\n`);
  });
});

describe("vmstate export-qemu-dump", () => {
  const exported = vmstate(["export-qemu-dump"]);

  it("writes schemas/ in QEMU's format and shape", () => {
    expect(exported.status).toBe(0);
    const json = JSON.parse(exported.stdout) as Record<
      string,
      { Description: { Fields: { field: string }[] } }
    >;
    expect(dumpShapeProblems(json)).toEqual([]);
    expect(`${printDumpJson(json)}\n`).toBe(exported.stdout);
    // One description per shipped schema.
    const shipped = readdirSync(join(root, "schemas")).filter((f) => f.endsWith(".vmstate"));
    expect(Object.keys(json)).toHaveLength(shipped.length);
    expect(Object.keys(json)).toEqual(expect.arrayContaining(["configuration", "virtio-net"]));
    expect(json["virtio-net"]!.Description.Fields.map((f) => f.field)).toEqual([
      "pci",
      "msix_table",
      "msix_pba",
      "config_vector",
      "status",
      "isr",
      "queue_sel",
      "guest_features",
      "config_len",
      "config",
      "num_queues",
      "vq",
      "device",
      "virtio",
    ]);
  });

  it("is read back by --qemu-dump: against itself nothing, against an edited schema's export the edit", () => {
    const file = join(temp, "ours.json");
    writeFileSync(file, exported.stdout);
    expect(vmstate(["compat", "--qemu-dump", file, file])).toMatchObject({ status: 0, stdout: "" });
    const schema = readFileSync(join(root, "schemas", "virtio-net.vmstate"), "utf8");
    const dir = mkdtempSync(join(temp, "edited-"));
    writeFileSync(join(dir, "virtio-net.vmstate"), schema.replace("  isr: u8;\n", "  isr: u16;\n"));
    const edited = vmstate([
      "export-qemu-dump",
      join(dir, "virtio-net.vmstate"),
      "-o",
      join(dir, "edited.json"),
    ]);
    expect(edited).toMatchObject({ status: 0, stdout: "" });
    const r = vmstate([
      "compat",
      "--qemu-dump",
      file,
      join(dir, "edited.json"),
      "--format",
      "json",
    ]);
    expect(r.status).toBe(1);
    const found = JSON.parse(r.stdout) as { rule: string; direction: string; message: string }[];
    // The export of one schema has none of the other sections; the other finding is the edit.
    const removed = found.filter((d) => d.rule === "SECTION_REMOVED");
    expect(removed.every((d) => d.direction === "forward")).toBe(true);
    expect(removed).toHaveLength(Object.keys(JSON.parse(exported.stdout) as object).length - 1);
    expect(
      found.filter((d) => d.rule !== "SECTION_REMOVED").map((d) => [d.rule, d.direction]),
    ).toEqual([["DUMP_FIELD_SIZE_CHANGED", "both"]]);
    expect(found.find((d) => d.rule === "DUMP_FIELD_SIZE_CHANGED")!.message).toBe(
      'section "virtio-net", description "virtio-net": field "isr" has size 1 in the old dump and 2 in the new',
    );
  });

  it("records the machine type when asked", () => {
    const r = vmstate([
      "export-qemu-dump",
      "schemas/configuration.vmstate",
      "--machine",
      "pc-i440fx-7.2",
    ]);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["vmschkmachine", "configuration"]);
    expect(json["vmschkmachine"]).toEqual({ Name: "pc-i440fx-7.2" });
  });
});
