// What `-o` (and gen's output folder) does with what it names, as the shell's `> FILE` would: it
// writes through symbolic links, into FIFOs and devices without replacing them, refuses a folder and
// an output that is an input, and changes nothing when it cannot write; and the exit statuses the
// help and docs/streams.md promise (1: cannot read a stream or document, or write; 2: usage).

import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StreamDocument } from "../stream/format.js";
import { cliPath, vmstate } from "./support/cli.js";
import { fixturesDir } from "./support/fixtures.js";
import { streamParamArgs } from "./support/streams.js";

const fixture = join(fixturesDir, "streams", "pxe-loop-pc.stream");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "vmstate-outputs-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function folder(): string {
  return mkdtempSync(join(dir, "case-"));
}

/** The document of the fixture, decoded once into `at` (with `args` added to decode's). */
function documentIn(at: string, args: readonly string[] = []): string {
  const doc = join(at, "doc.json");
  const r = vmstate(["decode", fixture, ...args, "-o", doc]);
  expect(r.status, r.stderr).toBe(0);
  return doc;
}

/** Each command that writes a file with -o, as a function of the output's name. */
function writers(at: string): [string, (out: string) => string[]][] {
  const doc = documentIn(at);
  return [
    ["decode", (out) => ["decode", fixture, "-o", out]],
    ["encode", (out) => ["encode", doc, "-o", out]],
    ["export-qemu-dump", (out) => ["export-qemu-dump", "-o", out]],
  ];
}

