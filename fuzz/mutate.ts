// Mutations for the fuzz campaigns: bit flips, byte changes, insertions, deletions and changes of
// length fields in binary inputs; the same, by characters and by tokens, in schema text.

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
const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x07, 0x08, 0x10, 0x7e, 0x7f, 0x80, 0xfe, 0xff];

/** One to four mutations of `base`; returns the new bytes and what was done. */
export function mutateBytes(base: Uint8Array, hot: Hotspots, rnd: Random): { bytes: Uint8Array; kinds: MutationKind[] } {
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
      bytes[position(bytes.length, hot, rnd)] = rnd.chance(0.5) ? rnd.pick(INTERESTING_BYTES) : rnd.below(256);
      return bytes;
    }
    case "insert": {
      const at = position(bytes.length + 1, hot, rnd);
      const n = rnd.chance(0.8) ? rnd.between(1, 8) : rnd.between(9, 256);
      const inserted = new Uint8Array(n);
      // Random bytes, or a copy of bytes from elsewhere in the input (a repeated field or header).
      if (rnd.chance(0.5) || bytes.length < n) for (let i = 0; i < n; i++) inserted[i] = rnd.below(256);
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
      const n = Math.min(bytes.length - at, rnd.chance(0.8) ? rnd.between(1, 8) : rnd.between(9, 256));
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
export function interestingValue(current: number, size: 1 | 2 | 4, rnd: Random): number {
  const max = size === 4 ? 0xffffffff : (1 << (8 * size)) - 1;
  const sign = size === 4 ? 0x80000000 : 1 << (8 * size - 1);
  const candidates = [0, 1, 2, current + 1, current - 1, current * 2, current + 64, max, max - 1, sign, sign - 1, 64, 65, 128, 129, 256, 1024, 1025, rnd.below(max + 1)];
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

/** Pieces of schema text a mutation inserts: keywords, punctuation, names and numbers of the language. */
const SCHEMA_TOKENS = [
  "struct", "section", "subsection", "const", "features", "param", "let", "validate", "unused", "if", "since", "equals", "needed",
  "version", "minimum", "max", "u8", "u16", "u32", "u64", "i32", "bool", "bytes", "u16le", "true", "false", "has", "le16",
  "pci_capability", "stream_version", "{", "}", "(", ")", "[", "]", ";", ":", ",", ".", "?", "??", "=", "==", "!=", "<", "<=",
  ">", ">>", "<<", "+", "-", "*", "/", "%", "&", "|", "^", "!", "~", "&&", "||", '"', '"x/y"', "//", "/*", "*/", "0", "1",
  "0x10", "0b1", "1_000", "4294967296", "18446744073709551616", "-1", "a", "a.b", "x", "\n",
];

/** Kinds of text mutation (the cases below) and how often each is picked. */
const TEXT_MUTATIONS: readonly (readonly [number, number])[] = [
  [0, 8],
  [1, 8],
  [2, 10],
  [3, 8],
  [4, 16],
  [5, 6],
  [6, 16],
  [7, 16],
  [8, 12],
];

/** One to four mutations of schema text: characters flipped, changed, inserted or deleted; tokens, lines and spans moved. */
export function mutateText(base: string, rnd: Random): string {
  let text = base;
  const count = rnd.weighted([
    [1, 60],
    [2, 25],
    [4, 15],
  ] as const);
  for (let i = 0; i < count; i++) {
    const at = rnd.below(text.length + 1);
    // Most mutations keep the text parseable (names, numbers, types, whole lines), so that they
    // reach the checker; the rest break it anywhere.
    switch (rnd.weighted(TEXT_MUTATIONS)) {
      case 0: // a character's bits
        if (text.length > 0) text = text.slice(0, at) + String.fromCharCode(text.charCodeAt(Math.min(at, text.length - 1)) ^ (1 << rnd.below(7))) + text.slice(at + 1);
        break;
      case 1: // a random character, now and then one outside ASCII
        text = text.slice(0, at) + String.fromCharCode(rnd.chance(0.9) ? rnd.between(0x20, 0x7e) : rnd.below(0x3000)) + text.slice(at + 1);
        break;
      case 2: // a token of the language
        text = `${text.slice(0, at)} ${rnd.pick(SCHEMA_TOKENS)} ${text.slice(at)}`;
        break;
      case 3: // a deletion
        text = text.slice(0, at) + text.slice(at + rnd.between(1, 24));
        break;
      case 4: {
        // a line repeated, deleted or moved
        const lines = text.split("\n");
        const from = rnd.below(lines.length);
        const line = lines[from]!;
        const op = rnd.below(3);
        if (op !== 0) lines.splice(from, 1);
        if (op !== 1) lines.splice(rnd.below(lines.length + 1), 0, line);
        text = lines.join("\n");
        break;
      }
      case 5: {
        // a span copied elsewhere
        const start = rnd.below(text.length + 1);
        const span = text.slice(start, start + rnd.between(1, 80));
        text = text.slice(0, at) + span + text.slice(at);
        break;
      }
      case 7: {
        // a name replaced by another name of the text
        const names = [...text.matchAll(/\b[A-Za-z_][\w]*\b/g)];
        if (names.length === 0) break;
        const m = rnd.pick(names);
        text = text.slice(0, m.index) + rnd.pick(names)[0] + text.slice(m.index! + m[0].length);
        break;
      }
      case 8: {
        // a type replaced by another
        const types = [...text.matchAll(/\b(u8|u16|u32|u64|i8|i16|i32|i64|bool|u16le|u32le|u64le|i32le|bytes)\b/g)];
        if (types.length === 0) break;
        const m = rnd.pick(types);
        text = text.slice(0, m.index) + rnd.pick(["u8", "u16", "u32", "u64", "i8", "i32", "i64", "bool", "u32le", "bytes"]) + text.slice(m.index! + m[0].length);
        break;
      }
      default: {
        // a number replaced by an edge value
        const numbers = [...text.matchAll(/\b\d+\b/g)];
        if (numbers.length === 0) break;
        const m = rnd.pick(numbers);
        const value = rnd.pick(["0", "1", "255", "256", "65535", "65536", "2147483647", "2147483648", "4294967295", "4294967296", "9007199254740993", "18446744073709551615", "99999999999999999999999"]);
        text = text.slice(0, m.index) + value + text.slice(m.index! + m[0].length);
      }
    }
  }
  return text;
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** JSON values a document might hold by mistake or on purpose: wrong types, edges, names that are traps. */
const JSON_VALUES: readonly JsonValue[] = [
  null, true, false, 0, -1, 1.5, 256, 65536, 4294967296, 1e308, -1e308, 9007199254740993, "", "0x", "zz", "0x10", "-5",
  "ffff", "A".repeat(300), [], [0], {},
];

/** Keys an added member may have, among them the names JavaScript objects give meaning to. */
const JSON_KEYS = ["__proto__", "constructor", "prototype", "toString", "extra", "type", "state", "schema", "hex"];

/**
 * One to three mutations of a JSON document (in place on a copy): a value replaced by another of
 * any type, a member removed or added, an array element removed or repeated.
 */
export function mutateJson(base: JsonValue, rnd: Random): JsonValue {
  const doc = structuredClone(base);
  const count = rnd.between(1, 3);
  for (let i = 0; i < count; i++) {
    const nodes: (JsonValue[] | { [key: string]: JsonValue })[] = [];
    const walk = (v: JsonValue): void => {
      if (v === null || typeof v !== "object") return;
      nodes.push(v);
      for (const child of Array.isArray(v) ? v : Object.values(v)) walk(child);
    };
    walk(doc);
    if (nodes.length === 0) break;
    const node = rnd.pick(nodes);
    if (Array.isArray(node)) {
      if (node.length === 0) {
        node.push(rnd.pick(JSON_VALUES));
        continue;
      }
      const at = rnd.below(node.length);
      const op = rnd.below(3);
      if (op === 0) node[at] = structuredClone(rnd.pick(JSON_VALUES));
      else if (op === 1) node.splice(at, 1);
      else node.splice(at, 0, structuredClone(node[at]!));
    } else {
      const keys = Object.keys(node);
      const op = keys.length === 0 ? 2 : rnd.below(3);
      if (op === 0) node[rnd.pick(keys)] = structuredClone(rnd.pick(JSON_VALUES));
      else if (op === 1) delete node[rnd.pick(keys)];
      else Object.defineProperty(node, rnd.pick(JSON_KEYS), { value: structuredClone(rnd.pick(JSON_VALUES)), enumerable: true, writable: true, configurable: true });
    }
  }
  return doc;
}
