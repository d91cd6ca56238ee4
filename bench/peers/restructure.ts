// The virtio-net layout for npm restructure (decode and encode, an interpreter of its type objects).
// It has no 64-bit integers and no lookahead, so those are two small custom types, as its README
// suggests. `toState` and `fromState` rename between its values and the generated code's state.

import * as r from "restructure";
import type { VirtioNet, VirtioNetDevice } from "../../generated/virtio-net.js";
import {
  isExpress,
  msixVectors,
  QUEUES,
  queuePairs,
  subsectionAt,
  VIRTIO_SUBSECTIONS,
} from "./layout.js";

type Values = Record<string, any>;

/** A struct's own values: the struct itself while decoding, `ctx.val` while sizing or encoding. */
const own = (p: Values): Values => ("pointerSize" in p ? p["val"] : p);
/**
 * The nearest values up the parent chain that have `key`: restructure nests its contexts one level
 * deeper while sizing inside an encode than while decoding, so a fixed number of steps up is wrong.
 */
function nearest(p: Values, key: string): Values {
  for (let at: Values | undefined = p; at !== undefined && at !== null; at = at["parent"]) {
    const v = own(at);
    if (typeof v === "object" && v !== null && key in v) return v;
  }
  throw new Error(`restructure: no ${key} above`);
}

const uint64be: r.Codec = {
  decode: (s) => s.view.getBigUint64((s.pos += 8) - 8),
  encode: (s, v: bigint) => s.view.setBigUint64((s.pos += 8) - 8, v),
  size: () => 8,
};

/** QEMU's subsections of `owner`: any subset in any order while decoding, QEMU's order while encoding. */
function subsections(
  owner: string,
  arms: readonly (readonly [string, string, r.Codec])[],
): r.Codec {
  return {
    decode(s, parent) {
      const out: Values = {};
      for (
        let name = subsectionAt(s.buffer, s.pos, owner);
        name !== undefined;
        name = subsectionAt(s.buffer, s.pos, owner)
      ) {
        const arm = arms.find(([n]) => n === name);
        if (!arm) throw new Error(`unknown subsection ${name}`);
        s.pos += 2 + name.length;
        if (s.readUInt32BE() !== 1) throw new Error(`subsection ${name}: unknown version`);
        out[arm[1]] = arm[2].decode(s, parent);
      }
      return out;
    },
    size(v, parent) {
      let size = 0;
      for (const [name, key, type] of arms)
        if ((v as Values)[key] !== undefined)
          size += 6 + name.length + type.size((v as Values)[key], parent);
      return size;
    },
    encode(s, v: Values, parent) {
      for (const [name, key, type] of arms) {
        if (v[key] === undefined) continue;
        s.writeUInt8(0x05);
        s.writeUInt8(name.length);
        s.writeBuffer(Uint8Array.from(name, (c) => c.charCodeAt(0)));
        s.writeUInt32BE(1);
        type.encode(s, v[key], parent);
      }
    },
  };
}

const bool = new r.Boolean(r.uint8);
const txWaiting = new r.Struct({ tx_waiting: r.uint32be });

const rss = new r.Struct({
  enabled: bool,
  redirect: bool,
  populate_hash: bool,
  hash_types: r.uint32be,
  indirections_len: r.uint16be,
  default_queue: r.uint16be,
  key: new r.Array(r.uint8, 40),
  indirections_table: new r.Array(r.uint16be, "indirections_len"),
});

/** The device part; `features` and `pairs` find what the section read before it. */
function device(features: (p: Values) => number, pairs: (p: Values) => number): r.Struct {
  const multi = (p: Values): boolean => pairs(p) > 1;
  return new r.Struct({
    mac: new r.Array(r.uint8, 6),
    vqs: txWaiting,
    mergeable_rx_bufs: r.uint32be,
    status: r.uint16be,
    promisc: r.uint8,
    allmulti: r.uint8,
    mac_table_in_use: r.uint32be,
    mac_table_macs: new r.Optional(
      new r.Buffer((p: Values) => own(p)["mac_table_in_use"] * 6),
      (p: Values) => own(p)["mac_table_in_use"] <= 64,
    ),
    unused: new r.Reserved(r.uint8, (p: Values) =>
      own(p)["mac_table_in_use"] > 64 ? own(p)["mac_table_in_use"] * 6 : 0,
    ),
    vlans: new r.Array(r.uint32le, 128),
    has_vnet_hdr: r.uint32be,
    mac_table_multi_overflow: r.uint8,
    mac_table_uni_overflow: r.uint8,
    alluni: r.uint8,
    nomulti: r.uint8,
    nouni: r.uint8,
    nobcast: r.uint8,
    has_ufo: r.uint8,
    max_queue_pairs: new r.Optional(r.uint16be, multi),
    curr_queue_pairs: new r.Optional(r.uint16be, multi),
    vqs_1: new r.Array(txWaiting, (p: Values) => (own(p)["curr_queue_pairs"] ?? 1) - 1),
    curr_guest_offloads: new r.Optional(uint64be, (p: Values) => (features(p) & 0x4) !== 0),
    subsections: subsections("virtio-net-device", [["virtio-net-device/rss", "rss", rss]]),
  });
}

