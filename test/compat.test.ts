// `vmstate compat OLD NEW` on schemas: what is and is not a break, in which direction, and the
// command line (output formats, --direction, exit codes, one-line usage errors).

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { compareVersions, type SchemaFile } from "../generator/compat/index.js";
import type { CompatDiagnostic } from "../generator/compat/finding.js";
import { checkSchemaText as checkSchemaOnly } from "../generator/check-text.js";
import { checkText } from "../generator/index.js";
import { planSchema } from "../generator/plan/plan.js";
import { vmstate } from "./support/cli.js";
import { generatedSchemas, root } from "./support/compile.js";

function schema(text: string, file: string): SchemaFile {
  const checked = checkText(text, file);
  expect(hasErrors(checked.diagnostics), file).toBe(false);
  return { file, text, plan: planSchema(checked.model!) };
}

/** The findings of old → new as `RULE direction` strings. */
function compat(old: string, neu: string): string[] {
  return compareVersions([schema(old, "old.vmstate")], [schema(neu, "new.vmstate")]).map(
    (d) => `${d.rule} ${d.direction}`,
  );
}

const temp = mkdtempSync(join(tmpdir(), "vmstate-compat-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe("compat: what breaks, and which way", () => {
  it.each([...generatedSchemas().map((s) => s.schema), "examples/seed-bug/qemu-2.7.vmstate"])(
    "%s against itself: nothing",
    (file) => {
      // The real path, so that the files it imports are found beside it.
      const path = join(root, file);
      const text = readFileSync(path, "utf8");
      expect(compareVersions([schema(text, path)], [schema(text, path)])).toEqual([]);
    },
  );

  it("a field renamed, and fields moved into a struct, keep the wire: nothing", () => {
    const old = `section s "s" version 1 {
  len: u16;
  mac: u8[6];
  mtu: u32;
  data: bytes[len max 64];
}`;
    const neu = `struct Link { mac: u8[6]; mtu: u32; }
section s "s" version 1 {
  length: u16;
  link: Link;
  data: bytes[length max 64];
}`;
    expect(compat(old, neu)).toEqual([]);
  });

  it("a field added the QEMU way, gated at a new version: fine forward, the version refused backward", () => {
    const old = `section s "s" version 2 minimum 1 {\n  a: u8;\n}`;
    const neu = `section s "s" version 3 minimum 1 {\n  a: u8;\n  b: u32 since 3;\n}`;
    expect(compat(old, neu)).toEqual(["SECTION_VERSION_TOO_NEW backward"]);
  });

  it("a field and a subsection behind a parameter only the new version has, off by default: nothing", () => {
    const old = `section s "s" version 1 {\n  a: u8;\n}`;
    const neu = `param rss: bool = false;
section s "s" version 1 {
  a: u8;
  hash: u32 if rss;
  subsection rss_state "s/rss" version 1 needed rss { key: bytes[40]; }
}`;
    expect(compat(old, neu)).toEqual([]);
  });

  it("...but on by default, they break", () => {
    const old = `section s "s" version 1 {\n  a: u8;\n}`;
    const neu = `param rss: bool = true;
section s "s" version 1 {
  a: u8;
  hash: u32 if rss;
  subsection rss_state "s/rss" version 1 needed rss { key: bytes[40]; }
}`;
    expect(compat(old, neu).sort()).toEqual(["FIELD_ADDED both", "SUBSECTION_ADDED backward"]);
  });

  it("a guard that reads the stream can hold for old streams: the added field breaks both ways", () => {
    const old = `section s "s" version 1 {\n  flags: u32;\n}`;
    const neu = `section s "s" version 1 {\n  flags: u32;\n  extra: u16 if (flags & 0x100) != 0;\n}`;
    const [d] = compareVersions([schema(old, "old.vmstate")], [schema(neu, "new.vmstate")]);
    expect(d).toMatchObject({
      rule: "FIELD_ADDED",
      direction: "both",
      message:
        "'extra' was added: the new version puts it on the wire when (flags & 0x100) != 0 holds, the old one does not",
    });
  });

  it("a version gate moved within the versions both read: found in the older streams, forward", () => {
    const old = `section s "s" version 4 minimum 1 {\n  a: u8;\n  b: u8 since 2;\n}`;
    const neu = `section s "s" version 4 minimum 1 {\n  a: u8;\n  b: u8 since 3;\n}`;
    const [d] = compareVersions([schema(old, "old.vmstate")], [schema(neu, "new.vmstate")]);
    expect(d).toMatchObject({ rule: "FIELD_VERSION_GATE_CHANGED", direction: "forward" });
    expect(d!.message).toContain("streams of version 2 carry it for one side only");
  });

  it("a new subsection sent only when 'needed' holds breaks backward, and says when", () => {
    const old = `section s "s" version 1 {\n  enabled: bool;\n}`;
    const neu = `section s "s" version 1 {\n  enabled: bool;\n  subsection rss "s/rss" version 1 needed enabled { key: bytes[40]; }\n}`;
    const [d] = compareVersions([schema(old, "old.vmstate")], [schema(neu, "new.vmstate")]);
    expect(d).toMatchObject({ rule: "SUBSECTION_ADDED", direction: "backward" });
    expect(d!.message).toBe(
      "subsection \"s/rss\" was added: the new version sends it when 'needed' holds (enabled), and a reader fails the load on a subsection it does not know",
    );
  });

  it("inside structs and array elements: a struct's field changed is found where the struct is used", () => {
    const old = `struct Q { num: u32; desc: u64; }\nsection s "s" version 1 {\n  n: u16;\n  vq: Q[n max 1024];\n}`;
    const neu = `struct Q { num: u16; desc: u64; }\nsection s "s" version 1 {\n  n: u16;\n  vq: Q[n max 1024];\n}`;
    const [d] = compareVersions([schema(old, "old.vmstate")], [schema(neu, "new.vmstate")]);
    expect(d).toMatchObject({
      rule: "FIELD_WIDTH_CHANGED",
      direction: "both",
      message: "'vq[].num' changed width: u32 in the old version, u16 in the new",
    });
  });

  it("was: names passed along match the old names, and a renamed field that changed is reported under both names", () => {
    const old = `section s "s" version 1 {\n  x: u32;\n  y: u32;\n}`;
    const shuffled = (was: boolean): string =>
      `section s "s" version 1 {\n  y: u32${was ? " was x" : ""};\n  z: u32${was ? " was y" : ""};\n}`;
    expect(compat(old, shuffled(false))).toEqual(["FIELD_ADDED both", "FIELD_REMOVED both"]);
    expect(compat(old, shuffled(true))).toEqual([]);
    const oldStruct = `struct Q { num: u16; desc: u64; }\nsection s "s" version 1 {\n  len: u16;\n  q: Q;\n}`;
    const renamed = (len: string): string =>
      `struct Q { size: u16 was num; desc: u64; }\nsection s "s" version 1 {\n  length: ${len} was len;\n  queue: Q was q;\n}`;
    expect(compat(oldStruct, renamed("u16"))).toEqual([]);
    const [d] = compareVersions(
      [schema(oldStruct, "old.vmstate")],
      [schema(renamed("u32"), "new.vmstate")],
    );
    expect(d).toMatchObject({
      rule: "FIELD_WIDTH_CHANGED",
      direction: "both",
      message: "'length' changed width: u16 in the old version, u32 in the new",
    });
  });

  it("quotes a guard that starts with a parenthesis whole", () => {
    const guarded = (bit: number): string =>
      `section s "s" version 1 {\n  a: u8;\n  b: u8 if (a & ${bit}) != 0;\n}`;
    const [d] = compareVersions(
      [schema(guarded(1), "old.vmstate")],
      [schema(guarded(2), "new.vmstate")],
    );
    expect(d).toMatchObject({
      rule: "FIELD_GUARD_CHANGED",
      message:
        "the guard of 'b' changed: if (a & 1) != 0 in the old version, if (a & 2) != 0 in the new",
    });
  });

  it("bytes[n] and u8[n] are the same bytes", () => {
    expect(
      compat(
        `section s "s" version 1 {\n  mac: bytes[6];\n}`,
        `section s "s" version 1 {\n  mac: u8[6];\n}`,
      ),
    ).toEqual([]);
  });

  it("a bound the count cannot reach is no bound: u8 counts with max 1000 and max 255 agree", () => {
    expect(
      compat(
        `section s "s" version 1 {\n  n: u8;\n  d: u16[n max 1000];\n}`,
        `section s "s" version 1 {\n  n: u8;\n  d: u16[n max 255];\n}`,
      ),
    ).toEqual([]);
  });

  it("hand-written codecs are opaque: the same codec and arguments agree; another codec, module or argument is another type", () => {
    // The light check: the codec modules are not read, since only the plans are compared.
    const plan = (text: string, file: string): SchemaFile => {
      const checked = checkSchemaOnly(text, file);
      expect(hasErrors(checked.diagnostics), file).toBe(false);
      return { file, text, plan: planSchema(checked.model!) };
    };
    const version = (codec: string, module: string, arg: string): string =>
      `codec ${codec}(n: u32) from "${module}";\nsection s "s" version 1 {\n  a: u32;\n  b: u32;\n  d: ${codec}(${arg});\n}`;
    const run = (o: string, n: string): CompatDiagnostic[] =>
      compareVersions([plan(o, "old.vmstate")], [plan(n, "new.vmstate")]);
    expect(run(version("Dev", "./dev.ts", "a"), version("Dev", "./dev.ts", "a"))).toEqual([]);
    for (const changed of [
      version("Other", "./dev.ts", "a"),
      version("Dev", "./dev2.ts", "a"),
      version("Dev", "./dev.ts", "b"),
    ]) {
      const found = run(version("Dev", "./dev.ts", "a"), changed);
      expect(found.map((d) => `${d.rule} ${d.direction}`)).toEqual(["FIELD_TYPE_CHANGED both"]);
    }
    expect(run(version("Dev", "./dev.ts", "a"), version("Dev", "./dev.ts", "b"))[0]!.message).toBe(
      `'d' changed type: codec Dev(a) from "./dev.ts" in the old version, codec Dev(b) from "./dev.ts" in the new`,
    );
  });

  it("validate each: the same check on every element agrees; a new one is a new reader check", () => {
    const table = (check: string): string =>
      `section s "s" version 1 {\n  q: u16;\n  n: u16;\n  t: u16[n max 128];\n${check}}`;
    const each = `  validate each e in t: e < q, "not a queue";\n`;
    expect(compat(table(each), table(each.replace(/\be\b/g, "x")))).toEqual([]);
    expect(compat(table(""), table(each))).toEqual(["VALIDATION_ADDED forward"]);
    expect(compat(table(each), table(each.replace("e < q", "e <= q")))).toEqual([
      "VALIDATION_ADDED forward",
      "VALIDATION_REMOVED backward",
    ]);
  });

  it("QEMU 2.5/2.6's reader against the writer of 2.4 to 2.7: curr_guest_offloads moved after the subsections", () => {
    const r = vmstate([
      "compat",
      "examples/seed-bug/qemu-2.7.vmstate",
      "test/compat/seed-bug/qemu-2.6-reader.vmstate",
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe(
      "test/compat/seed-bug/qemu-2.6-reader.vmstate:68:3 - error VMS9012: 'curr_guest_offloads' moved in wire order: it came after 'has_ufo' and now comes after the subsections of \"virtio\" [FIELD_MOVED, breaks both directions]",
    );
    expect(r.stdout).toMatch(/Found 1 error\.\n$/);
  });
});

describe("vmstate compat (command line)", () => {
  const pair = (name: string): string[] => [
    `test/errors/compat/${name}.old.vmstate`,
    `test/errors/compat/${name}.new.vmstate`,
  ];

  it("prints each break with both places, the rule and the directions, and exits 1", () => {
    const r = vmstate(["compat", ...pair("field-removed")]);
    expect(r).toMatchObject({ status: 1, stderr: "" });
    expect(r.stdout)
      .toBe(`test/errors/compat/field-removed.old.vmstate:4:3 - error VMS9010: 'promisc' was removed: the old version puts it on the wire, the new one does not [FIELD_REMOVED, breaks both directions]

4   promisc: u8;
    ~~~~~~~~~~~~

  test/errors/compat/field-removed.new.vmstate:4:3 - the new version has no 'promisc' after 'status'
    4   status: u8;
        ~~~~~~~~~~~

Found 1 error.
`);
  });

  it("prints JSON with --format json: the check format plus rule and direction", () => {
    const r = vmstate(["compat", "--format", "json", ...pair("bound-lowered")]);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        file: "test/errors/compat/bound-lowered.new.vmstate",
        line: 5,
        column: 30,
        endLine: 5,
        endColumn: 33,
        severity: "error",
        code: "VMS9018",
        message:
          "the bound of 'macs' was lowered from 384 to 192: the new reader refuses counts the old writer may send",
        rule: "FIELD_BOUND_LOWERED",
        direction: "forward",
        related: [
          {
            file: "test/errors/compat/bound-lowered.old.vmstate",
            line: 4,
            column: 30,
            endLine: 4,
            endColumn: 33,
            message: "'macs' in the old version",
          },
        ],
      },
    ]);
  });

  it("--direction keeps the breaks of that direction (and of both); the exit status follows", () => {
    expect(vmstate(["compat", "--direction", "backward", ...pair("bound-lowered")])).toMatchObject({
      status: 0,
      stdout: "",
    });
    expect(vmstate(["compat", "--direction", "forward", ...pair("bound-lowered")]).status).toBe(1);
    expect(vmstate(["compat", "--direction", "forward", ...pair("field-retired")])).toMatchObject({
      status: 0,
      stdout: "",
    });
    // A warning is printed but does not fail.
    const warned = vmstate(["compat", "--direction", "backward", ...pair("field-retired")]);
    expect(warned.status).toBe(0);
    expect(warned.stdout).toContain("warning VMS9023");
    expect(warned.stdout).toContain("[FIELD_RETIRED, backward: new writer → old reader]");
  });

  it("compares folders: sections are matched by QEMU name, whatever file they are in", () => {
    const [a, b] = [join(temp, "a"), join(temp, "b")];
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(
      join(a, "all.vmstate"),
      `section net "net" version 1 { status: u8; }\nsection rtc "rtc" version 1 { cmos: bytes[128]; }\n`,
    );
    writeFileSync(join(b, "net.vmstate"), `section net "net" version 1 { status: u8; }\n`);
    writeFileSync(join(b, "rtc.vmstate"), `section rtc "rtc" version 1 { cmos: bytes[128]; }\n`);
    expect(vmstate(["compat", a, b])).toMatchObject({ status: 0, stdout: "", stderr: "" });
    writeFileSync(join(b, "rtc.vmstate"), `section rtc "rtc" version 1 { cmos: bytes[64]; }\n`);
    const r = vmstate(["compat", "--format", "json", a, b]);
    expect((JSON.parse(r.stdout) as { rule: string }[]).map((d) => d.rule)).toEqual([
      "FIELD_COUNT_CHANGED",
    ]);
  });

  it("a version that does not check is reported as check reports it, exit 1", () => {
    const r = vmstate([
      "compat",
      "test/errors/guard-reads-later-field.vmstate",
      "schemas/virtio-net.vmstate",
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("test/errors/guard-reads-later-field.vmstate:4:24 - error VMS4001");
  });

  it.each([
    [
      ["compat", "schemas/virtio-net.vmstate"],
      "vmstate: compat needs two inputs: the old version and the new one (or, for schemas, --schemas DIR or a vmstate.config.json naming the new one)",
    ],
    [
      ["compat", "--direction", "sideways", "a", "b"],
      "vmstate: --direction must be 'forward', 'backward' or 'both', not 'sideways'",
    ],
    [
      ["compat", "--bogus", "a", "b"],
      "vmstate: compat: unknown option '--bogus' (see 'vmstate help compat')",
    ],
    [
      ["compat", "no/such.vmstate", "schemas/virtio-net.vmstate"],
      "vmstate: cannot read 'no/such.vmstate': no such file or folder",
    ],
    [["compat", "docs", "schemas"], "vmstate: no .vmstate files in 'docs'"],
    [
      ["compat", "--qemu-dump", "no/such.json", "x.json"],
      "vmstate: cannot read 'no/such.json': no such file or folder",
    ],
    [
      ["export-qemu-dump", "no/such.vmstate"],
      "vmstate: cannot read 'no/such.vmstate': no such file or folder",
    ],
  ])("%j: one line, exit 2", (args, message) => {
    const r = vmstate(args);
    expect(r).toMatchObject({ status: 2, stdout: "" });
    expect(r.stderr).toBe(`${message}\n`);
  });
});
