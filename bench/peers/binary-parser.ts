// The virtio-net layout for npm binary-parser (decode only; it compiles a parser with `new Function`).
// Byte fields are cloned and booleans formatted, so it produces the values the generated reader does;
// `toState` renames its output into the generated code's state shape for the equivalence check.

import { Parser } from "binary-parser";
import type { VirtioNet, VirtioNetDevice } from "../../generated/virtio-net.js";
import {
  isExpress,
  msixVectors,
  QUEUES,
  queuePairs,
  subsectionAt,
  VIRTIO_SUBSECTIONS,
} from "./layout.js";

/** Parsed values: binary-parser builds plain objects of its own shape. */
type Parsed = Record<string, any>;

const empty = (): Parser => new Parser();
const bool = { formatter: (v: number): boolean => v !== 0 };

/**
 * QEMU's subsections of `owner`: any subset, in any order. A zero-length buffer whose `readUntil`
 * sees the rest of the input peeks for the first one (binary-parser has no other lookahead).
 */
function subsections(owner: string, arms: readonly (readonly [string, string, Parser])[]): Parser {
  const index = new Map(arms.map(([name], i) => [name, i]));
  const choices: Record<number, Parser> = {};
  arms.forEach(([, key, body], i) => (choices[i] = new Parser().nest(key, { type: body })));
  const one = new Parser()
    .uint8("marker")
    .uint8("length")
    .string("name", { length: "length", encoding: "latin1" })
    .uint32be("version", { assert: 1 })
    .choice({
      tag: function (this: Parsed) {
        return index.get(this["name"]) ?? -1;
      },
      choices,
    });
  return new Parser()
    .buffer("$peek", {
      readUntil: function (this: Parsed, _byte: number, rest: Uint8Array) {
        this["$more"] = subsectionAt(rest, 0, owner) !== undefined;
        return true;
      },
    })
    .choice({
      tag: function (this: Parsed) {
        return this["$more"] === true ? 1 : 0;
      },
      choices: {
        0: empty(),
        1: new Parser().array("list", {
          type: one,
          readUntil: (_item: unknown, rest: Uint8Array) =>
            subsectionAt(rest, 0, owner) === undefined,
        }),
      },
    });
}

const txWaiting = new Parser().uint32be("tx_waiting");

const rss = new Parser()
  .uint8("enabled", bool)
  .uint8("redirect", bool)
  .uint8("populate_hash", bool)
  .uint32be("hash_types")
  .uint16be("indirections_len", { assert: (n) => (n as number) <= 128 })
  .uint16be("default_queue")
  .array("key", { type: "uint8", length: 40 })
  .array("indirections_table", { type: "uint16be", length: "indirections_len" });

/** The device part; `features` and `pairs` find what the section read before it. */
function device(features: (root: Parsed) => number, pairs: (root: Parsed) => number): Parser {
  return new Parser()
    .array("mac", { type: "uint8", length: 6 })
    .nest("vqs", { type: txWaiting })
    .uint32be("mergeable_rx_bufs")
    .uint16be("status")
    .uint8("promisc")
    .uint8("allmulti")
    .uint32be("mac_table_in_use")
    .buffer("mac_table_macs", {
      length: function (this: Parsed) {
        return this["mac_table_in_use"] <= 64 ? this["mac_table_in_use"] * 6 : 0;
      },
      clone: true,
    })
    .seek(function (this: Parsed) {
      return this["mac_table_in_use"] > 64 ? this["mac_table_in_use"] * 6 : 0;
    })
    .array("vlans", { type: "uint32le", length: 128 })
    .uint32be("has_vnet_hdr")
    .uint8("mac_table_multi_overflow")
    .uint8("mac_table_uni_overflow")
    .uint8("alluni")
    .uint8("nomulti")
    .uint8("nouni")
    .uint8("nobcast")
    .uint8("has_ufo")
    .choice({
      tag: (root: Parsed) => (pairs(root) > 1 ? 1 : 0),
      choices: {
        0: empty(),
        1: new Parser().uint16be("max_queue_pairs").uint16be("curr_queue_pairs"),
      },
    })
    .array("vqs_1", {
      type: txWaiting,
      length: function (this: Parsed) {
        return (this["curr_queue_pairs"] ?? 1) - 1;
      },
    })
    .choice({
      tag: (root: Parsed) => ((features(root) & 0x4) !== 0 ? 1 : 0),
      choices: { 0: empty(), 1: new Parser().uint64be("curr_guest_offloads") },
    })
    .nest("subsections", {
      type: subsections("virtio-net-device", [["virtio-net-device/rss", "rss", rss]]),
    });
}

