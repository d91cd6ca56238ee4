// The benchmark's speed reference, decoding: the virtio-net section read by hand with a DataView,
// the way a careful programmer writes it for this one layout. It keeps the generated reader's
// guarantees (every byte bounds-checked before it is read, QEMU's load checks, byte fields copied)
// but takes the freedom a person has: one bounds check per run of fixed-size fields.

import type {
  PCIDevice,
  Virtio,
  VirtioNet,
  VirtioNetDevice,
  VirtioNetDeviceRss,
  VirtioPci,
  VirtQueue,
} from "../../generated/virtio-net.js";
import { pciCapability } from "../../runtime/pci.js";
import { msixVectors, queuePairs, VIRTIO_SUBSECTIONS as SUBSECTION_KEYS } from "../peers/layout.js";

const SUBSECTION = 0x05;
const QUEUES = 1024; // VIRTIO_QUEUE_MAX
/** Shared and frozen: V8 gives even an empty typed array a backing store of its own, at the cost of a large one. */
const NO_BYTES = Object.freeze(new Uint8Array(0));

class Input {
  readonly dv: DataView;
  pos = 0;

  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Claims the next `n` bytes and returns their offset. */
  take(n: number): number {
    const p = this.pos;
    if (n > this.bytes.length - p)
      fail(p, `truncated: ${n} bytes needed, ${this.bytes.length - p} left`);
    this.pos = p + n;
    return p;
  }

  copy(n: number): Uint8Array {
    const p = this.take(n);
    return n === 0 ? NO_BYTES : this.bytes.slice(p, p + n);
  }

  /** QEMU's subsection lookahead: the name of the next subsection of `owner`, consumed with its version. */
  subsection(owner: string): string | undefined {
    const p = this.pos;
    const bytes = this.bytes;
    if (p + 2 > bytes.length || bytes[p] !== SUBSECTION) return undefined;
    const len = bytes[p + 1]!;
    if (len <= owner.length || p + 2 + len > bytes.length) return undefined;
    const name = String.fromCharCode(...bytes.subarray(p + 2, p + 2 + len));
    if (!name.startsWith(owner)) return undefined;
    this.pos = p + 2 + len;
    const version = this.dv.getUint32(this.take(4));
    if (version !== 1) fail(this.pos - 4, `subsection ${name} version ${version}`);
    return name;
  }
}

function fail(offset: number, reason: string): never {
  throw new Error(`virtio-net: ${reason} (at byte offset ${offset})`);
}

export function decodeVirtioNet(bytes: Uint8Array): VirtioNet {
  const c = new Input(bytes);
  const dv = c.dv;
  const pci = loadPci(c);
  const vectors = msixVectors(pci.config);
  const msix = vectors > 0;
  let msix_table: Uint8Array | undefined;
  let msix_pba: Uint8Array | undefined;
  let config_vector: number | undefined;
  if (msix) {
    msix_table = c.copy(vectors * 16);
    msix_pba = c.copy((vectors + 7) >> 3);
    config_vector = dv.getUint16(c.take(2));
    if (config_vector !== 0xffff && config_vector >= vectors)
      fail(c.pos - 2, "config_vector out of range");
  }
  let o = c.take(12);
  const status = bytes[o]!;
  const isr = bytes[o + 1]!;
  const queue_sel = dv.getUint16(o + 2);
  if (queue_sel >= QUEUES) fail(o + 2, "queue_sel out of range");
  const guest_features = dv.getUint32(o + 4);
  const config_len = dv.getInt32(o + 8);
  if (config_len < 0 || config_len > 256) fail(o + 8, "config_len out of range");
  const config = c.copy(config_len);
  const num_queues = dv.getUint32(c.take(4));
  if (num_queues > QUEUES) fail(c.pos - 4, "too many queues");
  const size = msix ? 16 : 14;
  o = c.take(num_queues * size);
  const vq = new Array<VirtQueue>(num_queues);
  for (let i = 0; i < num_queues; i++, o += size) {
    const desc = dv.getBigUint64(o + 4);
    const last_avail_idx = dv.getUint16(o + 12);
    if (desc === 0n && last_avail_idx !== 0)
      fail(o, "a queue without a descriptor table has no available index");
    let vector: number | undefined;
    if (msix) {
      vector = dv.getUint16(o + 14);
      if (vector !== 0xffff && vector >= vectors) fail(o + 14, "queue vector out of range");
    }
    vq[i] = { vring: { num: dv.getUint32(o), desc }, last_avail_idx, vector };
  }
  // The destination's queue pairs, as the schema derives them without parameters.
  const device = loadDevice(c, guest_features, queuePairs(config_len, config, vectors));
  const virtio = loadVirtio(c);
  return {
    pci,
    msix_table,
    msix_pba,
    config_vector,
    status,
    isr,
    queue_sel,
    guest_features,
    config_len,
    config,
    num_queues,
    vq,
    device,
    virtio,
  };
}

