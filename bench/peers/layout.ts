// What the peers' definitions of the virtio-net layout share: the values the schema derives from
// bytes already read (MSI-X vectors, queue pairs) and QEMU's subsection lookahead.

import { pciCapability } from "../../runtime/pci.js";

export const QUEUES = 1024; // VIRTIO_QUEUE_MAX

/** MSI-X vectors from the PCI configuration space (its MSI-X capability's table size). */
export function msixVectors(config: Uint8Array): number {
  const cap = pciCapability(config, 0x11);
  return cap === 0 ? 0 : ((config[cap + 2]! | (config[cap + 3]! << 8)) & 0x7ff) + 1;
}

export function isExpress(config: Uint8Array): boolean {
  return pciCapability(config, 0x10) !== 0;
}

/** The destination's queue pairs, as the schema derives them when no parameter says. */
export function queuePairs(configLen: number, config: Uint8Array, vectors: number): number {
  if (configLen < 10) return 1;
  const fromConfig = config[8]! | (config[9]! << 8);
  return fromConfig !== 0 ? fromConfig : vectors >= 4 ? (vectors - 2) >> 1 : 1;
}

/** The name of the subsection of `owner` that starts `bytes[at]`, or undefined (QEMU's lookahead). */
export function subsectionAt(bytes: Uint8Array, at: number, owner: string): string | undefined {
  if (at + 2 > bytes.length || bytes[at] !== 0x05) return undefined;
  const len = bytes[at + 1]!;
  if (len <= owner.length || at + 2 + len > bytes.length) return undefined;
  const name = String.fromCharCode(...bytes.subarray(at + 2, at + 2 + len));
  return name.startsWith(owner) ? name : undefined;
}

/** The subsections of the layout in QEMU's order: name, key in the state. */
export const VIRTIO_SUBSECTIONS: readonly (readonly [string, string])[] = [
  ["virtio/device_endian", "device_endian"],
  ["virtio/64bit_features", "features64"],
  ["virtio/virtqueues", "virtqueues"],
  ["virtio/ringsize", "ringsize"],
  ["virtio/broken", "broken"],
  ["virtio/extra_state", "extra_state"],
  ["virtio/started", "started"],
  ["virtio/packed_virtqueues", "packed_virtqueues"],
  ["virtio/disabled", "disabled"],
];
