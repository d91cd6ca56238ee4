// Mutations of binary inputs for the fuzz campaigns: bit flips, byte changes, insertions, deletions
// and changes of the fields that hold counts, lengths and indices.

import type { Random } from "./random.js";

/** A big-endian unsigned field that holds a count or length (or an index) in a base input. */
export interface LengthField {
  readonly offset: number;
  readonly size: 1 | 2 | 4;
}

/** Where mutations do the most: the parts of an input that decide how the rest is read. */
export interface Hotspots {
  /** [start, end) ranges of the input where mutations are aimed at more often. */
  readonly ranges: readonly (readonly [number, number])[];
  readonly lengthFields: readonly LengthField[];
}

export type MutationKind = "bit-flip" | "byte" | "insert" | "delete" | "length-field";

const KINDS: readonly (readonly [MutationKind, number])[] = [
  ["bit-flip", 30],
  ["byte", 25],
  ["insert", 15],
  ["delete", 15],
  ["length-field", 15],
];

/** Bytes that mean something to a migration stream reader: 0, all-ones, sign bits, section and subsection markers. */
const INTERESTING_BYTES = [
  0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x10, 0x7e, 0x7f, 0x80, 0xfe, 0xff,
];

/** One to four mutations of `base`; returns the new bytes and what was done. */
export function mutateBytes(
  base: Uint8Array,
  hot: Hotspots,
  rnd: Random,
): { bytes: Uint8Array; kinds: MutationKind[] } {
  let bytes: Uint8Array = base.slice();
  const kinds: MutationKind[] = [];
  const count = rnd.weighted([
    [1, 50],
    [2, 25],
    [3, 15],
    [4, 10],
  ] as const);
  for (let i = 0; i < count; i++) {
    const kind = hot.lengthFields.length === 0 && i === 0 ? "bit-flip" : rnd.weighted(KINDS);
    if (kind === "length-field" && hot.lengthFields.length === 0) continue;
    kinds.push(kind);
    bytes = apply(kind, bytes, hot, rnd);
  }
  return { bytes, kinds };
}

function apply(kind: MutationKind, bytes: Uint8Array, hot: Hotspots, rnd: Random): Uint8Array {
  switch (kind) {
    case "bit-flip": {
      if (bytes.length === 0) return bytes;
      const at = position(bytes.length, hot, rnd);
      bytes[at]! ^= 1 << rnd.below(8);
      return bytes;
    }
    case "byte": {
      if (bytes.length === 0) return bytes;
      bytes[position(bytes.length, hot, rnd)] = rnd.chance(0.5)
        ? rnd.pick(INTERESTING_BYTES)
        : rnd.below(256);
      return bytes;
    }
    case "insert": {
      const at = position(bytes.length + 1, hot, rnd);
      const n = rnd.chance(0.8) ? rnd.between(1, 8) : rnd.between(9, 256);
      const inserted = new Uint8Array(n);
      // Random bytes, or a copy of bytes from elsewhere in the input (a repeated field or header).
      if (rnd.chance(0.5) || bytes.length < n)
        for (let i = 0; i < n; i++) inserted[i] = rnd.below(256);
      else inserted.set(bytes.subarray(rnd.below(bytes.length - n + 1)).subarray(0, n));
      const out = new Uint8Array(bytes.length + n);
      out.set(bytes.subarray(0, at));
      out.set(inserted, at);
      out.set(bytes.subarray(at), at + n);
      return out;
    }
    case "delete": {
      if (bytes.length === 0) return bytes;
      const at = position(bytes.length, hot, rnd);
      const n = Math.min(
        bytes.length - at,
        rnd.chance(0.8) ? rnd.between(1, 8) : rnd.between(9, 256),
      );
      const out = new Uint8Array(bytes.length - n);
      out.set(bytes.subarray(0, at));
      out.set(bytes.subarray(at + n), at);
      return out;
    }
    case "length-field": {
      const field = rnd.pick(hot.lengthFields);
      if (field.offset + field.size > bytes.length) return bytes;
      writeBigEndian(bytes, field, interestingValue(readBigEndian(bytes, field), field.size, rnd));
      return bytes;
    }
  }
}

/** A position: usually inside a hot range, otherwise anywhere. */
function position(length: number, hot: Hotspots, rnd: Random): number {
  const ranges = hot.ranges.filter(([s, e]) => s < length && e > s);
  if (ranges.length > 0 && rnd.chance(0.6)) {
    const [start, end] = rnd.pick(ranges);
    return rnd.between(start, Math.min(end, length) - 1);
  }
  return rnd.below(length);
}

/** A value a count or length is likely to be wrong with: the edges of its type, off by one, huge, zero. */
function interestingValue(current: number, size: 1 | 2 | 4, rnd: Random): number {
  const max = size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
  const sign = size === 4 ? 0x80000000 : 1 << (8 * size - 1);
  const candidates = [
    0,
    1,
    2,
    current + 1,
    current - 1,
    current * 2,
    current + 64,
    max,
    max - 1,
    sign,
    sign - 1,
    64,
    65,
    128,
    129,
    256,
    1024,
    1025,
    rnd.below(max + 1),
  ];
  const v = rnd.pick(candidates);
  return ((v % (max + 1)) + (max + 1)) % (max + 1);
}

function readBigEndian(bytes: Uint8Array, f: LengthField): number {
  let v = 0;
  for (let i = 0; i < f.size; i++) v = v * 256 + bytes[f.offset + i]!;
  return v;
}

function writeBigEndian(bytes: Uint8Array, f: LengthField, value: number): void {
  let v = value;
  for (let i = f.size - 1; i >= 0; i--) {
    bytes[f.offset + i] = v % 256;
    v = Math.floor(v / 256);
  }
}
