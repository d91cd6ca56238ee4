// Writer: QEMU's wire encodings into a growing buffer. Every value is checked against its type
// first (its JavaScript type too: an object is never coerced), so a bad state is a SaveError
// naming the field, and nothing is half-written.

import { printable, SaveError } from "./errors.js";
import { littleEndianAt } from "./pci.js";

const SUBSECTION = 0x05;
/** The largest output a Writer builds (2 GiB - 1): beyond it a SaveError, not a RangeError. */
const MAX_OUTPUT = 0x7fffffff;
/** Working buffers up to this size are kept for the next Writer; larger ones go to the collector. */
const MAX_SPARE = 1 << 20;
/**
 * Outputs from this size are handed out in their working buffer rather than copied: copying them
 * costs more than a new working buffer for the next Writer (with its DataView); below it a copy
 * is cheaper, and the buffer is lent on.
 */
const HANDED_OUT = 16 * 1024;
/** The view of a finished Writer's buffer, which is full: the next write grows into a new buffer first. */
const NO_VIEW = new DataView(new ArrayBuffer(0));

/**
 * The working buffer of the last finished Writer, lent to the next one. finish() copies the output
 * out, so a Writer needs its working buffer only until then. Reusing it means a short encode
 * allocates nothing but its result, and a long one stops growing once a Writer has seen its size.
 * At most one Writer holds a buffer at a time: taking it empties this slot.
 */
let spare: { readonly buf: Uint8Array; readonly view: DataView } | undefined;
/**
 * The size of the last output handed out in its working buffer (capped at MAX_SPARE): a new
 * Writer without a spare starts at it, so the encode of the same state again neither grows nor
 * copies.
 */
let sizeHint = 0;

