// `vmstate gen` skips inputs whose output is known to be up to date, and never wrongly: a changed
// schema, a changed compiler build or an edited generated file is generated again or named stale.
// Each test runs the built CLI from a copy of the package (dist/, package.json, node_modules
// linked entry by entry), so the copy's compiler can be edited and its packages taken away.

import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  codecModulePath,
  codecSpecifiers,
  MAX_CODEC_MODULE_BYTES,
  readCodecModule,
} from "../generator/codec-modules.js";
import { root } from "./support/compile.js";
import { cliPath } from "./support/cli.js";

/** What generating needs and an up-to-date run must not load: ts-morph, prettier and the parser's Chevrotain. */
const COMPILER_PACKAGES = [
  "ts-morph",
  "@ts-morph",
  "prettier",
  "chevrotain",
  "@chevrotain",
  "lodash-es",
];
const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the package with two of its schemas (configuration, virtio-net) and their modules. */
function freshCopy(): string {
  if (!existsSync(cliPath))
    throw new Error("dist/bin/vmstate.js is missing: run `npm run build` (npm test does)");
  const dir = mkdtempSync(join(tmpdir(), "vmstate-cache-"));
  cpSync(join(root, "dist"), join(dir, "dist"), {
    recursive: true,
    filter: (src) => !src.startsWith(join(root, "dist", "bench")),
  });
  cpSync(join(root, "package.json"), join(dir, "package.json"));
  for (const [folder, ext] of [
    ["schemas", ".vmstate"],
    ["generated", ".ts"],
  ] as const) {
    mkdirSync(join(dir, folder));
    for (const name of ["configuration", "virtio-net"])
      cpSync(join(root, folder, name + ext), join(dir, folder, name + ext));
  }
  mkdirSync(join(dir, "node_modules"));
  for (const name of readdirSync(join(root, "node_modules"))) {
    if (name !== ".cache")
      symlinkSync(join(root, "node_modules", name), join(dir, "node_modules", name));
  }
  return dir;
}

/** One copy whose cache a first `gen --check` has filled; each test works on a copy of it. */
let primed: string;
beforeAll(() => {
  primed = freshCopy();
  expect(gen(primed, "--check")).toEqual(clean);
});
afterAll(() => rmSync(primed, { recursive: true, force: true }));

function packageCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "vmstate-cache-"));
  temps.push(dir);
  cpSync(primed, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

function gen(
  dir: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(dir, "dist", "bin", "vmstate.js"), "gen", ...args], {
    cwd: dir,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Takes the compiler's packages away: a run that tried to load them would fail. */
function withoutCompiler(dir: string): void {
  for (const name of COMPILER_PACKAGES) unlinkSync(join(dir, "node_modules", name));
}
function withCompiler(dir: string): void {
  for (const name of COMPILER_PACKAGES)
    symlinkSync(join(root, "node_modules", name), join(dir, "node_modules", name));
}

const cacheFile = (dir: string): string =>
  join(dir, "node_modules", ".cache", "vmstate", "gen.json");
const clean = { status: 0, stdout: "", stderr: "" };

describe("gen's cache", () => {
  it("records each clean output, then checks and regenerates an unchanged set without loading the compiler", () => {
    const dir = packageCopy();
    const entries = Object.keys(
      (JSON.parse(readFileSync(cacheFile(dir), "utf8")) as { entries: object }).entries,
    );
    expect(entries).toHaveLength(2);
    withoutCompiler(dir);
    expect(gen(dir, "--check")).toEqual(clean);
    expect(gen(dir)).toEqual(clean);
    // The same run without the cache needs them, and says so.
    const uncached = gen(dir, "--check", "--no-cache");
    expect(uncached.status).not.toBe(0);
    expect(uncached.stderr).toMatch(
      /Cannot find (package|module) '.*(chevrotain|ts-morph|prettier)/,
    );
  });

  it("names a hand-edited generated file stale without generating it, and gen puts it back", () => {
    const dir = packageCopy();
    const file = join(dir, "generated", "virtio-net.ts");
    const original = readFileSync(file, "utf8");
    writeFileSync(file, original.replace("r.u32(", "r.u32le("));
    withoutCompiler(dir);
    expect(gen(dir, "--check")).toEqual({
      status: 1,
      stdout: "generated/virtio-net.ts is stale: run `npm run gen`\n",
      stderr: "",
    });
    rmSync(file);
    expect(gen(dir, "--check")).toEqual({
      status: 1,
      stdout: "generated/virtio-net.ts is stale: run `npm run gen`\n",
      stderr: "",
    });
    withCompiler(dir);
    expect(gen(dir)).toEqual({ status: 0, stdout: "wrote generated/virtio-net.ts\n", stderr: "" });
    expect(readFileSync(file, "utf8")).toBe(original);
  });

  it("generates a changed schema again", () => {
    const dir = packageCopy();
    const schema = join(dir, "schemas", "virtio-net.vmstate");
    writeFileSync(
      schema,
      readFileSync(schema, "utf8").replace(
        "  status: u8;\n  isr: u8;",
        "  status: u8;\n  isr: u16;",
      ),
    );
    const r = gen(dir, "--check");
    expect(r).toEqual({
      status: 1,
      stdout: "generated/virtio-net.ts is stale: run `npm run gen`\n",
      stderr: "",
    });
    expect(gen(dir)).toEqual({ status: 0, stdout: "wrote generated/virtio-net.ts\n", stderr: "" });
    expect(readFileSync(join(dir, "generated", "virtio-net.ts"), "utf8")).toContain(
      'const isr = r.u16At(run$0 + 1, "isr");',
    );
  });

  it("verifies a hand-written codec again when its module changed, though the schema did not", () => {
    const dir = packageCopy();
    const folder = join(dir, "codec");
    mkdirSync(folder);
    for (const f of ["qemu-2.7-handwritten.vmstate", "virtio-net-2.7.ts", "virtio-net-2.6.ts"])
      cpSync(join(root, "examples", "seed-bug", f), join(folder, f));
    const args = ["codec/qemu-2.7-handwritten.vmstate", "--out", "codec-out"];
    expect(gen(dir, ...args)).toEqual({
      status: 0,
      stdout: "wrote codec-out/qemu-2.7-handwritten.ts\n",
      stderr: "",
    });
    withoutCompiler(dir);
    expect(gen(dir, "--check", ...args)).toEqual(clean);
    withCompiler(dir);
    // The 2.6 pair, which writes curr_guest_offloads where its reader does not read it, under the 2.7 name.
    cpSync(join(folder, "virtio-net-2.6.ts"), join(folder, "virtio-net-2.7.ts"));
    const r = gen(dir, "--check", ...args);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^codec\/virtio-net-2\.7\.ts:\d+:\d+ - error VMS8001: order mismatch: saveVirtioNetDevice writes u64 'curr_guest_offloads'/,
    );
  });

  it("reads no file a message or a QEMU name names: a device there is never opened", () => {
    const dir = packageCopy();
    // /dev/zero would be read without end, /dev/stdin would wait for input.
    writeFileSync(
      join(dir, "strings.vmstate"),
      'section s "/dev/zero" version 1 {\n  a: u8;\n  validate a < 2, "/dev/stdin";\n}\n',
    );
    const args = ["strings.vmstate", "--out", "strings-out"];
    expect(gen(dir, ...args)).toEqual({
      status: 0,
      stdout: "wrote strings-out/strings.ts\n",
      stderr: "",
    });
    withoutCompiler(dir);
    expect(gen(dir, "--check", ...args)).toEqual(clean);
  });

  it("generates everything again after a change to the compiler's build", () => {
    const dir = packageCopy();
    // The emitter as tsc compiled it and its copy in the CLI's bundle, which is what runs.
    const bin = join(dir, "dist", "bin");
    const emitters = [
      join(dir, "dist", "generator", "emit", "module.js"),
      ...readdirSync(bin)
        .filter((name) => name.endsWith(".js"))
        .map((name) => join(bin, name))
        .filter((file) =>
          readFileSync(file, "utf8").includes("a malformed input throws a LoadError"),
        ),
    ];
    expect(emitters).toHaveLength(2);
    for (const emitter of emitters) {
      const text = readFileSync(emitter, "utf8");
      expect(text).toContain("a malformed input throws a LoadError");
      writeFileSync(
        emitter,
        text.replace("a malformed input throws a LoadError", "a malformed input throws an error"),
      );
    }
    const r = gen(dir, "--check");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      "generated/configuration.ts is stale: run `npm run gen`\ngenerated/virtio-net.ts is stale: run `npm run gen`\n",
    );
  });

  it("treats a damaged cache file as empty", () => {
    const dir = packageCopy();
    writeFileSync(cacheFile(dir), "{ not json");
    expect(gen(dir, "--check")).toEqual(clean);
    writeFileSync(cacheFile(dir), JSON.stringify({ format: 1, entries: { nonsense: 5 } }));
    expect(gen(dir, "--check")).toEqual(clean);
    withoutCompiler(dir);
    expect(gen(dir, "--check")).toEqual(clean);
  });
});

describe("the codec modules a schema names", () => {
  it("are the strings after `from` in codec declarations, whatever the layout and the comments", () => {
    const text = [
      '// codec Old(a: u8) from "commented.ts";',
      'codec A(x: u32) from "./a.ts";',
      '/* codec B from "blocked.ts"; */',
      "codec C(",
      '  x: u8, // a comment ) from "trap.ts"',
      "  y: u16",
      ")",
      "  from",
      '  "./c \\"q\\".ts";',
      "const from = 1;",
      'section s "from" version 1 { a: u8; validate a < 2, "./a.ts"; }',
    ].join("\n");
    expect(codecSpecifiers(text)).toEqual(["./a.ts", './c "q".ts']);
  });

  it("are read only when regular files of at most MAX_CODEC_MODULE_BYTES", () => {
    const dir = mkdtempSync(join(tmpdir(), "vmstate-codec-modules-"));
    temps.push(dir);
    writeFileSync(join(dir, "small.ts"), "export {};\n");
    writeFileSync(join(dir, "huge.ts"), Buffer.alloc(MAX_CODEC_MODULE_BYTES + 1, 0x20));
    expect(readCodecModule(join(dir, "small.ts"))).toBe("export {};\n");
    expect(readCodecModule(join(dir, "huge.ts"))).toBeUndefined();
    expect(readCodecModule(dir)).toBeUndefined();
    expect(readCodecModule("/dev/zero")).toBeUndefined();
    expect(codecModulePath(join(dir, "s.vmstate"), "./small.ts")).toBe(join(dir, "small.ts"));
  });
});
