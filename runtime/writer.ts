// Writer: QEMU's wire encodings into a growing buffer. Every value is checked against its type
// first (its JavaScript type too: an object is never coerced), so a bad state is a SaveError
// naming the field, and nothing is half-written.

import { SaveError } from "./errors.js";
import { littleEndianAt } from "./pci.js";

const SUBSECTION = 0x05;
/** The largest output a Writer builds (2 GiB - 1): beyond it a SaveError, not a RangeError. */
const MAX_OUTPUT = 0x7fffffff;

export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  fail(path: string, reason: string): never {
    throw new SaveError(path, reason);
  }

  /** Reserves `n` bytes and returns their offset. Call it before reading `buf` or `view`: it may replace them. */
  private room(n: number, path = ""): number {
    const p = this.pos;
    if (p + n > this.buf.length) {
      if (p + n > MAX_OUTPUT) this.fail(path, `the output would exceed ${MAX_OUTPUT} bytes`);
      let size = this.buf.length * 2;
      while (size < p + n) size *= 2;
      size = Math.min(size, MAX_OUTPUT);
      const next = new Uint8Array(size);
      next.set(this.buf.subarray(0, p));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.pos = p + n;
    return p;
  }

  private bad(v: unknown, type: string, path: string): never {
    return this.fail(path, `expected ${type}, found ${describe(v)}`);
  }

  u8(v: number, path: string): void {
    if (typeof v !== "number" || (v & 0xff) !== v) this.bad(v, "u8", path);
    const at = this.room(1);
    this.buf[at] = v;
  }
  i8(v: number, path: string): void {
    if (typeof v !== "number" || (v << 24) >> 24 !== v) this.bad(v, "i8", path);
    const at = this.room(1);
    this.view.setInt8(at, v);
  }
  bool(v: boolean, path: string): void {
    if (typeof v !== "boolean") this.bad(v, "bool", path);
    const at = this.room(1);
    this.buf[at] = v ? 1 : 0;
  }
  u16(v: number, path: string): void {
    if (typeof v !== "number" || (v & 0xffff) !== v) this.bad(v, "u16", path);
    const at = this.room(2);
    this.view.setUint16(at, v);
  }
  u16le(v: number, path: string): void {
    if (typeof v !== "number" || (v & 0xffff) !== v) this.bad(v, "u16le", path);
    const at = this.room(2);
    this.view.setUint16(at, v, true);
  }
  i16(v: number, path: string): void {
    if (typeof v !== "number" || (v << 16) >> 16 !== v) this.bad(v, "i16", path);
    const at = this.room(2);
    this.view.setInt16(at, v);
  }
  i16le(v: number, path: string): void {
    if (typeof v !== "number" || (v << 16) >> 16 !== v) this.bad(v, "i16le", path);
    const at = this.room(2);
    this.view.setInt16(at, v, true);
  }
  u32(v: number, path: string): void {
    if (typeof v !== "number" || v >>> 0 !== v) this.bad(v, "u32", path);
    const at = this.room(4);
    this.view.setUint32(at, v);
  }
  u32le(v: number, path: string): void {
    if (typeof v !== "number" || v >>> 0 !== v) this.bad(v, "u32le", path);
    const at = this.room(4);
    this.view.setUint32(at, v, true);
  }
  i32(v: number, path: string): void {
    if (typeof v !== "number" || (v | 0) !== v) this.bad(v, "i32", path);
    const at = this.room(4);
    this.view.setInt32(at, v);
  }
  i32le(v: number, path: string): void {
    if (typeof v !== "number" || (v | 0) !== v) this.bad(v, "i32le", path);
    const at = this.room(4);
    this.view.setInt32(at, v, true);
  }
  u64(v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asUintN(64, v) !== v) this.bad(v, "u64", path);
    const at = this.room(8);
    this.view.setBigUint64(at, v);
  }
  u64le(v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asUintN(64, v) !== v) this.bad(v, "u64le", path);
    const at = this.room(8);
    this.view.setBigUint64(at, v, true);
  }
  i64(v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asIntN(64, v) !== v) this.bad(v, "i64", path);
    const at = this.room(8);
    this.view.setBigInt64(at, v);
  }
  i64le(v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asIntN(64, v) !== v) this.bad(v, "i64le", path);
    const at = this.room(8);
    this.view.setBigInt64(at, v, true);
  }

  /** Exactly `n` raw bytes. */
  bytes(v: Uint8Array, n: number, path: string): void {
    if (!(v instanceof Uint8Array)) this.bad(v, `${n} bytes (a Uint8Array)`, path);
    if (v.length !== n) this.fail(path, `expected ${n} bytes, found ${v.length}`);
    const at = this.room(n, path);
    this.buf.set(v, at);
  }

  /** `n` zero bytes (`unused`: QEMU writes zeros and the reader discards them). */
  skip(n: number, path: string): void {
    const at = this.room(n, path);
    this.buf.fill(0, at, at + n);
  }

  /** A count or length, checked against its bound as the reader will check it. */
  count(n: number | bigint, max: number, path: string): number {
    if (n < 0 || n > max) this.fail(path, `count ${n} is out of range (0 to ${max})`);
    return Number(n);
  }

  /** An array of exactly `n` elements. */
  array<T>(v: readonly T[], n: number, path: string): readonly T[] {
    if (!Array.isArray(v)) this.bad(v, `an array of ${n}`, path);
    if (v.length !== n) this.fail(path, `expected ${n} elements, found ${v.length}`);
    return v;
  }

  /** A struct value (an object). */
  object<T>(v: T, path: string): T {
    if (typeof v !== "object" || v === null || Array.isArray(v)) this.bad(v, "an object", path);
    return v;
  }

  /** A field whose condition holds must be in the state. */
  present<T>(v: T | undefined, path: string): T {
    if (v === undefined) this.fail(path, "missing: its condition holds, so it must be saved");
    return v;
  }

  /** A field whose condition does not hold must not be in the state: saving would drop it. */
  absent(v: unknown, path: string): void {
    if (v !== undefined) this.fail(path, "present, but its condition does not hold: it would not be saved");
  }

  /** Fails unless a field equals the value the reader will expect. */
  equal<T extends number | bigint | boolean>(found: T, expected: T, path: string): T {
    if (found !== expected) this.fail(path, `expected ${String(expected)}, found ${String(found)}`);
    return found;
  }

  /** Fails with `message` when a validation is false: the reader would refuse the stream. */
  check(condition: boolean, message: string, path: string): void {
    if (!condition) this.fail(path, message);
  }

  at<T>(items: ArrayLike<T>, i: number | bigint, path: string): T {
    if (i < 0 || i >= items.length) this.fail(path, `index ${i} is out of range (length ${items.length})`);
    return items[Number(i)]!;
  }

  le16At(bytes: Uint8Array, i: number, path: string): number {
    return littleEndianAt(bytes, i, 2) ?? this.fail(path, `offset ${i} is out of range`);
  }

  le32At(bytes: Uint8Array, i: number, path: string): number {
    return littleEndianAt(bytes, i, 4) ?? this.fail(path, `offset ${i} is out of range`);
  }

  /** A subsection header: 0x05, the name's length and bytes, be32 version. Returns the version. */
  subsection(name: string, version: number): number {
    const p = this.room(2 + name.length);
    this.buf[p] = SUBSECTION;
    this.buf[p + 1] = name.length;
    for (let i = 0; i < name.length; i++) this.buf[p + 2 + i] = name.charCodeAt(i);
    const at = this.room(4);
    this.view.setUint32(at, version);
    return version;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") return v === null ? "null" : Array.isArray(v) ? "an array" : "an object";
  return String(v);
}
