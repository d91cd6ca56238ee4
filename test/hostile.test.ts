// Hostile streams: one stream per CVE of QEMU's virtio-net load path (docs/security.md lists
// them), per other load check QEMU 7.2 makes, and per RSS check it lacks, each built
// from a real stream by setting the offending field to the malicious value (test/support/hostile.ts).
// Each must fail to load with the LoadError naming that field at its offset, allocate nothing beyond
// the schema's bounds, and make `vmstate decode` exit 1 with one line and no stack trace.
//
// The fixtures have one queue pair and no RSS (those need a guest driver, and none is at hand), so
// streams with four queue pairs or RSS are built: a state valid by QEMU's rules is encoded by the
// generated save into pxe-loop-pc in place of its virtio-net section, and then one field is set
// malicious in the bytes. Offsets in the real stream come from its decoded.txt (an independent
// decoder); in the built streams from QEMU's layout (test/support/layout.ts), checked here first
// against every decoded.txt.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadVirtioNet } from "../generated/virtio-net.js";
import { LoadError, Reader } from "../runtime/index.js";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { StreamError } from "../stream/format.js";
import { projectCodecs } from "./support/codecs.js";
import { cliPath } from "./support/cli.js";
import { root } from "./support/compile.js";
import { virtioNetPayloads } from "./support/fixtures.js";
import {
  DECODED_NAMES,
  buildBases,
  cases,
  decodedTxt,
  hostileStream,
  type Base,
} from "./support/hostile.js";
import { payloadOffsets } from "./support/layout.js";

let codecs: Codecs;
let bases: Map<string, Base>;
let dir: string;

beforeAll(async () => {
  codecs = await projectCodecs();
  bases = buildBases(codecs);
  dir = mkdtempSync(join(tmpdir(), "vmstate-hostile-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the hostile streams' bases", () => {
  it.each(virtioNetPayloads().map((p) => [p.name, p.bytes] as const))(
    "the layout agrees with %s.decoded.txt",
    (name, bytes) => {
      const computed = payloadOffsets(loadVirtioNet(new Reader(bytes)));
      const decoded = decodedTxt(name);
      let compared = 0;
      for (const [path, decodedName] of Object.entries(DECODED_NAMES)) {
        if (!decoded.has(decodedName)) continue;
        expect(computed.get(path), path).toBe(decoded.get(decodedName));
        compared++;
      }
      expect(compared).toBeGreaterThanOrEqual(9);
    },
  );

  it("each loads as the state it was built from, and decodes as a whole stream", () => {
    expect([...bases.keys()]).toEqual([
      "pxe-loop-pc",
      "four-pairs-rss",
      "one-pair-rss",
      "four-pairs",
    ]);
    for (const base of bases.values()) {
      const r = new Reader(base.bytes, base.payload);
      expect(loadVirtioNet(r), base.name).toEqual(base.state);
      expect(r.pos).toBe(base.end);
      expect(() => decodeStream(base.bytes, codecs, {})).not.toThrow();
    }
  });
});

/** A Reader that keeps the size of everything the load allocates or skips from a count in the stream. */
class AllocationWatchingReader extends Reader {
  readonly allocations: number[] = [];
  readonly skipped: number[] = [];

  override count(n: number | bigint, max: number, path: string): number {
    const checked = super.count(n, max, path);
    this.allocations.push(checked);
    return checked;
  }

  /** A discard (`unused`): its count was checked, but nothing is allocated for it. */
  override skip(n: number, path: string): void {
    if (this.allocations[this.allocations.length - 1] === n) this.allocations.pop();
    this.skipped.push(n);
    super.skip(n, path);
  }
}

/** The largest count of any array or buffer in schemas/virtio-net.vmstate (the MSI-X table, `max 32768`). */
const LARGEST_BOUND = 32768;

describe("hostile streams", () => {
  it.each(cases)("$id: $field = $value is a LoadError naming the field and its offset", (c) => {
    const { bytes, fieldAt, errorAt, base } = hostileStream(bases, c);
    const changed = fieldAt + (c.plus ?? 0);
    expect(
      Buffer.compare(
        bytes.subarray(changed, changed + c.size),
        base.bytes.subarray(changed, changed + c.size),
      ),
      "the field's bytes changed",
    ).not.toBe(0);
    const r = new AllocationWatchingReader(bytes, base.payload, base.end);
    let error: unknown;
    try {
      loadVirtioNet(r);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoadError);
    const e = error as LoadError;
    expect({ path: e.path, offset: e.offset }).toEqual({
      path: c.path ?? c.field,
      offset: errorAt,
    });
    expect(e.reason).toMatch(c.reason);
    // Nothing larger than the schema's bounds was allocated.
    expect(Math.max(...r.allocations)).toBeLessThanOrEqual(LARGEST_BOUND);
  });

  it.each(cases)("$id: the stream decoder says the same in one message", (c) => {
    const { bytes, errorAt } = hostileStream(bases, c);
    let error: unknown;
    try {
      decodeStream(bytes, codecs, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StreamError);
    const message = (error as StreamError).message;
    expect(message).toMatch(
      /^section \d+ "0000:00:02\.0\/virtio-net" \(schema virtio-net, version 11\): /,
    );
    expect(message).toContain(`: ${c.path ?? c.field}: `);
    expect(message).toContain(` at byte offset ${errorAt} `);
    expect(message).not.toContain("\n");
  });

  it("CVE-2013-4149, a source with a larger MAC table: 65 entries are read and thrown away, exactly, as QEMU 7.2 does", () => {
    const base = bases.get("pxe-loop-pc")!;
    const inUse = base.payload + base.at.get("device.mac_table.in_use")!;
    expect(base.state.device.mac_table.in_use).toBe(0);
    const macs = new Uint8Array(65 * 6).fill(0xaa);
    const bytes = new Uint8Array([
      ...base.bytes.subarray(0, inUse),
      0,
      0,
      0,
      65,
      ...macs,
      ...base.bytes.subarray(inUse + 4, base.end),
    ]);
    const r = new AllocationWatchingReader(bytes, base.payload);
    const state = loadVirtioNet(r);
    expect(r.pos).toBe(bytes.length);
    expect(state.device.mac_table).toMatchObject({ in_use: 65, macs: undefined });
    expect(r.skipped.filter((n) => n !== 1)).toEqual([390]); // besides the 1-byte unused of each modern_state queue
    expect(state.device.vlans).toEqual(base.state.device.vlans);
  });
});

/** `vmstate decode FILE`, as a user runs it. */
function decode(file: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, "decode", file], { cwd: root });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

// The CLI, as a user runs it, on every CVE stream and on an RSS one (the decoder behind it has
// been checked on every case above; a process per case costs a third of a second).
const cliCases = cases.flatMap((c, i) =>
  c.id.startsWith("CVE-") || c.id === "RSS: a table entry" ? [[c.id, i] as const] : [],
);

describe.concurrent("vmstate decode on hostile streams", () => {
  it.each(cliCases)("%s: exit status 1, one line, no stack trace", async (_, i) => {
    const c = cases[i]!;
    const { bytes, errorAt } = hostileStream(bases, c);
    const file = join(dir, `case-${i}.stream`);
    writeFileSync(file, bytes);
    const r = await decode(file);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^vmstate: section \d+ "0000:00:02\.0\/virtio-net" \(schema virtio-net, version 11\): /,
    );
    expect(r.stderr).toContain(`: ${c.path ?? c.field}: `);
    expect(r.stderr).toContain(` at byte offset ${errorAt} `);
    expect(r.stderr.endsWith("\n")).toBe(true);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(1);
  });
});