describe("-o", () => {
  it("writes through a symbolic link to the file it names, and the link stays a link", () => {
    const at = folder();
    for (const [name, args] of writers(at)) {
      const target = join(at, `${name}.target`);
      writeFileSync(target, "old");
      const link = join(at, `${name}.link`);
      symlinkSync(target, link);
      const r = vmstate(args(link));
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readlinkSync(link)).toBe(target);
      expect(readFileSync(target, "utf8")).not.toBe("old");
      // A dangling link creates the file it names.
      const missing = join(at, `${name}.missing`);
      const dangling = join(at, `${name}.dangling`);
      symlinkSync(missing, dangling);
      expect(vmstate(args(dangling)).status).toBe(0);
      expect(statSync(missing).isFile()).toBe(true);
      expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    }
  });

  it("writes into a FIFO, which stays a FIFO, and into /dev/null, which stays a device", async () => {
    const at = folder();
    for (const [name, args] of writers(at)) {
      const fifo = join(at, `${name}.fifo`);
      execFileSync("mkfifo", [fifo]);
      const reader = new Promise<Buffer>((done) => {
        const cat = spawn("cat", [fifo]);
        const chunks: Buffer[] = [];
        cat.stdout.on("data", (c: Buffer) => chunks.push(c));
        cat.on("close", () => done(Buffer.concat(chunks)));
      });
      const child = spawn(process.execPath, [cliPath, ...args(fifo)]);
      const status = await new Promise<number | null>((done) => child.on("close", done));
      expect(status, name).toBe(0);
      const received = await reader;
      expect(received.length, name).toBeGreaterThan(100);
      expect(lstatSync(fifo).isFIFO()).toBe(true);
      expect(readdirSync(at).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      expect(vmstate(args("/dev/null")).status, name).toBe(0);
      expect(lstatSync("/dev/null").isCharacterDevice()).toBe(true);
    }
  });

  it("refuses a folder with one line and exit status 1, changing nothing", () => {
    const at = folder();
    for (const [name, args] of writers(at)) {
      const target = join(at, `${name}.folder`);
      mkdirSync(target);
      writeFileSync(join(target, "kept"), "kept");
      const r = vmstate(args(target));
      expect(r.status, name).toBe(1);
      expect(r.stderr).toBe(
        `vmstate: cannot write '${target}': it is a folder; nothing was changed\n`,
      );
      expect(readdirSync(target)).toEqual(["kept"]);
    }
  });

  it("refuses an output that is the input, also through a link, and leaves the input as it was", () => {
    const at = folder();
    const stream = join(at, "s.stream");
    copyFileSync(fixture, stream);
    const link = join(at, "s.link");
    symlinkSync(stream, link);
    for (const out of [stream, link]) {
      const r = vmstate(["decode", stream, "-o", out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(
        /^vmstate: the output '.*' is the input: write the document elsewhere\n$/,
      );
    }
    const doc = documentIn(at);
    const docLink = join(at, "doc.link");
    symlinkSync(doc, docLink);
    const before = readFileSync(doc);
    expect(vmstate(["encode", doc, "-o", docLink]).status).toBe(2);
    expect(readFileSync(doc).equals(before)).toBe(true);
    expect(readFileSync(stream).equals(readFileSync(fixture))).toBe(true);
  });

  it("a write that fails (no space left: /dev/full) is one line, exit status 1", () => {
    const at = folder();
    for (const [name, args] of writers(at)) {
      const r = vmstate(args("/dev/full"));
      expect(r.status, name).toBe(1);
      expect(r.stderr.trim().split("\n"), name).toHaveLength(1);
      expect(r.stderr, name).toMatch(/^vmstate: cannot write '\/dev\/full': .*ENOSPC/);
      expect(lstatSync("/dev/full").isCharacterDevice()).toBe(true);
    }
  });
});

describe("exit statuses", () => {
  it("a document that is not JSON is exit 1; a bad --param is a usage error, exit 2", () => {
    const at = folder();
    const notJson = join(at, "x.json");
    writeFileSync(notJson, "{ not json");
    const r = vmstate(["encode", notJson, "-o", join(at, "x.stream")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^vmstate: '.*x\.json' is not JSON: /);
    for (const param of ["vectors", "vectors=lots", "colour=red", "vectors=70000"]) {
      const bad = vmstate(["decode", fixture, "--param", param, "-o", join(at, "d.json")]);
      expect(bad.status, param).toBe(2);
      expect(bad.stderr.trim().split("\n"), param).toHaveLength(1);
    }
  });

  it("user text in a --param message is escaped and cut to one short line", () => {
    const r = vmstate(["decode", fixture, "--param", `vectors=${"\u001b[31m".repeat(50)}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toContain("\u001b");
    expect(r.stderr.length).toBeLessThan(200);
  });
});

describe("encode writes only what decode reads back", () => {
  const at = (args: readonly string[] = []): { doc: StreamDocument; folder: string } => {
    const f = folder();
    const doc = JSON.parse(readFileSync(documentIn(f, args), "utf8")) as StreamDocument;
    return { doc, folder: f };
  };
  const refused = (
    folderName: string,
    edited: unknown,
    message: RegExp,
    text = JSON.stringify(edited),
  ): void => {
    const file = join(folderName, "edited.json");
    writeFileSync(file, text);
    const out = join(folderName, "out.stream");
    const r = vmstate(["encode", file, "-o", out]);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  };
  const withItems = (doc: StreamDocument, items: unknown[]): unknown => ({ ...doc, items });
  const index = (doc: StreamDocument, type: string): number =>
    doc.items.findIndex((i) => i.type === type);

  it("refuses a document without its EOF, with items after it, or a second description", () => {
    const { doc, folder: f } = at();
    const eof = index(doc, "eof");
    refused(
      f,
      withItems(
        doc,
        doc.items.filter((i) => i.type !== "eof"),
      ),
      /items\[\d+\]: the description comes once, right after the EOF/,
    );
    refused(
      f,
      withItems(
        doc,
        doc.items.filter((i) => i.type !== "eof" && i.type !== "vmdesc"),
      ),
      /^vmstate: items: a stream ends with an item \{"type": "eof"\}/,
    );
    refused(
      f,
      withItems(doc, [...doc.items, doc.items[0]]),
      /after the EOF \(items\[\d+\]\) a stream has only its description/,
    );
    expect(eof).toBeGreaterThan(0);
  });

  it("refuses a description that is not JSON, a section decoded from a description it lacks, and a section kept as bytes the description does not size", () => {
    // Every section of the fixture has a schema: decoded without them, the sections come from
    // the stream's description, and slirp's (which it does not describe) stays bytes.
    const { doc, folder: f } = at(["--no-schemas"]);
    const v = index(doc, "vmdesc");
    const items = [...doc.items] as unknown[];
    items[v] = { ...doc.items[v], json: "{ not json" };
    refused(f, withItems(doc, items), /items\[\d+\]\.json: the description is not JSON/);
    refused(
      f,
      withItems(
        doc,
        doc.items.filter((i) => i.type !== "vmdesc"),
      ),
      /items\[\d+\]\.body: a section decoded from the stream's description is written by it, and the description has no entry for "timer" instance 0/,
    );
    const hex = doc.items.findIndex((i) => i.type === "full" && "hex" in i.body);
    const longer = [...doc.items] as unknown[];
    const item = doc.items[hex] as { body: { hex: string } };
    longer[hex] = { ...item, body: { hex: `${item.body.hex}00` } };
    refused(
      f,
      withItems(doc, longer),
      /body: \d+ bytes, where the stream's description says the section has \d+/,
    );
  });

  it("refuses unknown keys, a footer that is not a boolean or unlike the others, and another fileVersion", () => {
    const { doc, folder: f } = at();
    const s = doc.items.findIndex((i) => i.type === "full");
    const item = doc.items[s] as unknown as Record<string, unknown>;
    const edit = (changed: Record<string, unknown>): unknown => {
      const items = [...doc.items] as unknown[];
      items[s] = changed;
      return withItems(doc, items);
    };
    const { footer: _footer, ...withoutFooter } = item;
    refused(
      f,
      edit({ ...withoutFooter, footr: true }),
      new RegExp(`items\\[${s}\\]: unknown key "footr" \\(known: `),
    );
    refused(f, edit({ ...item, footer: "no" }), /footer: expected true or false, found "no"/);
    refused(
      f,
      edit({ ...item, footer: false }),
      /footer: no footer here, where items\[\d+\] has one/,
    );
    refused(
      f,
      { ...doc, fileVersion: 4 },
      /^vmstate: fileVersion: QEMU writes and reads version 3, not 4/,
    );
    refused(f, { ...doc, colour: 1 }, /^vmstate: unknown key "colour" \(known: format, /);
  });

  it("refuses a key given twice, naming its path", () => {
    const { doc, folder: f } = at();
    const text = JSON.stringify(doc).replace('"fileVersion":3', '"fileVersion":3,"fileVersion":3');
    refused(f, undefined, /: fileVersion: the key is given twice/, text);
    const s = doc.items.findIndex((i) => i.type === "full");
    const items = JSON.stringify(doc.items[s]).replace(
      '"footer":true',
      '"footer":true,"footer":false',
    );
    const nested = JSON.stringify({ ...doc, items: [] }).replace(
      '"items":[]',
      `"items":[${doc.items
        .slice(0, s)
        .map((i) => JSON.stringify(i))
        .join(",")},${items}]`,
    );
    refused(f, undefined, new RegExp(`: items\\[${s}\\]\\.footer: the key is given twice`), nested);
  });

  it("still encodes every fixture's document byte-identical", () => {
    const f = folder();
    for (const name of readdirSync(join(fixturesDir, "streams")).filter((n) =>
      n.endsWith(".stream"),
    )) {
      const stream = join(fixturesDir, "streams", name);
      const doc = join(f, `${name}.json`);
      const params = streamParamArgs(name.replace(/\.stream$/, ""));
      expect(vmstate(["decode", stream, ...params, "-o", doc]).status, name).toBe(0);
      const back = join(f, name);
      const r = vmstate(["encode", doc, "-o", back]);
      expect(r.status, `${name}: ${r.stderr}`).toBe(0);
      expect(readFileSync(back).equals(readFileSync(stream)), name).toBe(true);
    }
  });
});
