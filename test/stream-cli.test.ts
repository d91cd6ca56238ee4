// The stream commands as a user meets them: decode from a file or a pipe, RAM kept by reference
// to the source stream, encode copying it from there (or from --source) and refusing a source
// that changed, outputs that are inputs refused, `ram extract`, progress on a terminal only, and
// what a decode or encode process loads.

import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Progress } from "../bin/progress.js";
import { referenceChecksum } from "../stream/checksum.js";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { encodeStream } from "../stream/encode.js";
import type { RamRange, StreamDocument } from "../stream/format.js";
import { cliPath, vmstate } from "./support/cli.js";
import { projectCodecs } from "./support/codecs.js";
import { fixturesDir } from "./support/fixtures.js";
import { vmstateMeasured } from "./support/measured.js";
import { streamErrorOf, streamParamArgs, streamParams } from "./support/streams.js";

const fixture = join(fixturesDir, "streams", "pxe-loop-pc.stream");
let dir: string;
let codecs: Codecs;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vmstate-stream-cli-"));
  codecs = await projectCodecs();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh folder with a copy of the fixture stream in it. */
function withStream(name = "pxe-loop-pc"): { folder: string; stream: string } {
  const folder = mkdtempSync(join(dir, "case-"));
  const stream = join(folder, `${name}.stream`);
  copyFileSync(join(fixturesDir, "streams", `${name}.stream`), stream);
  return { folder, stream };
}

