// The VM description QEMU appends after EOF (migration/savevm.c, vmstate.c): where it is, and
// how many bytes each device section it describes takes.

import { Marker } from "./format.js";

export interface VmdescField {
  readonly name: string;
  readonly size: number;
  readonly array_len?: number;
}

export interface VmdescEntry {
  readonly name: string;
  readonly instance_id?: number;
  readonly vmsd_name: string;
  readonly version?: number;
  readonly fields?: readonly VmdescField[];
  readonly subsections?: readonly VmdescEntry[];
}

export interface Vmdesc {
  /** Offset of the 0x06 marker. */
  readonly offset: number;
  readonly text: string;
  readonly devices: readonly VmdescEntry[];
}

/**
 * Finds the description from the end: `06 <be32 len> {json}` must end exactly at the end of the
 * stream, so the only candidate is checked, not guessed.
 */
export function findVmdesc(bytes: Uint8Array): Vmdesc | undefined {
  if (bytes[bytes.length - 1] !== 0x7d) return undefined; // "}"
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let p = bytes.length - 6; p >= 0; p--) {
    if (bytes[p] !== Marker.VMDESCRIPTION || bytes[p + 5] !== 0x7b) continue; // "{"
    if (view.getUint32(p + 1) !== bytes.length - p - 5) continue;
    const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(p + 5));
    try {
      const parsed = JSON.parse(text) as { devices?: VmdescEntry[] };
      return { offset: p, text, devices: parsed.devices ?? [] };
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Bytes of a device section's body: its fields (×array_len) and each subsection with its header. */
export function describedSize(entry: VmdescEntry): number {
  let size = 0;
  for (const f of entry.fields ?? []) size += f.size * (f.array_len ?? 1);
  for (const sub of entry.subsections ?? []) size += 1 + 1 + sub.vmsd_name.length + 4 + describedSize(sub);
  return size;
}
