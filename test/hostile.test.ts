// Hostile streams: one stream per CVE of QEMU's virtio-net load path (../shared/reference/
// qemu-vmstate.md §6), per other load check QEMU 7.2 makes, and per RSS check it lacks, each built
// from a real stream by setting the offending field to the malicious value. Each must fail to load
// with the LoadError naming that field at its offset, allocate nothing beyond the schema's bounds,
// and make `vmstate decode` exit 1 with one line and no stack trace.
//
// The fixtures have one queue pair and no RSS (those need a guest driver, and none is at hand), so
// streams with four queue pairs or RSS are built: a state valid by QEMU's rules (fuzz/configurations.ts)
// is encoded by the generated save into linux-pc-user in place of its virtio-net section, and then
// one field is set malicious in the bytes. Offsets in the fixtures come from their decoded.txt (an
// independent decoder); in the built streams from QEMU's layout (test/support/layout.ts), which is
// first checked against every decoded.txt.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configurations, streamWithState, virtioNetState } from "../fuzz/configurations.js";
import { fixturesDir, streamBytes, streamIndex } from "../fuzz/fixtures.js";
import { loadVirtioNet, type VirtioNet } from "../generated/virtio-net.js";
import { LoadError, Reader } from "../runtime/index.js";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { StreamError } from "../stream/format.js";
import { projectCodecs } from "./support/codecs.js";
import { cliPath } from "./support/cli.js";
import { root } from "./support/compile.js";
import { virtioNetPayloads } from "./support/fixtures.js";
import { decodedOffsets, payloadOffsets } from "./support/layout.js";

/** A stream with a virtio-net section: its bytes, where the section body starts and ends, its state and field offsets. */
interface Base {
  readonly bytes: Uint8Array;
  readonly payload: number;
  readonly end: number;
  readonly state: VirtioNet;
  /** Payload offsets of fields, by error path. */
  readonly at: Map<string, number>;
}

/** The names decoded.txt gives the fields these tests change. */
const DECODED_NAMES: Record<string, string> = {
  "pci.version_id": "PCIDevice.version_id",
  "pci.irq_state": "PCIDevice.irq_state[0]",
  config_vector: "virtio config_vector",
  queue_sel: "VirtIODevice.queue_sel",
  config_len: "config_len",
  num_queues: "number of virtqueues with vring.num != 0",
  "device.mac_table.in_use": "virtio-net-device.mac_table.in_use",
};
for (let i = 0; i < 3; i++) {
  DECODED_NAMES[`vq[${i}].vring.num`] = `vq[${i}].vring.num`;
  DECODED_NAMES[`vq[${i}].last_avail_idx`] = `vq[${i}].last_avail_idx`;
  DECODED_NAMES[`vq[${i}].vector`] = `vq[${i}].msix vector`;
}

function decodedTxt(name: string): Map<string, number> {
  return decodedOffsets(readFileSync(join(fixturesDir, "virtio-net", `virtio-net-${name}.decoded.txt`), "utf8"));
}

let codecs: Codecs;
const bases = new Map<string, Base>();
let dir: string;

