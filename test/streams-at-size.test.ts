// A stream of more than 2 GiB (test/support/big-stream.ts: a real QEMU stream with RAM sections
// added) decoded and encoded back by the CLI in child processes, from a file and from a pipe: the
// stream comes back byte-identical, and no process takes more than 128 MiB of memory.

import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import type { StreamDocument } from "../stream/format.js";
import { bigStream, sameFileBytes, type BigStream } from "./support/big-stream.js";
import { projectCodecs } from "./support/codecs.js";
import { vmstateMeasured } from "./support/measured.js";
import { streamBytes } from "./support/streams.js";

const RSS_BOUND_MIB = 128;

let big: BigStream;
let dir: string;
let codecs: Codecs;
beforeAll(async () => {
  codecs = await projectCodecs();
  big = bigStream();
  dir = mkdtempSync(join(tmpdir(), "vmstate-size-"));
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pages the RAM sections of a document say they send. */
function pages(doc: StreamDocument): number {
  return doc.items.reduce(
    (n, item) => n + ("body" in item && "ram" in item.body ? item.body.ram.pages : 0),
    0,
  );
}

describe(`a stream of more than 2 GiB`, () => {
  it("is more than 2 GiB", () => {
    expect(statSync(big.path).size).toBe(big.size);
    expect(big.size).toBeGreaterThan(2 ** 31);
  });

  it(`decodes from a file and encodes back byte-identical, each in at most ${RSS_BOUND_MIB} MiB`, async () => {
    const json = join(dir, "big.json");
    const decoded = await vmstateMeasured(["decode", big.path, "-o", json, "--quiet"]);
    expect(decoded.status, decoded.stderr).toBe(0);
    expect(decoded.stderr).toBe("");
    expect(decoded.maxRssMiB).toBeLessThanOrEqual(RSS_BOUND_MIB);
    const doc = JSON.parse(readFileSync(json, "utf8")) as StreamDocument;
    expect(doc.source).toEqual({ path: big.path, size: big.size });
    // pxe-loop-pc's own RAM sections, and the added ones with every page of pc.ram again.
    expect(pages(doc)).toBe(
      pages(decodeStream(streamBytes("pxe-loop-pc"), codecs, {})) + big.pages,
    );
    expect(statSync(json).size).toBeLessThan(1 << 20);

    const out = join(dir, "big.stream");
    try {
      const encoded = await vmstateMeasured(["encode", json, "-o", out, "--quiet"]);
      expect(encoded.status, encoded.stderr).toBe(0);
      expect(encoded.maxRssMiB).toBeLessThanOrEqual(RSS_BOUND_MIB);
      expect(sameFileBytes(out, big.path)).toBe(true);
    } finally {
      rmSync(out, { force: true });
    }
  }, 600_000);

  it(`decodes from standard input (a pipe) to the same document, in at most ${RSS_BOUND_MIB} MiB`, async () => {
    const run = await vmstateMeasured(["decode", "-", "-o", join(dir, "piped.json")], {
      stdinFrom: big.path,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.maxRssMiB).toBeLessThanOrEqual(RSS_BOUND_MIB);
    const piped = JSON.parse(readFileSync(join(dir, "piped.json"), "utf8")) as StreamDocument;
    const file = JSON.parse(readFileSync(join(dir, "big.json"), "utf8")) as StreamDocument;
    expect(piped.source).toEqual({ size: big.size });
    expect(piped.items).toEqual(file.items);
  }, 600_000);
});
