// The benchmark's speed reference, encoding: the virtio-net section written by hand with a DataView.
// It sizes the output exactly before writing, checks each run of fixed-size fields once against the
// buffer, and keeps the generated writer's guarantees: every value checked against its type, every
// guarded field present exactly when its condition holds, QEMU's checks, counts within bounds.

import type {
  PCIDevice,
  Virtio,
  VirtioNet,
  VirtioNetDevice,
  VirtioNetDeviceRss,
  VirtioPci,
} from "../../generated/virtio-net.js";
import { pciCapability } from "../../runtime/pci.js";
import { msixVectors, queuePairs } from "../peers/layout.js";

const QUEUES = 1024; // VIRTIO_QUEUE_MAX

class Output {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }

  /** Claims the next `n` bytes and returns their offset. */
  take(n: number): number {
    const p = this.pos;
    if (n > this.bytes.length - p) bad("the state", "more bytes than its sizes say");
    this.pos = p + n;
    return p;
  }

  put(v: Uint8Array, n: number, what: string): void {
    if (!(v instanceof Uint8Array) || v.length !== n) bad(what, `${n} bytes`);
    this.bytes.set(v, this.take(n));
  }

  subsection(name: string): void {
    const o = this.take(6 + name.length);
    this.bytes[o] = 0x05;
    this.bytes[o + 1] = name.length;
    for (let i = 0; i < name.length; i++) this.bytes[o + 2 + i] = name.charCodeAt(i);
    this.dv.setUint32(o + 2 + name.length, 1);
  }
}

function bad(what: string, expected: string): never {
  throw new Error(`virtio-net: ${what} must be ${expected}`);
}

// Value checks; V8 inlines them.
function u8(v: number, what: string): number {
  if ((v & 0xff) !== v) bad(what, "a u8");
  return v;
}
function u16(v: number, what: string): number {
  if ((v & 0xffff) !== v) bad(what, "a u16");
  return v;
}
function u32(v: number, what: string): number {
  if (v >>> 0 !== v) bad(what, "a u32");
  return v;
}
function i32(v: number, what: string): number {
  if ((v | 0) !== v) bad(what, "an i32");
  return v;
}
function u64(v: bigint, what: string): bigint {
  if (typeof v !== "bigint" || BigInt.asUintN(64, v) !== v) bad(what, "a u64");
  return v;
}
function bool(v: boolean, what: string): number {
  if (typeof v !== "boolean") bad(what, "a boolean");
  return v ? 1 : 0;
}
function items<T>(v: readonly T[], n: number, what: string): readonly T[] {
  const checked = v; // typed as declared: Array.isArray would narrow v to any[]
  if (!Array.isArray(v) || v.length !== n) bad(what, `an array of ${n}`);
  return checked;
}
/** A guarded field: present exactly when its condition holds. */
function guarded<T>(v: T | undefined, holds: boolean, what: string): T | undefined {
  if ((v !== undefined) !== holds) bad(what, holds ? "present" : "absent");
  return v;
}

export function encodeVirtioNet(s: VirtioNet): Uint8Array {
  const vectors = msixVectors(s.pci.config);
  const msix = vectors > 0;
  const express = s.pci.config_express !== undefined;
  const size =
    276 +
    (express ? 3840 : 0) +
    (msix ? vectors * 16 + ((vectors + 7) >> 3) + 2 : 0) +
    16 +
    s.config_len +
    s.vq.length * (msix ? 16 : 14);
  const out = new Output(size + deviceSize(s.device) + virtioSize(s.virtio));
  const { bytes, dv } = out;
  savePci(out, s.pci);
  if (guarded(s.msix_table, msix, "msix_table") !== undefined) {
    out.put(s.msix_table!, vectors * 16, "msix_table");
    out.put(guarded(s.msix_pba, true, "msix_pba")!, (vectors + 7) >> 3, "msix_pba");
    const vector = u16(guarded(s.config_vector, true, "config_vector")!, "config_vector");
    if (vector !== 0xffff && vector >= vectors) bad("config_vector", "0xffff or a vector");
    dv.setUint16(out.take(2), vector);
  } else {
    guarded(s.msix_pba, false, "msix_pba");
    guarded(s.config_vector, false, "config_vector");
  }
  let o = out.take(12);
  bytes[o] = u8(s.status, "status");
  bytes[o + 1] = u8(s.isr, "isr");
  if (u16(s.queue_sel, "queue_sel") >= QUEUES) bad("queue_sel", "below 1024");
  dv.setUint16(o + 2, s.queue_sel);
  dv.setUint32(o + 4, u32(s.guest_features, "guest_features"));
  const configLen = i32(s.config_len, "config_len");
  if (configLen < 0 || configLen > 256) bad("config_len", "0 to 256");
  dv.setInt32(o + 8, configLen);
  out.put(s.config, configLen, "config");
  const n = u32(s.num_queues, "num_queues");
  if (n > QUEUES) bad("num_queues", "at most 1024");
  dv.setUint32(out.take(4), n);
  const vq = items(s.vq, n, "vq");
  const stride = msix ? 16 : 14;
  o = out.take(n * stride);
  for (let i = 0; i < n; i++, o += stride) {
    const q = vq[i]!;
    const desc = u64(q.vring.desc, "vq[].vring.desc");
    const last = u16(q.last_avail_idx, "vq[].last_avail_idx");
    if (desc === 0n && last !== 0) bad("vq[].last_avail_idx", "0 without a descriptor table");
    dv.setUint32(o, u32(q.vring.num, "vq[].vring.num"));
    dv.setBigUint64(o + 4, desc);
    dv.setUint16(o + 12, last);
    if (guarded(q.vector, msix, "vq[].vector") !== undefined) {
      const vector = u16(q.vector!, "vq[].vector");
      if (vector !== 0xffff && vector >= vectors) bad("vq[].vector", "0xffff or a vector");
      dv.setUint16(o + 14, vector);
    }
  }
  saveDevice(out, s.device, s.guest_features, queuePairs(s.config_len, s.config, vectors));
  saveVirtio(out, s.virtio);
  return bytes;
}