const pciDevice = new Parser()
  .int32be("version_id", { assert: (v) => (v as number) >= 0 && (v as number) <= 2 })
  .buffer("config", { length: 256, clone: true })
  .buffer("config_express", {
    length: function (this: Parsed) {
      return isExpress(this["config"]) ? 3840 : 0;
    },
    clone: true,
  })
  .array("irq_state", { type: "int32be", length: 4 });

const virtQueue = new Parser()
  .uint32be("num")
  .uint64be("desc")
  .uint16be("last_avail_idx")
  .choice({
    tag: (root: Parsed) => (msixVectors(root["pci"].config) > 0 ? 1 : 0),
    choices: { 0: empty(), 1: new Parser().uint16be("vector") },
  });

const modernState = new Parser()
  .uint32be("dfselect")
  .uint32be("gfselect")
  .array("guest_features", { type: "uint32be", length: 2 })
  .array("vqs", {
    type: new Parser()
      .uint16be("num")
      .seek(1)
      .uint8("enabled", bool)
      .array("desc", { type: "uint32be", length: 2 })
      .array("avail", { type: "uint32be", length: 2 })
      .array("used", { type: "uint32be", length: 2 }),
    length: QUEUES,
  });

const virtioBodies: Record<string, Parser> = {
  device_endian: new Parser().uint8("device_endian"),
  features64: new Parser().uint64be("guest_features"),
  virtqueues: new Parser().array("vq", {
    type: new Parser().uint64be("avail").uint64be("used"),
    length: QUEUES,
  }),
  ringsize: new Parser().array("vq", { type: "uint32be", length: QUEUES }),
  broken: new Parser().uint8("broken", bool),
  extra_state: subsections("virtio_pci", [
    ["virtio_pci/modern_state", "modern_state", modernState],
  ]),
  started: new Parser().uint8("started", bool),
  packed_virtqueues: new Parser().array("vq", {
    type: new Parser()
      .uint16be("last_avail_idx")
      .uint8("last_avail_wrap_counter", bool)
      .uint16be("used_idx")
      .uint8("used_wrap_counter", bool)
      .uint32be("inuse"),
    length: QUEUES,
  }),
  disabled: new Parser().uint8("disabled", bool),
};
const virtio = subsections(
  "virtio",
  VIRTIO_SUBSECTIONS.map(([name, key]) => [name, key, virtioBodies[key]!] as const),
);

const vectorsOf = (root: Parsed): number => msixVectors(root["pci"].config);

export const sectionParser = new Parser()
  .nest("pci", { type: pciDevice })
  .buffer("msix_table", { length: (root: Parsed) => vectorsOf(root) * 16, clone: true })
  .buffer("msix_pba", { length: (root: Parsed) => (vectorsOf(root) + 7) >> 3, clone: true })
  .choice({
    tag: (root: Parsed) => (vectorsOf(root) > 0 ? 1 : 0),
    choices: { 0: empty(), 1: new Parser().uint16be("config_vector") },
  })
  .uint8("status")
  .uint8("isr")
  .uint16be("queue_sel", { assert: (v) => (v as number) < QUEUES })
  .uint32be("guest_features")
  .int32be("config_len", { assert: (v) => (v as number) >= 0 && (v as number) <= 256 })
  .buffer("config", { length: "config_len", clone: true })
  .uint32be("num_queues", { assert: (v) => (v as number) <= QUEUES })
  .array("vq", { type: virtQueue, length: "num_queues" })
  .nest("device", {
    type: device(
      (root) => root["guest_features"],
      (root) => queuePairs(root["config_len"], root["config"], vectorsOf(root)),
    ),
  })
  .nest("virtio", { type: virtio });
sectionParser.compile();

/** The device part alone; binary-parser takes no arguments, so the section's values are built in. */
export function deviceParser(guestFeatures: number, maxPairs: number): Parser {
  const parser = device(
    () => guestFeatures,
    () => maxPairs,
  );
  parser.compile();
  return parser;
}