const pciDevice = new r.Struct({
  version_id: r.int32be,
  config: new r.Buffer(256),
  config_express: new r.Optional(new r.Buffer(3840), (p: Values) => isExpress(own(p)["config"])),
  irq_state: new r.Array(r.int32be, 4),
});

const virtQueue = new r.Struct({
  vring_num: r.uint32be,
  vring_desc: uint64be,
  last_avail_idx: r.uint16be,
  vector: new r.Optional(
    r.uint16be,
    (p: Values) => msixVectors(nearest(p, "pci")["pci"].config) > 0,
  ),
});

const modernState = new r.Struct({
  dfselect: r.uint32be,
  gfselect: r.uint32be,
  guest_features: new r.Array(r.uint32be, 2),
  vqs: new r.Array(
    new r.Struct({
      num: r.uint16be,
      unused: new r.Reserved(r.uint8, 1),
      enabled: bool,
      desc: new r.Array(r.uint32be, 2),
      avail: new r.Array(r.uint32be, 2),
      used: new r.Array(r.uint32be, 2),
    }),
    QUEUES,
  ),
});

const virtioBodies: Record<string, r.Codec> = {
  device_endian: new r.Struct({ device_endian: r.uint8 }),
  features64: new r.Struct({ guest_features: uint64be }),
  virtqueues: new r.Struct({
    vq: new r.Array(new r.Struct({ vring_avail: uint64be, vring_used: uint64be }), QUEUES),
  }),
  ringsize: new r.Struct({ vq: new r.Array(r.uint32be, QUEUES) }),
  broken: new r.Struct({ broken: bool }),
  extra_state: new r.Struct({
    extra_state: new r.Struct({
      subsections: subsections("virtio_pci", [
        ["virtio_pci/modern_state", "modern_state", modernState],
      ]),
    }),
  }),
  started: new r.Struct({ started: bool }),
  packed_virtqueues: new r.Struct({
    vq: new r.Array(
      new r.Struct({
        last_avail_idx: r.uint16be,
        last_avail_wrap_counter: bool,
        used_idx: r.uint16be,
        used_wrap_counter: bool,
        inuse: r.uint32be,
      }),
      QUEUES,
    ),
  }),
  disabled: new r.Struct({ disabled: bool }),
};

const vectorsOf = (p: Values): number => msixVectors(own(p)["pci"].config);
const msix = (p: Values): boolean => vectorsOf(p) > 0;

export const sectionCodec = new r.Struct({
  pci: pciDevice,
  msix_table: new r.Optional(new r.Buffer((p: Values) => vectorsOf(p) * 16), msix),
  msix_pba: new r.Optional(new r.Buffer((p: Values) => (vectorsOf(p) + 7) >> 3), msix),
  config_vector: new r.Optional(r.uint16be, msix),
  status: r.uint8,
  isr: r.uint8,
  queue_sel: r.uint16be,
  guest_features: r.uint32be,
  config_len: r.int32be,
  config: new r.Buffer("config_len"),
  num_queues: r.uint32be,
  vq: new r.Array(virtQueue, "num_queues"),
  device: device(
    (p) => nearest(p, "guest_features")["guest_features"],
    (p) => {
      const section = nearest(p, "config_len");
      return queuePairs(section["config_len"], section["config"], vectorsOf(section));
    },
  ),
  virtio: new r.Struct({
    subsections: subsections(
      "virtio",
      VIRTIO_SUBSECTIONS.map(([name, key]) => [name, key, virtioBodies[key]!] as const),
    ),
  }),
});

/** The device part alone; the section's values are built in. */
export function deviceCodec(guestFeatures: number, maxPairs: number): r.Struct {
  return device(
    () => guestFeatures,
    () => maxPairs,
  );
}

// ------------------------------------------------------------------ renaming, for the check only

