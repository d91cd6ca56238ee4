// Configuration space helpers for schemas that derive device configuration from bytes already read.

const STATUS = 0x06;
const STATUS_CAP_LIST = 0x10;
const CAPABILITY_LIST = 0x34;
/** At most 48 capabilities fit in the 192 bytes after the header; a longer chain is a loop. */
const MAX_CAPABILITIES = 48;

/**
 * Offset of the first capability with `id` in a PCI configuration space, or 0 when it has none.
 * Walks the capability list the way QEMU's pci_find_capability_list does, with a bound.
 */
export function pciCapability(config: Uint8Array, id: number): number {
  if (config.length < 0x40 || (config[STATUS]! & STATUS_CAP_LIST) === 0) return 0;
  let at = config[CAPABILITY_LIST]! & 0xfc;
  for (let i = 0; i < MAX_CAPABILITIES && at >= 0x40 && at + 1 < config.length; i++) {
    if (config[at] === id) return at;
    at = config[at + 1]! & 0xfc;
  }
  return 0;
}

/** A little-endian register of `size` bytes at `i` inside `bytes`, or undefined when it does not fit. */
export function littleEndianAt(bytes: Uint8Array, i: number, size: 2 | 4): number | undefined {
  if (!(bytes instanceof Uint8Array) || !(i >= 0 && i + size <= bytes.length)) return undefined;
  const low = bytes[i]! | (bytes[i + 1]! << 8);
  return size === 2 ? low : (low | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
}