export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  private filled = 0;
  /** The last offset at which a scalar (at most 8 bytes) fits without growing: one test per write. */
  private last: number;

  constructor(capacity = 1024) {
    const lent = spare;
    if (lent !== undefined && lent.buf.length >= capacity) {
      spare = undefined;
      this.buf = lent.buf;
      this.view = lent.view;
    } else {
      // 8 bytes over the hint: the last scalars then pass the one test against `last`.
      this.buf = new Uint8Array(Math.max(capacity, sizeHint === 0 ? 0 : sizeHint + 8, 16));
      this.view = new DataView(this.buf.buffer);
    }
    this.last = this.buf.length - 8;
  }

  /** How many bytes have been written. */
  get pos(): number {
    return this.filled;
  }

  /**
   * The bytes written so far, as an array that the Writer never touches again. A working buffer of
   * at least HANDED_OUT bytes and at least half full is handed out as it is (the result's
   * ArrayBuffer is then at most twice its length); otherwise the bytes are copied out and the
   * buffer is lent to the next Writer.
   */
  finish(): Uint8Array {
    const n = this.filled;
    if (this.view !== NO_VIEW && n >= HANDED_OUT && n >= this.buf.length >>> 1) {
      const out = this.buf.subarray(0, n);
      sizeHint = Math.min(n, MAX_SPARE);
      // Writing on continues from the result, which is full, so the next write copies it first.
      this.buf = out;
      this.view = NO_VIEW;
      this.last = n - 8;
      return out;
    }
    const out = this.buf.slice(0, n);
    // After finish() `buf` is the result handed out, never a working buffer to lend (its view is NO_VIEW).
    if (
      this.view !== NO_VIEW &&
      this.buf.length <= MAX_SPARE &&
      (spare === undefined || spare.buf.length < this.buf.length)
    ) {
      spare = { buf: this.buf, view: this.view };
    }
    // Writing on continues from the result, which is full, so the next write copies it first.
    this.buf = out;
    this.view = NO_VIEW;
    this.last = out.length - 8;
    return out;
  }

  fail(path: string, reason: string): never {
    throw new SaveError(path, reason);
  }

  /**
   * Reserves `n` bytes and returns their offset. Call it before reading `buf` or `view`: it may
   * replace them. The scalar writes do the same inline, against `last`: V8 inlines only so much
   * code into a generated function, and a call it does not inline costs more than the write.
   */
  private room(n: number, path: string): number {
    const p = this.filled;
    if (n > this.buf.length - p) this.grow(p + n, path);
    this.filled = p + n;
    return p;
  }

  private grow(size: number, path: string): void {
    // A scalar within the last 8 bytes of the buffer comes here (it tests against `last`), and fits.
    if (size <= this.buf.length && this.view !== NO_VIEW) return;
    if (size > MAX_OUTPUT) this.fail(path, `the output would exceed ${MAX_OUTPUT} bytes`);
    let capacity = Math.max(this.buf.length, 512) * 2;
    while (capacity < size) capacity *= 2;
    const next = new Uint8Array(Math.min(capacity, MAX_OUTPUT));
    next.set(this.buf.subarray(0, this.filled));
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.last = next.length - 8;
  }

  private bad(v: unknown, type: string, path: string): never {
    return this.fail(path, `expected ${type}, found ${describe(v)}`);
  }

  u8(v: number, path: string): void {
    if (typeof v !== "number" || (v & 0xff) !== v) this.bad(v, "u8", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 1, path);
    this.filled = p + 1;
    this.buf[p] = v;
  }
  i8(v: number, path: string): void {
    if (typeof v !== "number" || (v << 24) >> 24 !== v) this.bad(v, "i8", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 1, path);
    this.filled = p + 1;
    this.view.setInt8(p, v);
  }
  bool(v: boolean, path: string): void {
    if (typeof v !== "boolean") this.bad(v, "bool", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 1, path);
    this.filled = p + 1;
    this.buf[p] = v ? 1 : 0;
  }
  u16(v: number, path: string): void {
    if (typeof v !== "number" || (v & 0xffff) !== v) this.bad(v, "u16", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 2, path);
    this.filled = p + 2;
    this.view.setUint16(p, v);
  }
  u16le(v: number, path: string): void {
    if (typeof v !== "number" || (v & 0xffff) !== v) this.bad(v, "u16le", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 2, path);
    this.filled = p + 2;
    this.view.setUint16(p, v, true);
  }
  i16(v: number, path: string): void {
    if (typeof v !== "number" || (v << 16) >> 16 !== v) this.bad(v, "i16", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 2, path);
    this.filled = p + 2;
    this.view.setInt16(p, v);
  }
  i16le(v: number, path: string): void {
    if (typeof v !== "number" || (v << 16) >> 16 !== v) this.bad(v, "i16le", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 2, path);
    this.filled = p + 2;
    this.view.setInt16(p, v, true);
  }
  u32(v: number, path: string): void {
    if (typeof v !== "number" || v >>> 0 !== v) this.bad(v, "u32", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 4, path);
    this.filled = p + 4;
    this.view.setUint32(p, v);
  }
  u32le(v: number, path: string): void {
    if (typeof v !== "number" || v >>> 0 !== v) this.bad(v, "u32le", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 4, path);
    this.filled = p + 4;
    this.view.setUint32(p, v, true);
  }
  i32(v: number, path: string): void {
    if (typeof v !== "number" || (v | 0) !== v) this.bad(v, "i32", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 4, path);
    this.filled = p + 4;
    this.view.setInt32(p, v);
  }
  i32le(v: number, path: string): void {
    if (typeof v !== "number" || (v | 0) !== v) this.bad(v, "i32le", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 4, path);
    this.filled = p + 4;
    this.view.setInt32(p, v, true);
  }
  u64(v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asUintN(64, v) !== v) this.bad(v, "u64", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 8, path);
    this.filled = p + 8;
    this.view.setBigUint64(p, v);
  }
  u64le(v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asUintN(64, v) !== v) this.bad(v, "u64le", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 8, path);
    this.filled = p + 8;
    this.view.setBigUint64(p, v, true);
  }
  i64(v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asIntN(64, v) !== v) this.bad(v, "i64", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 8, path);
    this.filled = p + 8;
    this.view.setBigInt64(p, v);
  }
  i64le(v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asIntN(64, v) !== v) this.bad(v, "i64le", path);
    const p = this.filled;
    if (p > this.last) this.grow(p + 8, path);
    this.filled = p + 8;
    this.view.setBigInt64(p, v, true);
  }

  /**
   * Reserves the `n` bytes of a run of fixed-size fields with one test and returns their offset;
   * the run's values are then written with the `…At` methods, each checked against its type as the
   * one-by-one writes check it. Every byte of the run must be written (padding with `zeroAt`): a
   * lent buffer holds an earlier Writer's bytes.
   */
  run(n: number, path: string): number {
    const p = this.filled;
    if (n > this.buf.length - p) this.grow(p + n, path);
    this.filled = p + n;
    return p;
  }

  /** `n` zero bytes of a run (`unused`). */
  zeroAt(o: number, n: number, _path: string): void {
    for (let i = o; i < o + n; i++) this.buf[i] = 0;
  }

  u8At(o: number, v: number, path: string): void {
    if (typeof v !== "number" || (v & 0xff) !== v) this.bad(v, "u8", path);
    this.buf[o] = v;
  }
  i8At(o: number, v: number, path: string): void {
    if (typeof v !== "number" || (v << 24) >> 24 !== v) this.bad(v, "i8", path);
    this.view.setInt8(o, v);
  }
  boolAt(o: number, v: boolean, path: string): void {
    if (typeof v !== "boolean") this.bad(v, "bool", path);
    this.buf[o] = v ? 1 : 0;
  }
  u16At(o: number, v: number, path: string): void {
    if (typeof v !== "number" || (v & 0xffff) !== v) this.bad(v, "u16", path);
    this.view.setUint16(o, v);
  }
  u16leAt(o: number, v: number, path: string): void {
    if (typeof v !== "number" || (v & 0xffff) !== v) this.bad(v, "u16le", path);
    this.view.setUint16(o, v, true);
  }
  i16At(o: number, v: number, path: string): void {
    if (typeof v !== "number" || (v << 16) >> 16 !== v) this.bad(v, "i16", path);
    this.view.setInt16(o, v);
  }
  i16leAt(o: number, v: number, path: string): void {
    if (typeof v !== "number" || (v << 16) >> 16 !== v) this.bad(v, "i16le", path);
    this.view.setInt16(o, v, true);
  }
  u32At(o: number, v: number, path: string): void {
    if (typeof v !== "number" || v >>> 0 !== v) this.bad(v, "u32", path);
    this.view.setUint32(o, v);
  }
  u32leAt(o: number, v: number, path: string): void {
    if (typeof v !== "number" || v >>> 0 !== v) this.bad(v, "u32le", path);
    this.view.setUint32(o, v, true);
  }
  i32At(o: number, v: number, path: string): void {
    if (typeof v !== "number" || (v | 0) !== v) this.bad(v, "i32", path);
    this.view.setInt32(o, v);
  }
  i32leAt(o: number, v: number, path: string): void {
    if (typeof v !== "number" || (v | 0) !== v) this.bad(v, "i32le", path);
    this.view.setInt32(o, v, true);
  }
  u64At(o: number, v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asUintN(64, v) !== v) this.bad(v, "u64", path);
    this.view.setBigUint64(o, v);
  }
  u64leAt(o: number, v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asUintN(64, v) !== v) this.bad(v, "u64le", path);
    this.view.setBigUint64(o, v, true);
  }
  i64At(o: number, v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asIntN(64, v) !== v) this.bad(v, "i64", path);
    this.view.setBigInt64(o, v);
  }
  i64leAt(o: number, v: bigint, path: string): void {
    if (typeof v !== "bigint" || BigInt.asIntN(64, v) !== v) this.bad(v, "i64le", path);
    this.view.setBigInt64(o, v, true);
  }

  /**
   * A fixed array whose elements a run writes: the check of `array()`, under a name of its own so
   * that the verifier knows no loop follows.
   */
  tuple<T>(v: readonly T[], n: number, path: string): readonly T[] {
    const items = v; // typed as declared: Array.isArray would narrow v to any[]
    if (!Array.isArray(v) || v.length !== n) this.badArray(v, n, path);
    return items;
  }

  private badArray(v: unknown, n: number, path: string): never {
    if (!Array.isArray(v)) this.bad(v, `an array of ${n}`, path);
    return this.fail(path, `expected ${n} elements, found ${v.length}`);
  }

  /** Exactly `n` raw bytes. */
  bytes(v: Uint8Array, n: number, path: string): void {
    if (!(v instanceof Uint8Array)) this.bad(v, `${n} bytes (a Uint8Array)`, path);
    if (v.length !== n) this.fail(path, `expected ${n} bytes, found ${v.length}`);
    const at = this.room(n, path);
    this.buf.set(v, at);
  }

  /**
   * A C string in exactly `n` bytes (`text[n]`): one byte per character, then NUL bytes up to `n`.
   * A character above U+00FF, or a string longer than `n`, is a SaveError naming the path.
   */
  text(v: string, n: number, path: string): void {
    if (typeof v !== "string") this.bad(v, `text of at most ${n} bytes (a string)`, path);
    if (v.length > n)
      this.fail(path, `the text is ${v.length} bytes long, which does not fit in ${n}`);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 0xff)
        this.fail(
          path,
          `character ${i} (U+${c.toString(16).toUpperCase().padStart(4, "0")}) is not a byte: text holds one byte per character (U+0000 to U+00FF)`,
        );
    }
    const at = this.room(n, path);
    for (let i = 0; i < v.length; i++) this.buf[at + i] = v.charCodeAt(i);
    this.buf.fill(0, at + v.length, at + n);
  }

  /** The second copy of a value QEMU sends twice (`again`): the same value as the first. */
  same<T>(v: T, _path: string): T {
    return v;
  }

  /** `n` zero bytes (`unused`: QEMU writes zeros and the reader discards them). */
  skip(n: number, path: string): void {
    const at = this.room(n, path);
    // A loop for the usual one or two bytes: a call to fill() costs more than the stores.
    if (n <= 16) for (let i = at; i < at + n; i++) this.buf[i] = 0;
    else this.buf.fill(0, at, at + n);
  }

  /** A count or length, checked against its bound as the reader will check it. */
  count(n: number | bigint, max: number, path: string): number {
    if (n < 0 || n > max) this.fail(path, `count ${n} is out of range (0 to ${max})`);
    return Number(n);
  }

  /** An array of exactly `n` elements. */
  array<T>(v: readonly T[], n: number, path: string): readonly T[] {
    const items = v; // typed as declared: Array.isArray would narrow v to any[]
    if (!Array.isArray(v) || v.length !== n) this.badArray(v, n, path);
    return items;
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
    if (v !== undefined)
      this.fail(path, "present, but its condition does not hold: it would not be saved");
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
    if (i < 0 || i >= items.length)
      this.fail(path, `index ${i} is out of range (length ${items.length})`);
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
    const p = this.room(6 + name.length, name);
    this.buf[p] = SUBSECTION;
    this.buf[p + 1] = name.length;
    for (let i = 0; i < name.length; i++) this.buf[p + 2 + i] = name.charCodeAt(i);
    this.view.setUint32(p + 2 + name.length, version);
    return version;
  }
}

function describe(v: unknown): string {
  const text = describeWhole(v);
  // A value from a document is shown, not echoed: a million-digit number is cut, on one line.
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function describeWhole(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return `"${printable(v)}"`;
  if (typeof v === "object")
    return v === null ? "null" : Array.isArray(v) ? "an array" : "an object";
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return `a ${typeof v}`;
}