beforeAll(async () => {
  codecs = await projectCodecs();
  dir = mkdtempSync(join(tmpdir(), "vmstate-hostile-"));
  // The real stream: pxe-loop-pc (iPXE drove the device: MSI-X with 4 vectors, three queues in use).
  const index = streamIndex("pxe-loop-pc").sections.find((s) => s.name?.endsWith("/virtio-net"))!;
  const pxe = streamBytes("pxe-loop-pc");
  const decoded = decodedTxt("pxe-loop-pc");
  const at = new Map(Object.entries(DECODED_NAMES).map(([path, name]) => [path, decoded.get(name)!]));
  bases.set("pxe-loop-pc", { bytes: pxe, payload: index.payload_offset!, end: index.payload_offset! + index.payload_len!, state: loadVirtioNet(new Reader(pxe, index.payload_offset!)), at });
  // The built ones, carried by linux-pc-user.
  const linux = streamBytes("linux-pc-user");
  const linuxState = loadVirtioNet(new Reader(virtioNetPayloads().find((p) => p.name === "linux-pc-user")!.bytes));
  for (const configuration of configurations) {
    const state = virtioNetState(linuxState, configuration);
    const bytes = streamWithState(linux, state, codecs);
    const doc = decodeStream(bytes, codecs, {});
    const item = doc.items.find((i) => i.type === "full" && i.idstr.endsWith("/virtio-net"))!;
    const payload = item.offset! + 1 + 4 + 1 + (item.type === "full" ? item.idstr.length : 0) + 4 + 4;
    const r = new Reader(bytes, payload);
    expect(loadVirtioNet(r)).toEqual(state);
    bases.set(configuration.name, { bytes, payload, end: r.pos, state, at: payloadOffsets(state) });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the layout the built streams' offsets come from", () => {
  it.each(virtioNetPayloads().map((p) => [p.name, p.bytes] as const))("agrees with %s.decoded.txt", (name, bytes) => {
    const computed = payloadOffsets(loadVirtioNet(new Reader(bytes)));
    const decoded = decodedTxt(name);
    let compared = 0;
    for (const [path, decodedName] of Object.entries(DECODED_NAMES)) {
      if (!decoded.has(decodedName)) continue;
      expect(computed.get(path), path).toBe(decoded.get(decodedName));
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(9);
  });
});

interface Case {
  /** The CVE, or the QEMU check, the stream reproduces. */
  readonly id: string;
  readonly base: string;
  /** The field set to the malicious value, by its path, and the value (big-endian, `size` bytes). */
  readonly field: string;
  readonly value: number;
  readonly size: 1 | 2 | 4;
  /** Bytes after the field's start where the value goes (an element of the field). */
  readonly plus?: number;
  /** The error the load must give: path, and offset from the field's start (0 unless said). */
  readonly path?: string;
  readonly offsetFromField?: number;
  readonly reason: RegExp;
}

const cases: Case[] = [
  // CVE-2013-4148: in_use was an int, and a negative one passed `<= 64` and overflowed the table.
  // In 7.2 it is a uint32 and a table that does not fit is read and thrown away, in_use × 6 bytes,
  // as QEMU does: the stream runs out in the discard, which is where the error is. Nothing is allocated.
  { id: "CVE-2013-4148", base: "pxe-loop-pc", field: "device.mac_table.in_use", value: 0xffffffff, size: 4, path: "device.unused", offsetFromField: 4, reason: /unexpected end of input: unused needs 25769803770 bytes/ },
  // CVE-2013-4149: the discard read in_use × 6 bytes into an in_use-byte buffer; in_use × 6 also
  // overflows 32 bits here (0x2aaaaaab × 6 = 2^32 + 2): the discard is exact, in 64-bit arithmetic.
  { id: "CVE-2013-4149", base: "pxe-loop-pc", field: "device.mac_table.in_use", value: 0x2aaaaaab, size: 4, path: "device.unused", offsetFromField: 4, reason: /unexpected end of input: unused needs 4294967298 bytes/ },
  // CVE-2013-4150: curr_queue_pairs indexed vqs[] for tx_waiting.
  { id: "CVE-2013-4150", base: "four-pairs-rss", field: "device.curr_queue_pairs", value: 5, size: 2, reason: /^curr_queue_pairs must be 1 to max_queue_pairs$/ },
  { id: "CVE-2013-4150 (zero)", base: "four-pairs", field: "device.curr_queue_pairs", value: 0, size: 2, reason: /^curr_queue_pairs must be 1 to max_queue_pairs$/ },
  // CVE-2013-4151: the queue count indexed vq[].
  { id: "CVE-2013-4151", base: "pxe-loop-pc", field: "num_queues", value: 1025, size: 4, reason: /^too many queues$/ },
  { id: "CVE-2013-4151 (2^32 - 1)", base: "four-pairs-rss", field: "num_queues", value: 0xffffffff, size: 4, reason: /^too many queues$/ },
  // CVE-2013-6399: queue_sel, later an index for the guest's port I/O.
  { id: "CVE-2013-6399", base: "pxe-loop-pc", field: "queue_sel", value: 1024, size: 2, reason: /^queue_sel out of range$/ },
  // CVE-2014-0182: config_len overflowed the config buffer.
  { id: "CVE-2014-0182", base: "pxe-loop-pc", field: "config_len", value: 0x7fffffff, size: 4, reason: /^config_len must be 0 to 256$/ },
  { id: "CVE-2014-0182 (negative)", base: "four-pairs-rss", field: "config_len", value: 0xffffffff, size: 4, reason: /^config_len must be 0 to 256$/ },
  // QEMU 7.2's virtio-net-device/rss gap: loaded without a check.
  { id: "RSS: indirections_len 0", base: "four-pairs-rss", field: "device.rss.rss_data.indirections_len", value: 0, size: 2, reason: /^indirections_len must be a power of two from 1 to 128$/ },
  { id: "RSS: indirections_len 96", base: "four-pairs-rss", field: "device.rss.rss_data.indirections_len", value: 96, size: 2, reason: /^indirections_len must be a power of two from 1 to 128$/ },
  { id: "RSS: indirections_len 256", base: "one-pair-rss", field: "device.rss.rss_data.indirections_len", value: 256, size: 2, reason: /^indirections_len must be a power of two from 1 to 128$/ },
  { id: "RSS: default_queue", base: "four-pairs-rss", field: "device.rss.rss_data.default_queue", value: 4, size: 2, reason: /^default_queue is not a queue of this device$/ },
  { id: "RSS: default_queue, one pair", base: "one-pair-rss", field: "device.rss.rss_data.default_queue", value: 1, size: 2, reason: /^default_queue is not a queue of this device$/ },
  { id: "RSS: a table entry", base: "four-pairs-rss", field: "device.rss.rss_data.indirections_table[5].queue", value: 4, size: 2, reason: /^indirection table entry is not a queue of this device$/ },
  { id: "RSS: the last table entry", base: "one-pair-rss", field: "device.rss.rss_data.indirections_table[127].queue", value: 0xffff, size: 2, reason: /^indirection table entry is not a queue of this device$/ },
  // The other load checks of QEMU 7.2.
  { id: "PCIDevice version_id", base: "pxe-loop-pc", field: "pci.version_id", value: 3, size: 4, reason: /^PCIDevice version_id must be 0 to 2$/ },
  { id: "irq_state", base: "pxe-loop-pc", field: "pci.irq_state", plus: 8, value: 2, size: 4, reason: /^irq_state entries must be 0 or 1$/ },
  { id: "MSI-X config_vector", base: "pxe-loop-pc", field: "config_vector", value: 4, size: 2, reason: /^config_vector out of range$/ },
  { id: "MSI-X queue vector", base: "pxe-loop-pc", field: "vq[1].vector", value: 4, size: 2, reason: /^queue vector out of range$/ },
  { id: "MSI-X queue vector, ten vectors", base: "four-pairs-rss", field: "vq[8].vector", value: 10, size: 2, reason: /^queue vector out of range$/ },
  { id: "desc 0 with last_avail_idx", base: "pxe-loop-pc", field: "vq[2].last_avail_idx", value: 1, size: 2, reason: /^a queue without a descriptor table has no available index$/ },
  { id: "max_queue_pairs equal", base: "four-pairs-rss", field: "device.max_queue_pairs", value: 3, size: 2, reason: /^expected 4 \(0x4\), found 3 \(0x3\)$/ },
  // Beyond QEMU 7.2's load: the ring size bound of its guest path.
  { id: "vring.num", base: "pxe-loop-pc", field: "vq[0].vring.num", value: 2048, size: 4, reason: /^vring.num is above VIRTQUEUE_MAX_SIZE \(1024\)$/ },
];

/** The base stream with the case's field set to its value; the stream offsets of the field and of the expected error. */
function hostile(c: Case): { bytes: Uint8Array; fieldAt: number; errorAt: number; base: Base } {
  const base = bases.get(c.base)!;
  const fieldOffset = base.at.get(c.field);
  if (fieldOffset === undefined) throw new Error(`no offset for ${c.field} in ${c.base}`);
  const fieldAt = base.payload + fieldOffset;
  const bytes = base.bytes.slice();
  for (let i = 0, v = c.value; i < c.size; i++, v = Math.floor(v / 256)) bytes[fieldAt + (c.plus ?? 0) + c.size - 1 - i] = v % 256;
  return { bytes, fieldAt, errorAt: fieldAt + (c.offsetFromField ?? 0), base };
}

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
    const { bytes, fieldAt, errorAt, base } = hostile(c);
    const changed = fieldAt + (c.plus ?? 0);
    expect(Buffer.compare(bytes.subarray(changed, changed + c.size), base.bytes.subarray(changed, changed + c.size)), "the field's bytes changed").not.toBe(0);
    const r = new AllocationWatchingReader(bytes, base.payload, base.end);
    let error: unknown;
    try {
      loadVirtioNet(r);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoadError);
    const e = error as LoadError;
    expect({ path: e.path, offset: e.offset }).toEqual({ path: c.path ?? c.field, offset: errorAt });
    expect(e.reason).toMatch(c.reason);
    // Nothing larger than the schema's bounds was allocated.
    expect(Math.max(...r.allocations)).toBeLessThanOrEqual(LARGEST_BOUND);
  });

  it.each(cases)("$id: the stream decoder says the same in one message", (c) => {
    const { bytes, errorAt } = hostile(c);
    let error: unknown;
    try {
      decodeStream(bytes, codecs, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StreamError);
    const message = (error as StreamError).message;
    expect(message).toMatch(/^section \d+ "0000:00:02\.0\/virtio-net" \(schema virtio-net, version 11\): /);
    expect(message).toContain(`: ${c.path ?? c.field}: `);
    expect(message).toContain(` at byte offset ${errorAt} `);
    expect(message).not.toContain("\n");
  });

  it("CVE-2013-4149, a source with a larger MAC table: 65 entries are read and thrown away, exactly, as QEMU 7.2 does", () => {
    const base = bases.get("pxe-loop-pc")!;
    const inUse = base.payload + base.at.get("device.mac_table.in_use")!;
    expect(base.state.device.mac_table.in_use).toBe(0);
    const macs = new Uint8Array(65 * 6).fill(0xaa);
    const bytes = new Uint8Array([...base.bytes.subarray(0, inUse), 0, 0, 0, 65, ...macs, ...base.bytes.subarray(inUse + 4, base.end)]);
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

describe.concurrent("vmstate decode on hostile streams", () => {
  it.each(cases.map((c, i) => [c.id, i] as const))("%s: exit status 1, one line, no stack trace", async (_, i) => {
    const c = cases[i]!;
    const { bytes, errorAt } = hostile(c);
    const file = join(dir, `case-${i}.stream`);
    writeFileSync(file, bytes);
    const r = await decode(file);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^vmstate: section \d+ "0000:00:02\.0\/virtio-net" \(schema virtio-net, version 11\): /);
    expect(r.stderr).toContain(`: ${c.path ?? c.field}: `);
    expect(r.stderr).toContain(` at byte offset ${errorAt} `);
    expect(r.stderr.endsWith("\n")).toBe(true);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.status).toBe(1);
  });
});
