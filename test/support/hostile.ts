// Hostile streams for tests: real streams with a virtio-net section, and the cases that set one of
// its fields to a malicious value (a CVE of QEMU's virtio-net load path, another QEMU 7.2 load
// check, an RSS check QEMU lacks), with the error this reader must give and what QEMU 7.2 does.
//
// Every base is pxe-loop-pc (iPXE drove the device; MSI-X with 4 vectors, three queues in use), as
// QEMU wrote it or with its virtio-net state replaced by one of a configuration the fixtures lack
// (fuzz/configurations.ts): valid by QEMU's rules, encoded by the generated save. Such streams
// load into a QEMU of that configuration (test/qemu-hostile.test.ts), so QEMU's own verdict on each
// hostile stream is checked as well.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { configurations, streamWithState, virtioNetState } from "../../fuzz/configurations.js";
import { fixturesDir, streamBytes, streamIndex } from "../../fuzz/fixtures.js";
import { loadVirtioNet, type VirtioNet } from "../../generated/virtio-net.js";
import { Reader } from "../../runtime/index.js";
import type { Codecs } from "../../stream/codecs.js";
import { decodeStream } from "../../stream/decode.js";
import { decodedOffsets, payloadOffsets } from "./layout.js";

/** A stream with a virtio-net section, and the QEMU that loads it. */
export interface Base {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Where the section body starts and ends in the stream. */
  readonly payload: number;
  readonly end: number;
  readonly state: VirtioNet;
  /** Payload offsets of fields, by error path. */
  readonly at: Map<string, number>;
  /** The destination's device options (after `virtio-net-pci,id=net0,netdev=n0,mac=…`) and netdev. */
  readonly device: string;
  readonly netdev: "user" | "tap";
}