function loadPci(c: Input): PCIDevice {
  const dv = c.dv;
  const o = c.take(260);
  const version_id = dv.getInt32(o);
  if (version_id < 0 || version_id > 2) fail(o, "PCIDevice version_id must be 0 to 2");
  const config = c.bytes.slice(o + 4, o + 260);
  const config_express = pciCapability(config, 0x10) !== 0 ? c.copy(3840) : undefined;
  const q = c.take(16);
  const irq_state = [dv.getInt32(q), dv.getInt32(q + 4), dv.getInt32(q + 8), dv.getInt32(q + 12)];
  for (const irq of irq_state)
    if (irq !== 0 && irq !== 1) fail(q, "irq_state entries must be 0 or 1");
  return { version_id, config, config_express, irq_state };
}

/** The device part alone (`vmstate_virtio_net_device`), with what the section has read before it. */
export function decodeVirtioNetDevice(
  bytes: Uint8Array,
  guestFeatures: number,
  maxPairs: number,
): VirtioNetDevice {
  return loadDevice(new Input(bytes), guestFeatures, maxPairs);
}

function loadDevice(c: Input, guestFeatures: number, maxPairs: number): VirtioNetDevice {
  const { dv, bytes } = c;
  let o = c.take(22);
  const mac = [
    bytes[o]!,
    bytes[o + 1]!,
    bytes[o + 2]!,
    bytes[o + 3]!,
    bytes[o + 4]!,
    bytes[o + 5]!,
  ];
  const vqs = { tx_waiting: dv.getUint32(o + 6) };
  const mergeable_rx_bufs = dv.getUint32(o + 10);
  const status = dv.getUint16(o + 14);
  const promisc = bytes[o + 16]!;
  const allmulti = bytes[o + 17]!;
  const in_use = dv.getUint32(o + 18);
  let macs: Uint8Array | undefined;
  // A table larger than 64 entries is skipped (CVE-2013-4148).
  if (in_use <= 64) macs = c.copy(in_use * 6);
  else c.take(in_use * 6);
  o = c.take(512 + 4 + 7);
  const vlans = new Array<number>(128);
  for (let i = 0; i < 128; i++) vlans[i] = dv.getUint32(o + 4 * i, true);
  o += 512;
  const has_vnet_hdr = dv.getUint32(o);
  const multi_overflow = bytes[o + 4]!;
  const uni_overflow = bytes[o + 5]!;
  const alluni = bytes[o + 6]!;
  const nomulti = bytes[o + 7]!;
  const nouni = bytes[o + 8]!;
  const nobcast = bytes[o + 9]!;
  const has_ufo = bytes[o + 10]!;
  let max_queue_pairs: number | undefined;
  let curr_queue_pairs: number | undefined;
  if (maxPairs > 1) {
    o = c.take(4);
    max_queue_pairs = dv.getUint16(o);
    if (max_queue_pairs !== maxPairs)
      fail(o, `max_queue_pairs: expected ${maxPairs}, found ${max_queue_pairs}`);
    curr_queue_pairs = dv.getUint16(o + 2);
  }
  const pairs = curr_queue_pairs ?? 1;
  if (pairs < 1 || pairs > (maxPairs > 1 ? maxPairs : 1) || pairs > 511)
    fail(c.pos, "curr_queue_pairs out of range");
  o = c.take((pairs - 1) * 4);
  const vqs_1 = new Array<{ tx_waiting: number }>(pairs - 1);
  for (let i = 0; i < pairs - 1; i++) vqs_1[i] = { tx_waiting: dv.getUint32(o + 4 * i) };
  const curr_guest_offloads = (guestFeatures & 0x4) !== 0 ? dv.getBigUint64(c.take(8)) : undefined;
  let rss: VirtioNetDeviceRss | undefined;
  for (
    let name = c.subsection("virtio-net-device");
    name !== undefined;
    name = c.subsection("virtio-net-device")
  ) {
    if (name !== "virtio-net-device/rss") fail(c.pos, `unknown subsection ${name}`);
    if (rss !== undefined) fail(c.pos, `subsection ${name} appears twice`);
    rss = loadRss(c);
  }
  return {
    mac,
    vqs,
    mergeable_rx_bufs,
    status,
    promisc,
    allmulti,
    mac_table: { in_use, macs, multi_overflow, uni_overflow },
    vlans,
    has_vnet_hdr,
    alluni,
    nomulti,
    nouni,
    nobcast,
    has_ufo,
    max_queue_pairs,
    curr_queue_pairs,
    vqs_1,
    curr_guest_offloads,
    rss,
  };
}