function savePci(out: Output, pci: PCIDevice): void {
  const dv = out.dv;
  const version = i32(pci.version_id, "pci.version_id");
  if (version < 0 || version > 2) bad("pci.version_id", "0 to 2");
  dv.setInt32(out.take(4), version);
  out.put(pci.config, 256, "pci.config");
  if (
    guarded(pci.config_express, pciCapability(pci.config, 0x10) !== 0, "pci.config_express") !==
    undefined
  ) {
    out.put(pci.config_express!, 3840, "pci.config_express");
  }
  const irq = items(pci.irq_state, 4, "pci.irq_state");
  const o = out.take(16);
  for (let i = 0; i < 4; i++) {
    if (irq[i] !== 0 && irq[i] !== 1) bad("pci.irq_state[]", "0 or 1");
    dv.setInt32(o + 4 * i, irq[i]!);
  }
}

function deviceSize(d: VirtioNetDevice): number {
  const pairs = d.curr_queue_pairs ?? 1;
  return (
    22 +
    d.mac_table.in_use * 6 +
    523 +
    (d.max_queue_pairs !== undefined ? 4 : 0) +
    Math.max(pairs - 1, 0) * 4 +
    (d.curr_guest_offloads !== undefined ? 8 : 0) +
    (d.rss !== undefined ? 27 + 51 + d.rss.rss_data.indirections_len * 2 : 0)
  );
}

/** The device part alone (`vmstate_virtio_net_device`), with what the section writes before it. */
export function encodeVirtioNetDevice(
  d: VirtioNetDevice,
  guestFeatures: number,
  maxPairs: number,
): Uint8Array {
  const out = new Output(deviceSize(d));
  saveDevice(out, d, guestFeatures, maxPairs);
  return out.bytes;
}

