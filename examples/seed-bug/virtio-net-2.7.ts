// The device state of virtio-net written by hand, in the shape of QEMU 2.7's C code
// (hw/net/virtio-net.c after 6c6668232e reverted the 2.5 change, v2.7.0): both sides put
// curr_guest_offloads before the virtio subsections. qemu-2.7-handwritten.vmstate uses this pair;
// `vmstate check` accepts it.

import type { Reader, Writer } from "../../runtime/index.js";

const VIRTIO_NET_F_CTRL_GUEST_OFFLOADS = 0x4;
const MAC_TABLE_ENTRIES = 64;
const ETH_ALEN = 6;

export interface VirtioNetDeviceState {
  mac: Uint8Array;
  tx_waiting: number;
  mergeable_rx_bufs: number;
  status: number;
  promisc: number;
  allmulti: number;
  in_use: number;
  macs: Uint8Array | undefined;
  vlans: Uint8Array;
  has_vnet_hdr: number;
  multi_overflow: number;
  uni_overflow: number;
  alluni: number;
  nomulti: number;
  nouni: number;
  nobcast: number;
  has_ufo: number;
  max_queues: number | undefined;
  curr_queues: number | undefined;
  tx_waiting_1: number[];
  curr_guest_offloads: bigint | undefined;
  device_endian: number | undefined;
  guest_features64: bigint | undefined;
}

/** virtio_net_save_device, then the subsections virtio_save writes after it. */
export function saveVirtioNetDevice(
  w: Writer,
  s: VirtioNetDeviceState,
  p: unknown,
  guest_features: number,
  max_queues: number,
): void {
  writeDeviceFields(w, s, max_queues);
  if ((guest_features & VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) !== 0) {
    w.u64(w.present(s.curr_guest_offloads, "curr_guest_offloads"), "curr_guest_offloads");
  }
  writeVirtioSubsections(w, s);
}

/** virtio_net_load_device: the device fields and the offloads; then the subsections of virtio_load. */
export function loadVirtioNetDevice(
  r: Reader,
  p: unknown,
  guest_features: number,
  max_queues: number,
): VirtioNetDeviceState {
  const device = readDeviceFields(r, max_queues);
  let curr_guest_offloads: bigint | undefined;
  if ((guest_features & VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) !== 0) {
    curr_guest_offloads = r.u64("curr_guest_offloads");
  }
  const virtio = readVirtioSubsections(r);
  return { ...device, curr_guest_offloads, ...virtio };
}

function writeDeviceFields(w: Writer, s: VirtioNetDeviceState, max_queues: number): void {
  w.bytes(s.mac, ETH_ALEN, "mac");
  w.u32(s.tx_waiting, "tx_waiting");
  w.u32(s.mergeable_rx_bufs, "mergeable_rx_bufs");
  w.u16(s.status, "status");
  w.u8(s.promisc, "promisc");
  w.u8(s.allmulti, "allmulti");
  w.u32(s.in_use, "in_use");
  if (s.in_use <= MAC_TABLE_ENTRIES) {
    w.bytes(w.present(s.macs, "macs"), w.count(s.in_use * ETH_ALEN, 384, "macs"), "macs");
  } else {
    w.skip(w.count(s.in_use * ETH_ALEN, 25769803770, "macs"), "macs");
  }
  w.bytes(s.vlans, 512, "vlans");
  w.u32(s.has_vnet_hdr, "has_vnet_hdr");
  w.u8(s.multi_overflow, "multi_overflow");
  w.u8(s.uni_overflow, "uni_overflow");
  w.u8(s.alluni, "alluni");
  w.u8(s.nomulti, "nomulti");
  w.u8(s.nouni, "nouni");
  w.u8(s.nobcast, "nobcast");
  w.u8(s.has_ufo, "has_ufo");
  if (max_queues > 1) {
    w.u16(w.present(s.max_queues, "max_queues"), "max_queues");
    const curr_queues = w.present(s.curr_queues, "curr_queues");
    w.u16(curr_queues, "curr_queues");
    const waiting = w.array(
      s.tx_waiting_1,
      w.count(curr_queues - 1, 510, "tx_waiting_1"),
      "tx_waiting_1",
    );
    for (let i = 0; i < curr_queues - 1; i++) {
      w.u32(waiting[i]!, "tx_waiting_1[]");
    }
  }
}