function loadRss(c: Input): VirtioNetDeviceRss {
  const { dv, bytes } = c;
  const o = c.take(51);
  const indirections_len = dv.getUint16(o + 7);
  if (indirections_len > 128) fail(o + 7, "indirections_len out of range");
  const key = Array.from(bytes.subarray(o + 11, o + 51));
  const t = c.take(indirections_len * 2);
  const indirections_table = new Array<number>(indirections_len);
  for (let i = 0; i < indirections_len; i++) indirections_table[i] = dv.getUint16(t + 2 * i);
  return {
    rss_data: {
      enabled: bytes[o] !== 0,
      redirect: bytes[o + 1] !== 0,
      populate_hash: bytes[o + 2] !== 0,
      hash_types: dv.getUint32(o + 3),
      indirections_len,
      default_queue: dv.getUint16(o + 9),
      key,
      indirections_table,
    },
  };
}

function loadVirtio(c: Input): Virtio {
  const { dv, bytes } = c;
  const s: Virtio = {
    device_endian: undefined,
    features64: undefined,
    virtqueues: undefined,
    ringsize: undefined,
    broken: undefined,
    extra_state: undefined,
    started: undefined,
    packed_virtqueues: undefined,
    disabled: undefined,
  };
  for (let name = c.subsection("virtio"); name !== undefined; name = c.subsection("virtio")) {
    const key = VIRTIO_SUBSECTIONS.get(name);
    if (key === undefined) fail(c.pos, `unknown subsection ${name}`);
    if (s[key] !== undefined) fail(c.pos, `subsection ${name} appears twice`);
    switch (key) {
      case "device_endian":
        s.device_endian = { device_endian: bytes[c.take(1)]! };
        break;
      case "features64":
        s.features64 = { guest_features: dv.getBigUint64(c.take(8)) };
        break;
      case "virtqueues": {
        let o = c.take(QUEUES * 16);
        const vq = new Array<{ vring: { avail: bigint; used: bigint } }>(QUEUES);
        for (let i = 0; i < QUEUES; i++, o += 16)
          vq[i] = { vring: { avail: dv.getBigUint64(o), used: dv.getBigUint64(o + 8) } };
        s.virtqueues = { vq };
        break;
      }
      case "ringsize": {
        const o = c.take(QUEUES * 4);
        const vq = new Array<{ vring: { num_default: number } }>(QUEUES);
        for (let i = 0; i < QUEUES; i++)
          vq[i] = { vring: { num_default: dv.getUint32(o + 4 * i) } };
        s.ringsize = { vq };
        break;
      }
      case "broken":
        s.broken = { broken: bytes[c.take(1)] !== 0 };
        break;
      case "extra_state":
        s.extra_state = { extra_state: loadVirtioPci(c) };
        break;
      case "started":
        s.started = { started: bytes[c.take(1)] !== 0 };
        break;
      case "packed_virtqueues": {
        let o = c.take(QUEUES * 10);
        const vq = new Array<NonNullable<Virtio["packed_virtqueues"]>["vq"][number]>(QUEUES);
        for (let i = 0; i < QUEUES; i++, o += 10) {
          vq[i] = {
            last_avail_idx: dv.getUint16(o),
            last_avail_wrap_counter: bytes[o + 2] !== 0,
            used_idx: dv.getUint16(o + 3),
            used_wrap_counter: bytes[o + 5] !== 0,
            inuse: dv.getUint32(o + 6),
          };
        }
        s.packed_virtqueues = { vq };
        break;
      }
      case "disabled":
        s.disabled = { disabled: bytes[c.take(1)] !== 0 };
        break;
    }
  }
  return s;
}

const VIRTIO_SUBSECTIONS = new Map(SUBSECTION_KEYS as readonly (readonly [string, keyof Virtio])[]);

function loadVirtioPci(c: Input): VirtioPci {
  const { dv, bytes } = c;
  let modern_state: VirtioPci["modern_state"];
  for (
    let name = c.subsection("virtio_pci");
    name !== undefined;
    name = c.subsection("virtio_pci")
  ) {
    if (name !== "virtio_pci/modern_state") fail(c.pos, `unknown subsection ${name}`);
    if (modern_state !== undefined) fail(c.pos, `subsection ${name} appears twice`);
    let o = c.take(16 + QUEUES * 28);
    const dfselect = dv.getUint32(o);
    const gfselect = dv.getUint32(o + 4);
    const guest_features = [dv.getUint32(o + 8), dv.getUint32(o + 12)];
    o += 16;
    const vqs = new Array<NonNullable<VirtioPci["modern_state"]>["vqs"][number]>(QUEUES);
    for (let i = 0; i < QUEUES; i++, o += 28) {
      vqs[i] = {
        num: dv.getUint16(o),
        enabled: bytes[o + 3] !== 0, // o + 2: the unused byte of the old be16 `enabled`
        desc: [dv.getUint32(o + 4), dv.getUint32(o + 8)],
        avail: [dv.getUint32(o + 12), dv.getUint32(o + 16)],
        used: [dv.getUint32(o + 20), dv.getUint32(o + 24)],
      };
    }
    modern_state = { dfselect, gfselect, guest_features, vqs };
  }
  return { modern_state };
}
