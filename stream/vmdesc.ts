// The VM description QEMU appends after EOF (migration/savevm.c, vmstate.c): where it is, and
// how many bytes each device section it describes takes. The description is input like the rest
// of the stream: an entry whose sizes are not byte counts gives no size, never a wrong one.

import { Marker } from "./format.js";
import type { ByteSource } from "./source.js";

export interface Vmdesc {
  /** Offset of the 0x06 marker. */
  readonly offset: number;
  readonly text: string;
  /** The device entries that name a section: `{"name": idstr, "instance_id": n, …}`. */
  readonly devices: readonly DeviceEntry[];
}

export interface DeviceEntry {
  readonly name: string;
  readonly instance_id: number;
  /** The entry as the description has it, checked only when its size is asked for. */
  readonly entry: unknown;
}

/** Subsections nest a few levels in QEMU (virtio/extra_state → virtio_pci/modern_state); deeper is not a description. */
const MAX_DEPTH = 16;

/** How much of a stream's end is searched for its description, in turn: QEMU's are well under 1 MiB. */
const TAILS = [1 << 20, 16 << 20, 64 << 20];

/**
 * The description of a stream whose size is known (a file, bytes in memory), found in its last
 * bytes: the last MiB, or more if the description did not start there (up to 64 MiB).
 */
export function locateVmdesc(source: ByteSource, size: number): Vmdesc | undefined {
  for (const tail of TAILS) {
    const n = Math.min(tail, size);
    const bytes = new Uint8Array(n);
    for (let got = 0; got < n;) {
      const more = source.read(bytes, got, n - got, size - n + got);
      if (more === 0) return undefined;
      got += more;
    }
    const found = findVmdesc(bytes);
    if (found) return { ...found, offset: size - n + found.offset };
    if (n === size || bytes[n - 1] !== 0x7d) return undefined;
  }
  return undefined;
}

/**
 * Finds the description from the end: `06 <be32 len> {json}` must end exactly at the end of the
 * stream (here, of `bytes`), so the only candidate is checked, not guessed.
 */
export function findVmdesc(bytes: Uint8Array): Vmdesc | undefined {
  if (bytes[bytes.length - 1] !== 0x7d) return undefined; // "}"
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = bytes.length - 6; p >= 0; p--) {
    if (bytes[p] !== Marker.VMDESCRIPTION || bytes[p + 5] !== 0x7b) continue; // "{"
    if (view.getUint32(p + 1) !== bytes.length - p - 5) continue;
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(p + 5));
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return undefined;
    }
    const listed = (parsed as { devices?: unknown }).devices;
    const devices: DeviceEntry[] = [];
    for (const d of Array.isArray(listed) ? listed : []) {
      const { name, instance_id } = (d ?? {}) as { name?: unknown; instance_id?: unknown };
      if (
        typeof name !== "string" ||
        !(instance_id === undefined || Number.isSafeInteger(instance_id))
      )
        continue;
      devices.push({ name, instance_id: (instance_id as number | undefined) ?? 0, entry: d });
    }
    return { offset: p, text, devices };
  }
  return undefined;
}

/**
 * Bytes of a device section's body: its fields (×array_len) and each subsection with its header;
 * undefined when the entry's sizes are not byte counts (missing, negative, fractional, too deep).
 */
export function describedSize(entry: unknown, depth = 0): number | undefined {
  if (depth > MAX_DEPTH || typeof entry !== "object" || entry === null) return undefined;
  const { fields = [], subsections = [] } = entry as { fields?: unknown; subsections?: unknown };
  if (!Array.isArray(fields) || !Array.isArray(subsections)) return undefined;
  let size = 0;
  for (const f of fields) {
    const { size: n, array_len: times = 1 } = (f ?? {}) as { size?: unknown; array_len?: unknown };
    if (!isCount(n) || !isCount(times)) return undefined;
    size += n * times;
  }
  for (const sub of subsections) {
    const name = (sub ?? {}) as { vmsd_name?: unknown };
    const inner = describedSize(sub, depth + 1);
    if (typeof name.vmsd_name !== "string" || inner === undefined) return undefined;
    size += 1 + 1 + name.vmsd_name.length + 4 + inner;
  }
  return Number.isSafeInteger(size) ? size : undefined;
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
