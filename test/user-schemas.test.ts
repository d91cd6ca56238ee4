// Schemas of the user's own, outside the package: `--schemas DIR` and vmstate.config.json for the
// stream tools, check, gen and compat; compiled once into the user's cache folder and imported from
// there; a user's schema replacing a shipped one; the parameters a document records.

import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentParams, parseParams, recordedParams } from "../stream/codecs.js";
import type { StreamDocument } from "../stream/format.js";
import { conditionsSection } from "./golden/conditions.js";
import { vmstate } from "./support/cli.js";
import { root } from "./support/compile.js";
import { fixturesDir } from "./support/fixtures.js";
import { vmstateMeasured } from "./support/measured.js";

const pc = join(fixturesDir, "streams", "pxe-loop-pc.stream");
const ownSchemas = join(root, "examples", "own-schemas");
let dir: string;
let cache: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vmstate-user-schemas-"));
  cache = join(dir, "cache");
  // Every child process of this file keeps its compiled schemas here.
  process.env["VMSTATE_CACHE_DIR"] = cache;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function project(name: string): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  return folder;
}

function readDoc(file: string): StreamDocument {
  return JSON.parse(readFileSync(file, "utf8")) as StreamDocument;
}

function sectionsOf(doc: StreamDocument, idstr: string): unknown[] {
  return doc.items.flatMap((i) =>
    (i.type === "full" || i.type === "start") && i.idstr === idstr ? [i.body] : [],
  );
}

