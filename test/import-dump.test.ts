// `vmstate import-qemu-dump`: skeletons from QEMU 7.2's dumps that `check` accepts, follow the
// dump's contents, round-trip a real stream, and one-line errors for bad input.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importDump, identifier } from "../generator/compat/import-dump.js";
import { readDump } from "../generator/compat/qemu-dump.js";
import { vmstate } from "./support/cli.js";
import { root } from "./support/compile.js";

const qemu = join(root, "test", "fixtures", "qemu");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vmstate-import-dump-"));
  // Every child process of this file keeps its compiled schemas here.
  process.env["VMSTATE_CACHE_DIR"] = join(dir, "cache");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function imported(machine: "pc" | "q35"): Map<string, string> {
  const file = join(qemu, `vmstate-dump-${machine}.json`);
  const dump = readDump(readFileSync(file, "utf8"), file);
  return new Map(importDump(dump, `vmstate-dump-${machine}.json`).map((f) => [f.name, f.text]));
}

describe("import-qemu-dump on QEMU 7.2's dumps", () => {
  for (const machine of ["pc", "q35"] as const) {
    it(`writes a file per section of the ${machine} dump, and check accepts every one`, () => {
      const out = join(dir, `skeletons-${machine}`);
      const r = vmstate([
        "import-qemu-dump",
        join(qemu, `vmstate-dump-${machine}.json`),
        "--out",
        out,
      ]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const dump = JSON.parse(
        readFileSync(join(qemu, `vmstate-dump-${machine}.json`), "utf8"),
      ) as Record<string, unknown>;
      const sections = Object.keys(dump).filter((k) => k !== "vmschkmachine").length;
      expect(r.stdout).toBe(`${sections} files written to ${out}\n`);
      expect(readdirSync(out).filter((f) => f.endsWith(".vmstate"))).toHaveLength(sections);
      const check = vmstate(["check", out]);
      expect(check.stdout).toBe("");
      expect(check.status).toBe(0);
    }, 60_000);
  }

  it("follows the dump for the i8259 (16 one-byte fields, version 1)", () => {
    const text = imported("pc").get("isa-i8259.vmstate")!;
    expect(text).toContain("from vmstate-dump-pc.json (machine pc-i440fx-7.2)");
    expect(text).toContain('section "isa-i8259"');
    const body = text.slice(text.indexOf("section i8259"));
    const fields = [
      "last_irr", "irr", "imr", "isr", "priority_add", "irq_base", "read_reg_select", "poll",
      "special_mask", "init_state", "auto_eoi", "rotate_on_auto_eoi",
      "special_fully_nested_mode", "init4", "single_mode", "elcr",
    ]; // prettier-ignore
    expect(body).toBe(
      `section i8259 "i8259" version 1 {\n${fields.map((f) => `  ${f}: u8;\n`).join("")}}\n`,
    );
  });

  it("writes structs, version gates, test-function params and subsections", () => {
    const pit = imported("pc").get("isa-pit.vmstate")!;
    expect(pit).toContain('struct PitChannel "pit channel" version 2 {');
    expect(pit).toContain('section i8254 "i8254" version 3 minimum 2 {');
    expect(pit).toContain(
      'channels_0_irq_disabled: u32 since 3; // QEMU: "channels[0].irq_disabled"',
    );
    expect(pit).toContain("channels: PitChannel;");
    const fw = imported("pc").get("fw_cfg.vmstate")!;
    expect(fw).toContain("param fw_cfg_cur_offset_exists?: bool;");
    expect(fw).toContain("cur_offset: u32 if fw_cfg_cur_offset_exists ?? true;");
    expect(fw).toContain("test function the\n// dump does not name");
    expect(fw).toContain('subsection fw_cfg_dma "fw_cfg/dma" version 0 {');
    expect(fw).toContain("//   - when each subsection is sent (its needed function)");
  });

  it("shares a struct declared twice with the same contents", () => {
    for (const text of imported("q35").values()) {
      const names = [...text.matchAll(/^struct \w+ ("[^"]*") version \d+ \{$/gm)].map((m) => m[0]);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it("makes identifiers of QEMU names", () => {
    expect(identifier("port.ifs[0]")).toBe("port_ifs_0");
    expect(identifier("0000:00:02.0/virtio-net")).toBe("_0000_00_02_0_virtio_net");
    expect(identifier("if")).toBe("if_");
    expect(identifier("u8")).toBe("u8_");
    const used = new Set<string>();
    expect([identifier("a-b", used), identifier("a.b", used)]).toEqual(["a_b", "a_b_2"]);
  });

  it("round-trips the PC's i8259 sections of a real stream byte for byte with its skeleton", () => {
    const schemas = join(dir, "i8259");
    mkdirSync(schemas);
    writeFileSync(join(schemas, "isa-i8259.vmstate"), imported("pc").get("isa-i8259.vmstate")!);
    const stream = join(qemu, "streams", "pxe-loop-pc.stream");
    const doc = join(dir, "i8259.json");
    const back = join(dir, "i8259.stream");
    const d = vmstate(["decode", stream, "--schemas", schemas, "-o", doc]);
    expect(d.stderr).toBe("");
    expect(d.status).toBe(0);
    const items = (
      JSON.parse(readFileSync(doc, "utf8")) as {
        items: { idstr?: string; body?: { schema?: string; state?: { irq_base?: number } } }[];
      }
    ).items.filter((i) => i.idstr === "i8259");
    expect(items.map((i) => [i.body?.schema, i.body?.state?.irq_base])).toEqual([
      ["i8259", 8],
      ["i8259", 0x70],
    ]);
    const e = vmstate(["encode", doc, "--schemas", schemas, "-o", back]);
    expect(e.status).toBe(0);
    expect(Buffer.compare(readFileSync(back), readFileSync(stream))).toBe(0);
  }, 60_000);
});

describe("import-qemu-dump errors", () => {
  const one = (args: string[], status: number, message: RegExp): void => {
    const r = vmstate(["import-qemu-dump", ...args]);
    expect(r.status).toBe(status);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  };

  it("refuses a missing file, text that is not JSON, JSON that is not a dump", () => {
    const out = join(dir, "err-out");
    one([join(dir, "missing.json"), "--out", out], 2, /^vmstate: cannot read '.*missing\.json'/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    one([bad, "--out", out], 2, /^vmstate: .*bad\.json:1:\d+: not JSON: /);
    writeFileSync(bad, '{"x": 1}');
    one([bad, "--out", out], 2, /^vmstate: .*bad\.json:1:\d+: not a -dump-vmstate file: /);
    writeFileSync(bad, "[]");
    one([bad, "--out", out], 2, /not a -dump-vmstate file: the top level must be an object/);
    writeFileSync(bad, "{}");
    one([bad, "--out", out], 2, /not a -dump-vmstate file: it has no sections/);
    expect(existsSync(out)).toBe(false);
  });

  it("needs --out, and one dump", () => {
    one([join(qemu, "vmstate-dump-pc.json")], 2, /needs --out DIR/);
    one([], 2, /needs exactly one dump file/);
  });

  it("keeps existing files unless --force, and writes nothing then", () => {
    const out = join(dir, "existing");
    mkdirSync(out);
    writeFileSync(join(out, "port92.vmstate"), "// mine\n");
    const dump = join(qemu, "vmstate-dump-pc.json");
    one([dump, "--out", out], 2, /port92\.vmstate' already exists: nothing written \(--force/);
    expect(readdirSync(out)).toEqual(["port92.vmstate"]);
    expect(readFileSync(join(out, "port92.vmstate"), "utf8")).toBe("// mine\n");
    const r = vmstate(["import-qemu-dump", dump, "--out", out, "--force"]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(out, "port92.vmstate"), "utf8")).toContain("section port92");
  });
});