function readDeviceFields(
  r: Reader,
  max_queues: number,
): Omit<VirtioNetDeviceState, "curr_guest_offloads" | "device_endian" | "guest_features64"> {
  const mac = r.bytes(ETH_ALEN, "mac");
  const tx_waiting = r.u32("tx_waiting");
  const mergeable_rx_bufs = r.u32("mergeable_rx_bufs");
  const status = r.u16("status");
  const promisc = r.u8("promisc");
  const allmulti = r.u8("allmulti");
  const in_use = r.u32("in_use");
  let macs: Uint8Array | undefined;
  if (in_use <= MAC_TABLE_ENTRIES) {
    macs = r.bytes(r.count(in_use * ETH_ALEN, 384, "macs"), "macs");
  } else {
    r.skip(r.count(in_use * ETH_ALEN, 25769803770, "macs"), "macs");
  }
  const vlans = r.bytes(512, "vlans");
  const has_vnet_hdr = r.u32("has_vnet_hdr");
  const multi_overflow = r.u8("multi_overflow");
  const uni_overflow = r.u8("uni_overflow");
  const alluni = r.u8("alluni");
  const nomulti = r.u8("nomulti");
  const nouni = r.u8("nouni");
  const nobcast = r.u8("nobcast");
  const has_ufo = r.u8("has_ufo");
  let max_queues_read: number | undefined;
  let curr_queues: number | undefined;
  const tx_waiting_1: number[] = [];
  if (max_queues > 1) {
    max_queues_read = r.u16("max_queues");
    curr_queues = r.u16("curr_queues");
    r.count(curr_queues - 1, 510, "tx_waiting_1");
    for (let i = 0; i < curr_queues - 1; i++) {
      tx_waiting_1[i] = r.u32("tx_waiting_1[]");
    }
  }
  const max_queues_out = max_queues_read;
  return {
    mac,
    tx_waiting,
    mergeable_rx_bufs,
    status,
    promisc,
    allmulti,
    in_use,
    macs,
    vlans,
    has_vnet_hdr,
    multi_overflow,
    uni_overflow,
    alluni,
    nomulti,
    nouni,
    nobcast,
    has_ufo,
    max_queues: max_queues_out,
    curr_queues,
    tx_waiting_1,
  };
}

/** vmstate_virtio's subsections, two of them, as virtio_save writes them after the device. */
function writeVirtioSubsections(w: Writer, s: VirtioNetDeviceState): void {
  if (s.device_endian !== undefined) {
    w.subsection("virtio/device_endian", 1);
    w.u8(s.device_endian, "device_endian");
  }
  if (s.guest_features64 !== undefined) {
    w.subsection("virtio/64bit_features", 1);
    w.u64(s.guest_features64, "guest_features64");
  }
}

function readVirtioSubsections(r: Reader): {
  device_endian: number | undefined;
  guest_features64: bigint | undefined;
} {
  let device_endian: number | undefined;
  let guest_features64: bigint | undefined;
  for (let name = r.subsection("virtio"); name !== undefined; name = r.subsection("virtio")) {
    if (name === "virtio/device_endian") {
      r.subsectionVersion(name, 1, 1, "device_endian");
      device_endian = r.u8("device_endian");
    } else if (name === "virtio/64bit_features") {
      r.subsectionVersion(name, 1, 1, "guest_features64");
      guest_features64 = r.u64("guest_features64");
    } else r.unknownSubsection(name, "virtio");
  }
  return { device_endian, guest_features64 };
}