describe("--schemas DIR", () => {
  it("decodes the sections its schemas describe into fields, says so, and encodes them back", () => {
    const out = join(project("decode"), "doc.json");
    const r = vmstate(["decode", pc, "--schemas", ownSchemas, "-o", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const doc = readDoc(out);
    // The user's i8259 takes precedence over the package's; the rest are the package's.
    expect(doc.schemas).toMatchObject({
      configuration: "vmstate-dsl/schemas/configuration.vmstate",
      i8259: join(ownSchemas, "i8259.vmstate"),
      "virtio-net": "vmstate-dsl/schemas/virtio-net.vmstate",
    });
    for (const [name, file] of Object.entries(doc.schemas ?? {}))
      if (name !== "i8259") expect(file).toMatch(/^vmstate-dsl\/schemas\/[\w.-]+\.vmstate$/);
    // The PC's two interrupt controllers: the master's base vector is 8 (BIOS), the slave's 0x70.
    const pics = sectionsOf(doc, "i8259") as { schema: string; state: { irq_base: number } }[];
    expect(pics.map((p) => [p.schema, p.state.irq_base])).toEqual([
      ["i8259", 0x08],
      ["i8259", 0x70],
    ]);
    const back = join(dir, "decode", "back.stream");
    expect(vmstate(["encode", out, "--schemas", ownSchemas, "-o", back]).status).toBe(0);
    expect(readFileSync(back).equals(readFileSync(pc))).toBe(true);
    // Without the user's schemas the package's own i8259 schema decodes them.
    const plain = join(dir, "decode", "plain.json");
    expect(vmstate(["decode", pc, "-o", plain]).status).toBe(0);
    expect(readDoc(plain).schemas?.["i8259"]).toBe("vmstate-dsl/schemas/i8259.vmstate");
  });

  it("compiles a schema once into the cache; later runs import it and load no compiler", async () => {
    const own = project("cached");
    cpSync(ownSchemas, join(own, "schemas"), { recursive: true });
    const before = new Set(readdirSync(join(cache, "codecs")));
    const out = join(own, "doc.json");
    const first = await vmstateMeasured(
      ["decode", pc, "--schemas", join(own, "schemas"), "-o", out],
      {
        modules: true,
      },
    );
    expect(first.status, first.stderr).toBe(0);
    const added = readdirSync(join(cache, "codecs")).filter((f) => !before.has(f));
    expect(added.filter((f) => f.endsWith(".mjs"))).toHaveLength(1);
    expect(first.modules.some((m) => m.includes("/dist/generator/"))).toBe(true);
    const second = await vmstateMeasured(
      ["decode", pc, "--schemas", join(own, "schemas"), "-o", out],
      { modules: true },
    );
    expect(second.status, second.stderr).toBe(0);
    expect(second.modules.some((m) => m.endsWith(".mjs") && m.includes(added[0]!))).toBe(true);
    expect(
      second.modules.filter(
        (m) =>
          /\/node_modules\/(chevrotain|ts-morph|prettier|typescript)\//.test(m) ||
          // The cache key reads codec modules as the verifier does and walks imports as the
          // checker does, and the package's folder is found from its manifest (three files of a
          // few lines, which import nothing of the compiler).
          (/\/dist\/(grammar|generator|diagnostics)\//.test(m) &&
            !m.endsWith("/dist/generator/codec-modules.js") &&
            !m.endsWith("/dist/generator/import-order.js") &&
            !m.endsWith("/dist/generator/package-root.js")),
      ),
    ).toEqual([]);
    // An edited schema is compiled again.
    const schema = join(own, "schemas", "i8259.vmstate");
    writeFileSync(schema, readFileSync(schema, "utf8") + "// edited\n");
    expect(vmstate(["decode", pc, "--schemas", join(own, "schemas"), "-o", out]).status).toBe(0);
    expect(readdirSync(join(cache, "codecs")).filter((f) => !before.has(f))).toHaveLength(2);
  });

  it("replaces a shipped schema of the same QEMU name", () => {
    const own = project("override");
    const text = readFileSync(join(root, "schemas", "configuration.vmstate"), "utf8");
    writeFileSync(join(own, "machine.vmstate"), `// Our own copy.\n${text}`);
    const out = join(own, "doc.json");
    expect(vmstate(["decode", pc, "--schemas", own, "-o", out]).status).toBe(0);
    expect(readDoc(out).schemas?.["configuration"]).toBe(join(own, "machine.vmstate"));
  });

  it("a schema with an error is one line naming it, exit status 1", () => {
    const own = project("broken");
    writeFileSync(join(own, "bad.vmstate"), 'section s "i8259" version 1 {\n  x: u77;\n}\n');
    const r = vmstate(["decode", pc, "--schemas", own, "-o", join(own, "doc.json")]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^vmstate: the schema .*bad\.vmstate:2:\d+ has an error \(VMS\d+: .*\): run `vmstate check /,
    );
  });
});

describe("vmstate.config.json", () => {
  it("names schema folders and params for every command run below it", () => {
    const own = project("configured");
    cpSync(ownSchemas, join(own, "device-schemas"), { recursive: true });
    writeFileSync(
      join(own, "vmstate.config.json"),
      JSON.stringify({ schemas: ["device-schemas"], params: { queues: 1 }, out: "codecs" }),
    );
    const below = join(own, "work", "deeper");
    mkdirSync(below, { recursive: true });
    expect(vmstate(["decode", pc, "-o", "doc.json"], below).status).toBe(0);
    const doc = readDoc(join(below, "doc.json"));
    expect(doc.schemas?.["i8259"]).toBe(join(own, "device-schemas", "i8259.vmstate"));
    expect(doc.params?.given).toEqual({ queues: 1 });
    expect(doc.params?.derived).toEqual(["pcie", "vectors"]);
    // The defaults are those the shipped catalog declares (piix4_pm's smbus_no_migration_support…).
    expect(doc.params?.defaults).toMatchObject({ smbus_no_migration_support: false });
    expect(doc.params?.defaults).not.toHaveProperty("queues");

    // check and gen with nothing named take the configuration's folders and output.
    expect(vmstate(["check"], own)).toMatchObject({ status: 0, stdout: "" });
    const gen = vmstate(["gen"], own);
    expect(gen.status, gen.stdout + gen.stderr).toBe(0);
    expect(readdirSync(join(own, "codecs"))).toEqual(["i8259.ts"]);
    // compat with one version named compares it with the configuration's.
    const old = join(own, "old");
    cpSync(join(own, "device-schemas"), old, { recursive: true });
    expect(vmstate(["compat", "old"], own)).toMatchObject({ status: 0 });
  });

  it('or the "vmstate" key of package.json; a bad one is one line, exit status 2', () => {
    const own = project("manifest");
    writeFileSync(
      join(own, "package.json"),
      JSON.stringify({ name: "x", vmstate: { schemas: [ownSchemas] } }),
    );
    expect(vmstate(["check"], own)).toMatchObject({ status: 0 });
    writeFileSync(
      join(own, "package.json"),
      JSON.stringify({ name: "x", vmstate: { schema: [ownSchemas] } }),
    );
    const r = vmstate(["check"], own);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      `vmstate: ${join(own, "package.json")}: unknown key 'vmstate.schema' (known: schemas, params, out)\n`,
    );
  });
});

describe("the parameters a document records", () => {
  it("encode uses them unless --param overrides them", () => {
    const own = project("params");
    const decoded = join(own, "doc.json");
    // pxe-loop-pc's virtio-net-pci has 4 MSI-X vectors: its table is 4 × 16 bytes.
    const r = vmstate(["decode", pc, "--param", "vectors=4", "-o", decoded]);
    expect(r.status, r.stderr).toBe(0);
    const doc = readDoc(decoded);
    expect(doc.params?.given).toEqual({ vectors: 4 });
    expect(doc.params?.derived).toEqual(["pcie", "queues"]);
    const back = join(own, "back.stream");
    expect(vmstate(["encode", decoded, "-o", back]).status).toBe(0);
    expect(readFileSync(back).equals(readFileSync(pc))).toBe(true);
    // With 5 recorded, the writer expects a table of 80 bytes and refuses the state's 64.
    const edited = join(own, "edited.json");
    writeFileSync(
      edited,
      JSON.stringify({ ...doc, params: { ...doc.params!, given: { vectors: 5 } } }),
    );
    const refused = vmstate(["encode", edited, "-o", join(own, "x.stream")]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/msix_table/);
    expect(vmstate(["encode", edited, "--param", "vectors=4", "-o", back]).status).toBe(0);
    expect(readFileSync(back).equals(readFileSync(pc))).toBe(true);
  });

  it("records given values, declared defaults and the rest as derived, 64-bit ones as text", () => {
    const known = new Map(conditionsSection.params.map((p) => [p.name, p]));
    expect(recordedParams({ host_features: 1n << 40n }, known)).toEqual({
      given: { host_features: 2 ** 40 },
      defaults: { queues: 1 },
      derived: ["tuning"],
    });
    expect(recordedParams({ host_features: (1n << 64n) - 1n }, known).given).toEqual({
      host_features: "0xffffffffffffffff",
    });
    // What is recorded reads back as the same parameters.
    const texts = documentParams(
      { given: { host_features: "0xffffffffffffffff", tuning: 7 } },
      known,
    );
    expect(parseParams(texts, known)).toEqual({ host_features: (1n << 64n) - 1n, tuning: 7 });
  });

  it("a recorded parameter no schema declares is an error naming its path", () => {
    const own = project("bad-params");
    expect(vmstate(["decode", pc, "-o", join(own, "doc.json")]).status).toBe(0);
    const doc = readDoc(join(own, "doc.json"));
    writeFileSync(
      join(own, "edited.json"),
      JSON.stringify({ ...doc, params: { given: { colour: 3 }, defaults: {}, derived: [] } }),
    );
    const r = vmstate(["encode", join(own, "edited.json"), "-o", join(own, "x.stream")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^vmstate: params\.given\.colour: no schema has this parameter \(known: /,
    );
  });
});