/** The names decoded.txt gives the fields the cases change. */
export const DECODED_NAMES: Record<string, string> = {
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

export function decodedTxt(name: string): Map<string, number> {
  return decodedOffsets(
    readFileSync(join(fixturesDir, "virtio-net", `virtio-net-${name}.decoded.txt`), "utf8"),
  );
}

/** pxe-loop-pc as QEMU wrote it, and with the state of each configuration the fixtures lack. */
export function buildBases(codecs: Codecs): Map<string, Base> {
  const bases = new Map<string, Base>();
  const pxe = streamBytes("pxe-loop-pc");
  const section = streamIndex("pxe-loop-pc").sections.find((s) => s.name?.endsWith("/virtio-net"))!;
  const pxeState = loadVirtioNet(new Reader(pxe, section.payload_offset));
  // Offsets in the real stream come from its decoded.txt, an independent decoder's.
  const decoded = decodedTxt("pxe-loop-pc");
  const at = new Map(
    Object.entries(DECODED_NAMES).map(([path, name]) => [path, decoded.get(name)!]),
  );
  bases.set("pxe-loop-pc", {
    name: "pxe-loop-pc",
    bytes: pxe,
    payload: section.payload_offset!,
    end: section.payload_offset! + section.payload_len!,
    state: pxeState,
    at,
    device: "",
    netdev: "user",
  });
  for (const configuration of configurations) {
    const state = virtioNetState(pxeState, configuration);
    // Several queue pairs need a tap netdev, so the destination has no slirp section.
    const tap = configuration.pairs > 1;
    const bytes = streamWithState(pxe, state, codecs, tap ? ["slirp"] : []);
    const item = decodeStream(bytes, codecs, {}).items.find(
      (i) => i.type === "full" && i.idstr.endsWith("/virtio-net"),
    );
    if (item?.type !== "full") throw new Error("no virtio-net section");
    const payload = item.offset! + 1 + 4 + 1 + item.idstr.length + 4 + 4;
    const r = new Reader(bytes, payload);
    loadVirtioNet(r);
    const device = `${tap ? ",mq=on" : ""}${configuration.rss ? ",rss=on" : ""}`;
    // Offsets in the built streams come from QEMU's layout (checked against every decoded.txt).
    bases.set(configuration.name, {
      name: configuration.name,
      bytes,
      payload,
      end: r.pos,
      state,
      at: payloadOffsets(state),
      device,
      netdev: tap ? "tap" : "user",
    });
  }
  return bases;
}

export interface Case {
  /** The CVE, or the QEMU check, the stream reproduces. */
  readonly id: string;
  readonly base: string;
  /** The field set to the malicious value, by its path, and the value (big-endian, `size` bytes). */
  readonly field: string;
  readonly value: number;
  readonly size: 1 | 2 | 4;
  /** Bytes after the field's start where the value goes (an element of the field). */
  readonly plus?: number;
  /** The error this reader gives: its path and offset from the field's start (the field's own, and 0, unless said). */
  readonly path?: string;
  readonly offsetFromField?: number;
  readonly reason: RegExp;
  /** What QEMU 7.2 does with the stream; absent where it would spend minutes reading to the end first. */
  readonly qemu?: "refuses" | "loads";
  /**
   * Bytes removed `at` bytes after the field, so that what the new count counts is what follows
   * (the stream stays consistent for a reader without the check, as QEMU 7.2 is for these).
   */
  readonly remove?: { readonly at: number; readonly bytes: number };
}

export const cases: readonly Case[] = [
  // CVE-2013-4148: in_use was an int, and a negative one passed `<= 64` and overflowed the table.
  // In 7.2 it is a uint32, but the discard of a table that does not fit counts its entries in an
  // int again: from 2^31 on, nothing is discarded, and the stream loads. Here that is refused.
  {
    id: "CVE-2013-4148",
    base: "pxe-loop-pc",
    field: "device.mac_table.in_use",
    value: 0xffffffff,
    size: 4,
    reason: /^mac_table\.in_use is above 2\^31 - 1 \(a negative count to QEMU\)$/,
    qemu: "loads",
  },
  {
    id: "CVE-2013-4148 (2^31)",
    base: "pxe-loop-pc",
    field: "device.mac_table.in_use",
    value: 0x80000000,
    size: 4,
    reason: /^mac_table\.in_use is above 2\^31 - 1/,
    qemu: "loads",
  },
  // CVE-2013-4149: the discard read in_use × 6 bytes into an in_use-byte buffer. Here, as in 7.2,
  // the discard is exact and allocates nothing; in_use × 6 overflows 32 bits (0x2aaaaaab × 6 =
  // 2^32 + 2), and the stream runs out in the discard, which is where the error is.
  {
    id: "CVE-2013-4149",
    base: "pxe-loop-pc",
    field: "device.mac_table.in_use",
    value: 0x2aaaaaab,
    size: 4,
    path: "device.unused",
    offsetFromField: 4,
    reason: /^unexpected end of input: unused needs 4294967298 bytes/,
  },
  // CVE-2013-4150: curr_queue_pairs indexed vqs[] for tx_waiting.
  {
    id: "CVE-2013-4150",
    base: "four-pairs-rss",
    field: "device.curr_queue_pairs",
    value: 5,
    size: 2,
    reason: /^curr_queue_pairs must be 1 to max_queue_pairs$/,
    qemu: "refuses",
  },
  {
    id: "CVE-2013-4150 (zero)",
    base: "four-pairs",
    field: "device.curr_queue_pairs",
    value: 0,
    size: 2,
    reason: /^curr_queue_pairs must be 1 to max_queue_pairs$/,
    qemu: "loads",
    remove: { at: 2, bytes: 12 },
  },
  // CVE-2013-4151: the queue count indexed vq[].
  {
    id: "CVE-2013-4151",
    base: "pxe-loop-pc",
    field: "num_queues",
    value: 1025,
    size: 4,
    reason: /^too many queues$/,
    qemu: "refuses",
  },
  {
    id: "CVE-2013-4151 (2^32 - 1)",
    base: "four-pairs-rss",
    field: "num_queues",
    value: 0xffffffff,
    size: 4,
    reason: /^too many queues$/,
    qemu: "refuses",
  },
  // CVE-2013-6399: queue_sel, later an index for the guest's port I/O.
  {
    id: "CVE-2013-6399",
    base: "pxe-loop-pc",
    field: "queue_sel",
    value: 1024,
    size: 2,
    reason: /^queue_sel out of range$/,
    qemu: "refuses",
  },
  // CVE-2014-0182: config_len overflowed the config buffer. QEMU 7.2 reads what fits and then
  // discards the rest byte by byte: billions of bytes, here.
  {
    id: "CVE-2014-0182",
    base: "pxe-loop-pc",
    field: "config_len",
    value: 0x7fffffff,
    size: 4,
    reason: /^config_len must be 0 to 256$/,
  },
  {
    id: "CVE-2014-0182 (negative)",
    base: "one-pair-rss",
    field: "config_len",
    value: 0xffffffff,
    size: 4,
    reason: /^config_len must be 0 to 256$/,
  },
  // QEMU 7.2's virtio-net-device/rss gap: loaded without a check.
  // (indirections_len is followed by default_queue and the 40-byte key, then the table.)
  {
    id: "RSS: indirections_len 0",
    base: "four-pairs-rss",
    field: "device.rss.rss_data.indirections_len",
    value: 0,
    size: 2,
    reason: /^indirections_len must be a power of two from 1 to 128$/,
    qemu: "loads",
    remove: { at: 44, bytes: 256 },
  },
  {
    id: "RSS: indirections_len 96",
    base: "four-pairs-rss",
    field: "device.rss.rss_data.indirections_len",
    value: 96,
    size: 2,
    reason: /^indirections_len must be a power of two from 1 to 128$/,
    qemu: "loads",
    remove: { at: 44 + 192, bytes: 64 },
  },
  {
    id: "RSS: indirections_len 0, one pair",
    base: "one-pair-rss",
    field: "device.rss.rss_data.indirections_len",
    value: 0,
    size: 2,
    reason: /^indirections_len must be a power of two from 1 to 128$/,
    qemu: "loads",
    remove: { at: 44, bytes: 256 },
  },
  {
    id: "RSS: indirections_len 256",
    base: "one-pair-rss",
    field: "device.rss.rss_data.indirections_len",
    value: 256,
    size: 2,
    reason: /^indirections_len must be a power of two from 1 to 128$/,
  },
  {
    id: "RSS: default_queue",
    base: "four-pairs-rss",
    field: "device.rss.rss_data.default_queue",
    value: 4,
    size: 2,
    reason: /^default_queue is not a queue of this device$/,
    qemu: "loads",
  },
  {
    id: "RSS: default_queue, one pair",
    base: "one-pair-rss",
    field: "device.rss.rss_data.default_queue",
    value: 1,
    size: 2,
    reason: /^default_queue is not a queue of this device$/,
    qemu: "loads",
  },
  {
    id: "RSS: a table entry",
    base: "four-pairs-rss",
    field: "device.rss.rss_data.indirections_table[5]",
    value: 4,
    size: 2,
    reason: /^indirection table entry is not a queue of this device$/,
    qemu: "loads",
  },
  {
    id: "RSS: the last table entry, one pair",
    base: "one-pair-rss",
    field: "device.rss.rss_data.indirections_table[127]",
    value: 0xffff,
    size: 2,
    reason: /^indirection table entry is not a queue of this device$/,
    qemu: "loads",
  },
  // The other load checks of QEMU 7.2.
  {
    id: "PCIDevice version_id",
    base: "pxe-loop-pc",
    field: "pci.version_id",
    value: 3,
    size: 4,
    reason: /^PCIDevice version_id must be 0 to 2$/,
    qemu: "refuses",
  },
  {
    id: "irq_state",
    base: "pxe-loop-pc",
    field: "pci.irq_state",
    plus: 8,
    value: 2,
    size: 4,
    reason: /^irq_state entries must be 0 or 1$/,
    qemu: "refuses",
  },
  {
    id: "MSI-X config_vector",
    base: "pxe-loop-pc",
    field: "config_vector",
    value: 4,
    size: 2,
    reason: /^config_vector out of range$/,
    qemu: "refuses",
  },
  {
    id: "MSI-X queue vector",
    base: "pxe-loop-pc",
    field: "vq[1].vector",
    value: 4,
    size: 2,
    reason: /^queue vector out of range$/,
    qemu: "refuses",
  },
  {
    id: "MSI-X queue vector, ten vectors",
    base: "four-pairs-rss",
    field: "vq[8].vector",
    value: 10,
    size: 2,
    reason: /^queue vector out of range$/,
    qemu: "refuses",
  },
  {
    id: "desc 0 with last_avail_idx",
    base: "pxe-loop-pc",
    field: "vq[2].last_avail_idx",
    value: 1,
    size: 2,
    reason: /^a queue without a descriptor table has no available index$/,
    qemu: "refuses",
  },
  {
    id: "max_queue_pairs equal",
    base: "four-pairs-rss",
    field: "device.max_queue_pairs",
    value: 3,
    size: 2,
    reason: /^expected 4 \(0x4\), found 3 \(0x3\)$/,
    qemu: "refuses",
  },
  // Beyond QEMU 7.2's load: the ring size bound of its guest path.
  {
    id: "vring.num",
    base: "pxe-loop-pc",
    field: "vq[0].vring.num",
    value: 2048,
    size: 4,
    reason: /^vring\.num is above VIRTQUEUE_MAX_SIZE \(1024\)$/,
    qemu: "loads",
  },
];

/** The base stream with the case's field set to its value; the stream offsets of the field and of the expected error. */
export function hostileStream(
  bases: ReadonlyMap<string, Base>,
  c: Case,
): { bytes: Uint8Array; fieldAt: number; errorAt: number; base: Base } {
  const base = bases.get(c.base)!;
  const fieldOffset = base.at.get(c.field);
  if (fieldOffset === undefined) throw new Error(`no offset for ${c.field} in ${c.base}`);
  const fieldAt = base.payload + fieldOffset;
  let bytes = base.bytes.slice();
  for (let i = 0, v = c.value; i < c.size; i++, v = Math.floor(v / 256))
    bytes[fieldAt + (c.plus ?? 0) + c.size - 1 - i] = v % 256;
  if (c.remove)
    bytes = new Uint8Array([
      ...bytes.subarray(0, fieldAt + c.remove.at),
      ...bytes.subarray(fieldAt + c.remove.at + c.remove.bytes),
    ]);
  return { bytes, fieldAt, errorAt: fieldAt + (c.offsetFromField ?? 0), base };
}