export function deviceState(d: Values): VirtioNetDevice {
  const rss = d["subsections"]["rss"];
  return {
    mac: d["mac"],
    vqs: { tx_waiting: d["vqs"].tx_waiting },
    mergeable_rx_bufs: d["mergeable_rx_bufs"],
    status: d["status"],
    promisc: d["promisc"],
    allmulti: d["allmulti"],
    mac_table: {
      in_use: d["mac_table_in_use"],
      macs: d["mac_table_macs"],
      multi_overflow: d["mac_table_multi_overflow"],
      uni_overflow: d["mac_table_uni_overflow"],
    },
    vlans: d["vlans"],
    has_vnet_hdr: d["has_vnet_hdr"],
    alluni: d["alluni"],
    nomulti: d["nomulti"],
    nouni: d["nouni"],
    nobcast: d["nobcast"],
    has_ufo: d["has_ufo"],
    max_queue_pairs: d["max_queue_pairs"],
    curr_queue_pairs: d["curr_queue_pairs"],
    vqs_1: (d["vqs_1"] as Values[]).map((q) => ({ tx_waiting: q["tx_waiting"] })),
    curr_guest_offloads: d["curr_guest_offloads"],
    rss: rss && { rss_data: { ...rss } },
  };
}

export function sectionState(s: Values): VirtioNet {
  const subs: Values = s["virtio"]["subsections"];
  const modern = subs["extra_state"]?.extra_state.subsections.modern_state;
  return {
    pci: { ...s["pci"] },
    msix_table: s["msix_table"],
    msix_pba: s["msix_pba"],
    config_vector: s["config_vector"],
    status: s["status"],
    isr: s["isr"],
    queue_sel: s["queue_sel"],
    guest_features: s["guest_features"],
    config_len: s["config_len"],
    config: s["config"],
    num_queues: s["num_queues"],
    vq: (s["vq"] as Values[]).map((q) => ({
      vring: { num: q["vring_num"], desc: q["vring_desc"] },
      last_avail_idx: q["last_avail_idx"],
      vector: q["vector"],
    })),
    device: deviceState(s["device"]),
    virtio: {
      device_endian: subs["device_endian"] && { ...subs["device_endian"] },
      features64: subs["features64"] && { ...subs["features64"] },
      virtqueues: subs["virtqueues"] && {
        vq: (subs["virtqueues"].vq as Values[]).map((q) => ({
          vring: { avail: q["vring_avail"], used: q["vring_used"] },
        })),
      },
      ringsize: subs["ringsize"] && {
        vq: (subs["ringsize"].vq as number[]).map((n) => ({ vring: { num_default: n } })),
      },
      broken: subs["broken"] && { ...subs["broken"] },
      extra_state: subs["extra_state"] && {
        extra_state: {
          modern_state: modern && {
            ...modern,
            vqs: (modern.vqs as Values[]).map((q) => ({ ...q })),
          },
        },
      },
      started: subs["started"] && { ...subs["started"] },
      packed_virtqueues: subs["packed_virtqueues"] && {
        vq: (subs["packed_virtqueues"].vq as Values[]).map((q) => ({ ...q })),
      },
      disabled: subs["disabled"] && { ...subs["disabled"] },
    },
  };
}

export function deviceValues(d: VirtioNetDevice): Values {
  return {
    ...d,
    mac_table_in_use: d.mac_table.in_use,
    mac_table_macs: d.mac_table.macs,
    mac_table_multi_overflow: d.mac_table.multi_overflow,
    mac_table_uni_overflow: d.mac_table.uni_overflow,
    subsections: { rss: d.rss && d.rss.rss_data },
  };
}

export function sectionValues(s: VirtioNet): Values {
  const v = s.virtio;
  const modern = v.extra_state?.extra_state.modern_state;
  return {
    ...s,
    vq: s.vq.map((q) => ({
      vring_num: q.vring.num,
      vring_desc: q.vring.desc,
      last_avail_idx: q.last_avail_idx,
      vector: q.vector,
    })),
    device: deviceValues(s.device),
    virtio: {
      subsections: {
        ...v,
        virtqueues: v.virtqueues && {
          vq: v.virtqueues.vq.map((q) => ({
            vring_avail: q.vring.avail,
            vring_used: q.vring.used,
          })),
        },
        ringsize: v.ringsize && { vq: v.ringsize.vq.map((q) => q.vring.num_default) },
        extra_state: v.extra_state && { extra_state: { subsections: { modern_state: modern } } },
      },
    },
  };
}