// ------------------------------------------------------------------ renaming, for the check only

function subsectionObjects(parsed: Parsed): Record<string, Parsed> {
  const out: Record<string, Parsed> = {};
  for (const item of (parsed["list"] ?? []) as Parsed[]) {
    const key = Object.keys(item).find(
      (k) => !["marker", "length", "name", "version"].includes(k),
    )!;
    out[key] = item[key];
  }
  return out;
}

export function deviceState(d: Parsed): VirtioNetDevice {
  const rssData = subsectionObjects(d["subsections"])["rss"];
  const multi = d["max_queue_pairs"] !== undefined;
  return {
    mac: d["mac"],
    vqs: { tx_waiting: d["vqs"].tx_waiting },
    mergeable_rx_bufs: d["mergeable_rx_bufs"],
    status: d["status"],
    promisc: d["promisc"],
    allmulti: d["allmulti"],
    mac_table: {
      in_use: d["mac_table_in_use"],
      macs: d["mac_table_in_use"] <= 64 ? d["mac_table_macs"] : undefined,
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
    max_queue_pairs: multi ? d["max_queue_pairs"] : undefined,
    curr_queue_pairs: multi ? d["curr_queue_pairs"] : undefined,
    vqs_1: (d["vqs_1"] as Parsed[]).map((q) => ({ tx_waiting: q["tx_waiting"] })),
    curr_guest_offloads: d["curr_guest_offloads"],
    rss: rssData && {
      rss_data: {
        enabled: rssData["enabled"],
        redirect: rssData["redirect"],
        populate_hash: rssData["populate_hash"],
        hash_types: rssData["hash_types"],
        indirections_len: rssData["indirections_len"],
        default_queue: rssData["default_queue"],
        key: rssData["key"],
        indirections_table: rssData["indirections_table"],
      },
    },
  };
}

export function sectionState(s: Parsed): VirtioNet {
  const msix = s["config_vector"] !== undefined;
  const subs = subsectionObjects(s["virtio"]);
  const extra = subs["extra_state"] && subsectionObjects(subs["extra_state"])["modern_state"];
  const vq = (list: Parsed[] | undefined, f: (q: Parsed) => unknown): { vq: never[] } | undefined =>
    list && { vq: list.map(f) as never[] };
  return {
    pci: {
      version_id: s["pci"].version_id,
      config: s["pci"].config,
      config_express: s["pci"].config_express.length > 0 ? s["pci"].config_express : undefined,
      irq_state: s["pci"].irq_state,
    },
    msix_table: msix ? s["msix_table"] : undefined,
    msix_pba: msix ? s["msix_pba"] : undefined,
    config_vector: s["config_vector"],
    status: s["status"],
    isr: s["isr"],
    queue_sel: s["queue_sel"],
    guest_features: s["guest_features"],
    config_len: s["config_len"],
    config: s["config"],
    num_queues: s["num_queues"],
    vq: (s["vq"] as Parsed[]).map((q) => ({
      vring: { num: q["num"], desc: q["desc"] },
      last_avail_idx: q["last_avail_idx"],
      vector: q["vector"],
    })),
    device: deviceState(s["device"]),
    virtio: {
      device_endian: subs["device_endian"] && {
        device_endian: subs["device_endian"]["device_endian"],
      },
      features64: subs["features64"] && { guest_features: subs["features64"]["guest_features"] },
      virtqueues: vq(subs["virtqueues"]?.["vq"], (q) => ({
        vring: { avail: q["avail"], used: q["used"] },
      })),
      ringsize: vq(subs["ringsize"]?.["vq"], (n) => ({ vring: { num_default: n } })),
      broken: subs["broken"] && { broken: subs["broken"]["broken"] },
      extra_state: subs["extra_state"] && {
        extra_state: {
          modern_state: extra && {
            dfselect: extra["dfselect"],
            gfselect: extra["gfselect"],
            guest_features: extra["guest_features"],
            vqs: extra["vqs"],
          },
        },
      },
      started: subs["started"] && { started: subs["started"]["started"] },
      packed_virtqueues: vq(subs["packed_virtqueues"]?.["vq"], (q) => ({ ...q })),
      disabled: subs["disabled"] && { disabled: subs["disabled"]["disabled"] },
    },
  };
}