function saveDevice(
  out: Output,
  d: VirtioNetDevice,
  guestFeatures: number,
  maxPairs: number,
): void {
  const { bytes, dv } = out;
  const mac = items(d.mac, 6, "mac");
  let o = out.take(22);
  for (let i = 0; i < 6; i++) bytes[o + i] = u8(mac[i]!, "mac[]");
  dv.setUint32(o + 6, u32(d.vqs.tx_waiting, "vqs.tx_waiting"));
  dv.setUint32(o + 10, u32(d.mergeable_rx_bufs, "mergeable_rx_bufs"));
  dv.setUint16(o + 14, u16(d.status, "status"));
  bytes[o + 16] = u8(d.promisc, "promisc");
  bytes[o + 17] = u8(d.allmulti, "allmulti");
  const inUse = u32(d.mac_table.in_use, "mac_table.in_use");
  dv.setUint32(o + 18, inUse);
  if (guarded(d.mac_table.macs, inUse <= 64, "mac_table.macs") !== undefined)
    out.put(d.mac_table.macs!, inUse * 6, "mac_table.macs");
  else bytes.fill(0, out.take(inUse * 6), out.pos); // a table too large is sent as zeros and skipped
  const vlans = items(d.vlans, 128, "vlans");
  o = out.take(523);
  for (let i = 0; i < 128; i++) dv.setUint32(o + 4 * i, u32(vlans[i]!, "vlans[]"), true);
  o += 512;
  dv.setUint32(o, u32(d.has_vnet_hdr, "has_vnet_hdr"));
  bytes[o + 4] = u8(d.mac_table.multi_overflow, "mac_table.multi_overflow");
  bytes[o + 5] = u8(d.mac_table.uni_overflow, "mac_table.uni_overflow");
  bytes[o + 6] = u8(d.alluni, "alluni");
  bytes[o + 7] = u8(d.nomulti, "nomulti");
  bytes[o + 8] = u8(d.nouni, "nouni");
  bytes[o + 9] = u8(d.nobcast, "nobcast");
  bytes[o + 10] = u8(d.has_ufo, "has_ufo");
  const multi = maxPairs > 1;
  if (guarded(d.max_queue_pairs, multi, "max_queue_pairs") !== undefined) {
    if (d.max_queue_pairs !== maxPairs) bad("max_queue_pairs", String(maxPairs));
    o = out.take(4);
    dv.setUint16(o, maxPairs);
    dv.setUint16(
      o + 2,
      u16(guarded(d.curr_queue_pairs, true, "curr_queue_pairs")!, "curr_queue_pairs"),
    );
  } else guarded(d.curr_queue_pairs, false, "curr_queue_pairs");
  const pairs = d.curr_queue_pairs ?? 1;
  if (pairs < 1 || pairs > (multi ? maxPairs : 1) || pairs > 511)
    bad("curr_queue_pairs", "1 to max_queue_pairs");
  const rest = items(d.vqs_1, pairs - 1, "vqs_1");
  o = out.take(rest.length * 4);
  for (let i = 0; i < rest.length; i++)
    dv.setUint32(o + 4 * i, u32(rest[i]!.tx_waiting, "vqs_1[].tx_waiting"));
  if (
    guarded(d.curr_guest_offloads, (guestFeatures & 0x4) !== 0, "curr_guest_offloads") !== undefined
  ) {
    dv.setBigUint64(out.take(8), u64(d.curr_guest_offloads!, "curr_guest_offloads"));
  }
  if (d.rss !== undefined) saveRss(out, d.rss);
}

function saveRss(out: Output, rss: VirtioNetDeviceRss): void {
  const { bytes, dv } = out;
  const r = rss.rss_data;
  out.subsection("virtio-net-device/rss");
  const len = u16(r.indirections_len, "rss.indirections_len");
  if (len > 128) bad("rss.indirections_len", "at most 128");
  const key = items(r.key, 40, "rss.key");
  const table = items(r.indirections_table, len, "rss.indirections_table");
  const o = out.take(51 + 2 * len);
  bytes[o] = bool(r.enabled, "rss.enabled");
  bytes[o + 1] = bool(r.redirect, "rss.redirect");
  bytes[o + 2] = bool(r.populate_hash, "rss.populate_hash");
  dv.setUint32(o + 3, u32(r.hash_types, "rss.hash_types"));
  dv.setUint16(o + 7, len);
  dv.setUint16(o + 9, u16(r.default_queue, "rss.default_queue"));
  for (let i = 0; i < 40; i++) bytes[o + 11 + i] = u8(key[i]!, "rss.key[]");
  for (let i = 0; i < len; i++)
    dv.setUint16(o + 51 + 2 * i, u16(table[i]!, "rss.indirections_table[]"));
}

/** Subsection header (0x05, length, name, be32 version) plus body, for each subsection present. */
function virtioSize(v: Virtio): number {
  let size = 0;
  if (v.device_endian !== undefined) size += 26 + 1;
  if (v.features64 !== undefined) size += 27 + 8;
  if (v.virtqueues !== undefined) size += 23 + QUEUES * 16;
  if (v.ringsize !== undefined) size += 21 + QUEUES * 4;
  if (v.broken !== undefined) size += 19 + 1;
  if (v.extra_state !== undefined)
    size += 24 + (v.extra_state.extra_state.modern_state !== undefined ? 29 + 16 + QUEUES * 28 : 0);
  if (v.started !== undefined) size += 20 + 1;
  if (v.packed_virtqueues !== undefined) size += 30 + QUEUES * 10;
  if (v.disabled !== undefined) size += 21 + 1;
  return size;
}