/** `vmstate ARGS` with `input` on standard input (through a pipe). */
function piped(
  args: readonly string[],
  input: Uint8Array,
): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [cliPath, ...args], { input, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function ranges(doc: StreamDocument): RamRange[] {
  return doc.items.flatMap((item) =>
    "body" in item && "source" in item.body ? [item.body.source] : [],
  );
}

describe("RAM by reference", () => {
  it("a RAM section is its summary and the place of its body in the source, with the checksum of those bytes", () => {
    const bytes = new Uint8Array(readFileSync(fixture));
    const doc = decodeStream(bytes, codecs, {}, { path: fixture });
    expect(doc.source).toEqual({ path: fixture, size: bytes.length });
    const ram = doc.items.filter((i) => "body" in i && "ram" in i.body);
    expect(ram.map((i) => i.type)).toEqual(["start", "part", "end"]);
    for (const item of ram) {
      const body = (item as { body: { source: RamRange } }).body.source;
      // The body starts after the section's header: 5 bytes for PART/END, 17 + the name for START.
      expect(body.offset).toBe(item.offset! + (item.type === "start" ? 6 + 3 + 8 : 5));
      expect(body.checksum).toBe(
        referenceChecksum(bytes.subarray(body.offset, body.offset + body.length)),
      );
    }
    expect(JSON.stringify(doc)).not.toContain("base64");
    expect(JSON.stringify(doc).length).toBeLessThan(bytes.length / 4);
  });

  it("decode - reads standard input (a pipe) to the same document, without a path", () => {
    const { stream } = withStream();
    const fromFile = JSON.parse(vmstate(["decode", stream]).stdout) as StreamDocument;
    const fromPipe = piped(["decode", "-"], readFileSync(stream));
    expect(fromPipe.status, fromPipe.stderr).toBe(0);
    const doc = JSON.parse(fromPipe.stdout.toString()) as StreamDocument;
    expect(doc.source).toEqual({ size: statSync(stream).size });
    expect(doc.items).toEqual(fromFile.items);
  });

  it.each(["pxe-loop-pc-i440fx-2.3", "linux-pc-user"])(
    "%s from a pipe: the description is found at the end, and sections without a schema are read",
    (name) => {
      const bytes = readFileSync(join(fixturesDir, "streams", `${name}.stream`));
      const r = piped(["decode", "-", ...streamParamArgs(name)], bytes);
      expect(r.status, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout.toString()) as StreamDocument;
      const again = encodeStream(doc, codecs, streamParams(name), new Uint8Array(bytes));
      expect(again).toEqual(new Uint8Array(bytes));
    },
  );

  it("a document whose RAM is inline (base64, as earlier versions wrote) still encodes, with no source", () => {
    const bytes = new Uint8Array(readFileSync(fixture));
    const doc = decodeStream(bytes, codecs, {});
    const inline = {
      format: doc.format,
      fileVersion: doc.fileVersion,
      items: doc.items.map((item) => {
        if (!("body" in item && "source" in item.body)) return item;
        const { offset, length } = item.body.source;
        const base64 = Buffer.from(bytes.subarray(offset, offset + length)).toString("base64");
        return { ...item, body: { ram: item.body.ram, base64 } };
      }),
    } as StreamDocument;
    expect(Buffer.from(encodeStream(inline, codecs, {})).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe("encode and its source", () => {
  it("copies the RAM from the stream the document names, or from --source when it has moved", () => {
    const { folder, stream } = withStream();
    const json = join(folder, "s.json");
    expect(vmstate(["decode", stream, "-o", json]).status).toBe(0);
    const moved = join(folder, "moved.stream");
    renameSync(stream, moved);
    const out = join(folder, "out.stream");
    const missing = vmstate(["encode", json, "-o", out]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(
      `vmstate: cannot read the source stream '${stream}' that the RAM sections are copied from (no such file or folder): if it has moved, name it with --source FILE\n`,
    );
    expect(readdirSync(folder).sort()).toEqual(["moved.stream", "s.json"]);
    expect(vmstate(["encode", json, "--source", moved, "-o", out])).toMatchObject({
      status: 0,
      stderr: "",
    });
    expect(readFileSync(out).equals(readFileSync(fixture))).toBe(true);
  });

  it("with device state edited, the stream is QEMU's outside the edited field", () => {
    const { folder, stream } = withStream();
    const json = join(folder, "s.json");
    expect(vmstate(["decode", stream, "-o", json]).status).toBe(0);
    const doc = JSON.parse(readFileSync(json, "utf8")) as StreamDocument;
    const section = doc.items.find((i) => i.type === "full" && i.idstr.endsWith("/virtio-net"));
    const device = (section as unknown as { body: { state: { device: { promisc: number } } } }).body
      .state.device;
    expect(device.promisc).toBe(1);
    device.promisc = 0;
    writeFileSync(json, JSON.stringify(doc));
    const out = join(folder, "out.stream");
    expect(vmstate(["encode", json, "-o", out]).status).toBe(0);
    const [before, after] = [readFileSync(stream), readFileSync(out)];
    expect(after.length).toBe(before.length);
    const differ = [...before.keys()].filter((i) => before[i] !== after[i]);
    // One byte: promisc, in the device part of the virtio-net section (payload at 1096148).
    expect(differ).toHaveLength(1);
    expect(differ[0]).toBeGreaterThan(1096148);
    expect(differ[0]).toBeLessThan(1096148 + 46164);
    expect([before[differ[0]!], after[differ[0]!]]).toEqual([1, 0]);
  });

  it("a source changed in one byte of a page is refused, and nothing is written", () => {
    const { folder, stream } = withStream();
    const json = join(folder, "s.json");
    expect(vmstate(["decode", stream, "-o", json]).status).toBe(0);
    const doc = JSON.parse(readFileSync(json, "utf8")) as StreamDocument;
    const part = ranges(doc)[1]!;
    const bytes = readFileSync(stream);
    const at = part.offset + 100_000;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(stream, bytes);
    const out = join(folder, "out.stream");
    const r = vmstate(["encode", json, "-o", out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^vmstate: the source stream '${stream.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}' has changed since it was decoded: the ${part.length} bytes at byte offset ${part.offset} \\(items\\[2\\]\\.body\\.source\\) are not those decoded \\(checksum [0-9a-f]{32}, not ${part.checksum}\\)\n$`,
      ),
    );
    // No output, and no temporary file beside it.
    expect(readdirSync(folder).sort()).toEqual(["pxe-loop-pc.stream", "s.json"]);
  });

  it("a source of another size is refused before anything is written", () => {
    const { folder, stream } = withStream();
    const json = join(folder, "s.json");
    expect(vmstate(["decode", stream, "-o", json]).status).toBe(0);
    writeFileSync(stream, readFileSync(stream).subarray(0, 1_000_000));
    const r = vmstate(["encode", json, "-o", join(folder, "out.stream")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `vmstate: the source stream '${stream}' has changed since it was decoded: it has 1000000 bytes, the document says 1241531\n`,
    );
    expect(readdirSync(folder).sort()).toEqual(["pxe-loop-pc.stream", "s.json"]);
  });

  it("a document decoded from standard input needs --source", () => {
    const { folder, stream } = withStream();
    const json = join(folder, "s.json");
    expect(piped(["decode", "-", "-o", json], readFileSync(stream)).status).toBe(0);
    const r = vmstate(["encode", json, "-o", join(folder, "out.stream")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "vmstate: the document's RAM sections were decoded from standard input, so it names no stream to copy them from: name a copy of that stream with --source FILE\n",
    );
    expect(
      vmstate(["encode", json, "--source", stream, "-o", join(folder, "out.stream")]).status,
    ).toBe(0);
    expect(readFileSync(join(folder, "out.stream")).equals(readFileSync(stream))).toBe(true);
  });

  it("a range outside the source is the document's mistake, named by its path", () => {
    const bytes = new Uint8Array(readFileSync(fixture));
    const doc = JSON.parse(JSON.stringify(decodeStream(bytes, codecs, {}))) as StreamDocument;
    const range = ranges(doc)[1] as { offset: number };
    range.offset = bytes.length;
    expect(streamErrorOf(() => encodeStream(doc, codecs, {}, bytes))).toMatch(
      /^items\[2\]\.body\.source: bytes 1241531 to \d+ of the source stream, which has 1241531$/,
    );
    (ranges(doc)[1] as { checksum: unknown }).checksum = 7;
    expect(streamErrorOf(() => encodeStream(doc, codecs, {}, bytes))).toMatch(
      /^items\[2\]\.body\.source: expected the RAM section's place in the source stream, \{"offset": N, "length": N, "checksum": "32 hex digits"\}, found /,
    );
  });

  it("an output that is an input is refused, and the input is left as it was", () => {
    const { folder, stream } = withStream();
    const json = join(folder, "s.json");
    expect(vmstate(["decode", stream, "-o", json]).status).toBe(0);
    const before = [readFileSync(stream), readFileSync(json)];
    for (const [args, message] of [
      [
        ["decode", stream, "-o", stream],
        `vmstate: the output '${stream}' is the input: write the document elsewhere`,
      ],
      [
        ["encode", json, "-o", json],
        `vmstate: the output '${json}' is the input: write the stream elsewhere`,
      ],
      [
        ["encode", json, "-o", stream],
        `vmstate: the output '${stream}' is the source stream the RAM is copied from: write the stream elsewhere`,
      ],
    ] as const) {
      const r = vmstate(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`${message}\n`);
    }
    expect([readFileSync(stream), readFileSync(json)]).toEqual(before);
  });
});

describe("vmstate ram extract", () => {
  /** Each block's memory as the stream leaves it: every page at its address, later ones over earlier ones. */
  function memory(bytes: Uint8Array): Map<string, Uint8Array> {
    const doc = decodeStream(bytes, codecs, {});
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const blocks = new Map<string, Uint8Array>();
    let current = "";
    for (const item of doc.items) {
      if (!("body" in item && "source" in item.body)) continue;
      for (const b of item.body.ram.blocks ?? []) blocks.set(b.id, new Uint8Array(b.length));
      const { offset, length } = item.body.source;
      for (let p = offset; p < offset + length;) {
        const flags = view.getUint32(p + 4) & 0xfff;
        const address = (view.getUint32(p) * 2 ** 32 + (view.getUint32(p + 4) & ~0xfff)) >>> 0;
        p += 8;
        if (flags & 0x04) {
          p = offset + length - 8; // the block list: already taken from the summary
          continue;
        }
        if (flags & 0x0a && !(flags & 0x20)) {
          current = Buffer.from(bytes.subarray(p + 1, p + 1 + bytes[p]!)).toString("latin1");
          p += 1 + bytes[p]!;
        }
        if (flags & 0x02) blocks.get(current)!.fill(bytes[p++]!, address, address + 4096);
        else if (flags & 0x08) {
          blocks.get(current)!.set(bytes.subarray(p, p + 4096), address);
          p += 4096;
        }
      }
    }
    return blocks;
  }

  it("writes one image per block, as the stream leaves the memory, with pages of zeros as holes", () => {
    const folder = mkdtempSync(join(dir, "images-"));
    const r = vmstate(["ram", "extract", fixture, folder]);
    expect(r.status, r.stderr).toBe(0);
    const expected = memory(new Uint8Array(readFileSync(fixture)));
    expect(readdirSync(folder).sort()).toEqual([
      "%2From@etc%2Facpi%2Frsdp.img",
      "%2From@etc%2Facpi%2Ftables.img",
      "%2From@etc%2Ftable-loader.img",
      "0000:00:02.0%2Fvirtio-net-pci.rom.img",
      "pc.bios.img",
      "pc.ram.img",
      "pc.rom.img",
    ]);
    expect(r.stdout).toContain(`${join(folder, "pc.ram.img")}\tpc.ram\t33554432 bytes\t`);
    for (const [id, bytes] of expected) {
      const file = join(folder, `${id.replaceAll("/", "%2F")}.img`);
      expect(readFileSync(file).equals(bytes), id).toBe(true);
    }
    // pc.ram is 32 MiB, of which the stream sends 135 pages: the rest is holes.
    expect(statSync(join(folder, "pc.ram.img")).blocks * 512).toBeLessThan(4 << 20);
  });

  it("reads standard input too, and a stream it cannot read leaves no image", () => {
    const folder = mkdtempSync(join(dir, "images-"));
    const bytes = readFileSync(fixture);
    expect(piped(["ram", "extract", "-", folder], bytes).status).toBe(0);
    expect(
      readFileSync(join(folder, "pc.ram.img")).equals(memory(new Uint8Array(bytes)).get("pc.ram")!),
    ).toBe(true);
    const broken = mkdtempSync(join(dir, "images-"));
    const cut = piped(["ram", "extract", "-", broken], bytes.subarray(0, 600_000));
    expect(cut.status).toBe(1);
    expect(cut.stderr).toMatch(
      /^vmstate: RAM section: a page at byte offset \d+ needs 4096 bytes, \d+ remain\n$/,
    );
    expect(readdirSync(broken)).toEqual([]);
  });

  it("needs its subcommand", () => {
    const r = vmstate(["ram", "list", fixture, dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("vmstate: unknown ram subcommand 'list' (see 'vmstate help ram')\n");
  });
});

describe("progress", () => {
  it("is a line that says the bytes, the share, the sections and the rate, at most five times a second, once half a second has passed, and is cleared at the end", () => {
    let now = 0;
    const printed: string[] = [];
    const progress = new Progress(
      "decode",
      2_000_000_000,
      (t) => printed.push(t),
      () => now,
    );
    progress.update(1_000_000, 1);
    now = 400;
    progress.update(10_000_000, 2);
    expect(printed).toEqual([]);
    now = 1000;
    progress.update(500_000_000, 3);
    now = 1100;
    progress.update(600_000_000, 3);
    now = 2000;
    progress.update(1_000_000_000, 34);
    progress.done();
    expect(printed).toEqual([
      "\rvmstate decode: 500 MB of 2.00 GB (25%), 3 sections, 500 MB/s\x1b[K",
      "\rvmstate decode: 1.00 GB of 2.00 GB (50%), 34 sections, 500 MB/s\x1b[K",
      "\r\x1b[K",
    ]);
  });

  // A terminal from script(1), and a stream that arrives over a second and a half: progress shows
  // on standard error, and not with --quiet.
  const script = spawnSync("script", ["--version"]).status === 0;
  it.skipIf(!script)(
    "shows on a terminal while a slow stream is decoded, and --quiet silences it",
    () => {
      const slow = `node -e 'const b=require("fs").readFileSync(process.argv[1]);let i=0;const t=setInterval(()=>{process.stdout.write(b.subarray(i,i+=b.length/16));if(i>=b.length)clearInterval(t)},100)' ${fixture}`;
      for (const quiet of [false, true]) {
        const out = join(dir, `progress-${quiet}.json`);
        const command = `${slow} | ${process.execPath} ${cliPath} decode - -o ${out}${quiet ? " --quiet" : ""}`;
        const r = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8" });
        expect(r.status, r.stdout).toBe(0);
        expect(existsSync(out)).toBe(true);
        if (quiet) expect(r.stdout).not.toContain("vmstate decode:");
        else
          expect(r.stdout).toMatch(
            /vmstate decode: [\d.]+ [kMG]?B, \d+ sections?, [\d.]+ [kMG]?B\/s/,
          );
      }
    },
  );
});

describe("what decode and encode load", () => {
  it("neither loads the parser, the checker or the code generator: only the generated modules", async () => {
    const json = join(dir, "modules.json");
    const decoded = await vmstateMeasured(["decode", fixture, "-o", json], { modules: true });
    expect(decoded.status, decoded.stderr).toBe(0);
    const encoded = await vmstateMeasured(["encode", json, "-o", join(dir, "modules.stream")], {
      modules: true,
    });
    expect(encoded.status, encoded.stderr).toBe(0);
    for (const run of [decoded, encoded]) {
      expect(run.modules.some((m) => m.includes("/dist/stream/decode.js"))).toBe(true);
      expect(run.modules.some((m) => m.includes("/dist/generated/virtio-net.js"))).toBe(true);
      expect(
        run.modules.filter(
          (m) =>
            /\/node_modules\/(chevrotain|ts-morph|prettier|typescript)\//.test(m) ||
            // generator/package-root.js finds the package's folder from its manifest and imports
            // nothing of the compiler.
            (/\/dist\/(grammar|generator|diagnostics)\//.test(m) &&
              !m.endsWith("/dist/generator/package-root.js")),
        ),
      ).toEqual([]);
    }
  });
});