function saveVirtio(out: Output, v: Virtio): void {
  const { bytes, dv } = out;
  if (v.device_endian !== undefined) {
    out.subsection("virtio/device_endian");
    bytes[out.take(1)] = u8(v.device_endian.device_endian, "device_endian");
  }
  if (v.features64 !== undefined) {
    out.subsection("virtio/64bit_features");
    dv.setBigUint64(out.take(8), u64(v.features64.guest_features, "features64.guest_features"));
  }
  if (v.virtqueues !== undefined) {
    out.subsection("virtio/virtqueues");
    const vq = items(v.virtqueues.vq, QUEUES, "virtqueues.vq");
    let o = out.take(QUEUES * 16);
    for (let i = 0; i < QUEUES; i++, o += 16) {
      const ring = vq[i]!.vring;
      dv.setBigUint64(o, u64(ring.avail, "virtqueues.vq[].vring.avail"));
      dv.setBigUint64(o + 8, u64(ring.used, "virtqueues.vq[].vring.used"));
    }
  }
  if (v.ringsize !== undefined) {
    out.subsection("virtio/ringsize");
    const vq = items(v.ringsize.vq, QUEUES, "ringsize.vq");
    const o = out.take(QUEUES * 4);
    for (let i = 0; i < QUEUES; i++)
      dv.setUint32(o + 4 * i, u32(vq[i]!.vring.num_default, "ringsize.vq[].vring.num_default"));
  }
  if (v.broken !== undefined) {
    out.subsection("virtio/broken");
    bytes[out.take(1)] = bool(v.broken.broken, "broken");
  }
  if (v.extra_state !== undefined) {
    out.subsection("virtio/extra_state");
    saveVirtioPci(out, v.extra_state.extra_state);
  }
  if (v.started !== undefined) {
    out.subsection("virtio/started");
    bytes[out.take(1)] = bool(v.started.started, "started");
  }
  if (v.packed_virtqueues !== undefined) {
    out.subsection("virtio/packed_virtqueues");
    const vq = items(v.packed_virtqueues.vq, QUEUES, "packed_virtqueues.vq");
    let o = out.take(QUEUES * 10);
    for (let i = 0; i < QUEUES; i++, o += 10) {
      const q = vq[i]!;
      dv.setUint16(o, u16(q.last_avail_idx, "packed_virtqueues.vq[].last_avail_idx"));
      bytes[o + 2] = bool(
        q.last_avail_wrap_counter,
        "packed_virtqueues.vq[].last_avail_wrap_counter",
      );
      dv.setUint16(o + 3, u16(q.used_idx, "packed_virtqueues.vq[].used_idx"));
      bytes[o + 5] = bool(q.used_wrap_counter, "packed_virtqueues.vq[].used_wrap_counter");
      dv.setUint32(o + 6, u32(q.inuse, "packed_virtqueues.vq[].inuse"));
    }
  }
  if (v.disabled !== undefined) {
    out.subsection("virtio/disabled");
    bytes[out.take(1)] = bool(v.disabled.disabled, "disabled");
  }
}

function saveVirtioPci(out: Output, pci: VirtioPci): void {
  const { bytes, dv } = out;
  const m = pci.modern_state;
  if (m === undefined) return;
  out.subsection("virtio_pci/modern_state");
  const features = items(m.guest_features, 2, "modern_state.guest_features");
  const vqs = items(m.vqs, QUEUES, "modern_state.vqs");
  let o = out.take(16 + QUEUES * 28);
  dv.setUint32(o, u32(m.dfselect, "modern_state.dfselect"));
  dv.setUint32(o + 4, u32(m.gfselect, "modern_state.gfselect"));
  dv.setUint32(o + 8, u32(features[0]!, "modern_state.guest_features[]"));
  dv.setUint32(o + 12, u32(features[1]!, "modern_state.guest_features[]"));
  o += 16;
  for (let i = 0; i < QUEUES; i++, o += 28) {
    const q = vqs[i]!;
    const desc = items(q.desc, 2, "modern_state.vqs[].desc");
    const avail = items(q.avail, 2, "modern_state.vqs[].avail");
    const used = items(q.used, 2, "modern_state.vqs[].used");
    dv.setUint16(o, u16(q.num, "modern_state.vqs[].num"));
    bytes[o + 2] = 0; // the unused byte of the old be16 `enabled`
    bytes[o + 3] = bool(q.enabled, "modern_state.vqs[].enabled");
    dv.setUint32(o + 4, u32(desc[0]!, "modern_state.vqs[].desc[]"));
    dv.setUint32(o + 8, u32(desc[1]!, "modern_state.vqs[].desc[]"));
    dv.setUint32(o + 12, u32(avail[0]!, "modern_state.vqs[].avail[]"));
    dv.setUint32(o + 16, u32(avail[1]!, "modern_state.vqs[].avail[]"));
    dv.setUint32(o + 20, u32(used[0]!, "modern_state.vqs[].used[]"));
    dv.setUint32(o + 24, u32(used[1]!, "modern_state.vqs[].used[]"));
  }
}
