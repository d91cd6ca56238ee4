// Reader: QEMU's wire encodings over a Uint8Array. Every read is bounds-checked before it takes
// effect, so a truncated input is a LoadError naming the field, never a RangeError.

import { LoadError, atIndex, atPath, hexBytes, printable } from "./errors.js";
import { littleEndianAt } from "./pci.js";

const SUBSECTION = 0x05;

/**
 * Where each field of a run lies (offset in the run, width), how it is read (`u32`, `bool`,
 * `unused`) and its path, in wire order: a generated module's constant, passed to `Reader.run`.
 * An entry of five is a constant number of elements at `at + i * stride`, each laid out as its
 * own layout says (offsets and paths relative to the element; a scalar's path is ""), under the
 * array's path with `[]` for the index.
 */
export type RunLayout = readonly RunEntry[];
export type RunEntry =
  | readonly [at: number, width: number, what: string, path: string]
  | readonly [at: number, count: number, stride: number, path: string, element: RunLayout];

/**
 * Calls `visit` for each field of a run laid out by `layout` from `start`, elements expanded,
 * with the path a field-by-field read names it by (an element's own, or the array's for a scalar).
 */
export function eachRunField(
  layout: RunLayout,
  start: number,
  visit: (at: number, width: number, what: string, path: string) => void,
): void {
  for (const entry of layout) {
    if (entry.length === 4) {
      visit(start + entry[0], entry[1], entry[2], entry[3]);
      continue;
    }
    const [at, count, stride, path, element] = entry;
    for (let i = 0; i < count; i++)
      eachRunField(element, start + at + i * stride, (a, w, what, p) =>
        visit(a, w, what, p === "" ? path : p),
      );
  }
}

/** Zero bytes, shared (and frozen): V8 gives even an empty typed array a backing store of its own, at the cost of a large one. */
const NO_BYTES = Object.freeze(new Uint8Array(0));

export class Reader {
  /** Position of the next byte to read, as an offset into `bytes`. */
  pos: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(
    readonly input: Uint8Array,
    start = 0,
    end = input.length,
  ) {
    this.pos = start;
    this.end = end;
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  fail(path: string, reason: string, offset = this.pos): never {
    throw new LoadError(path, offset, reason);
  }

  /** Claims the next `n` bytes and returns their offset (bytes and unused). */
  protected need(n: number, path: string, what: string): number {
    const p = this.pos;
    if (n > this.end - p) this.truncated(n, path, what);
    this.pos = p + n;
    return p;
  }

  private truncated(n: number, path: string, what: string): never {
    const left = this.end - this.pos;
    return this.fail(
      path,
      `unexpected end of input: ${what} needs ${n} byte${n === 1 ? "" : "s"}, ${left} remain${left === 1 ? "s" : ""}`,
    );
  }

  // The scalar reads check their bounds inline rather than through need(): V8 inlines only so much
  // code into a generated function, and a call it does not inline costs more than the read. (Leaving
  // the check to the DataView and catching its RangeError is faster, until one truncated input makes
  // V8 stop inlining the DataView access for good: the section then took 70% longer to decode.)

  u8(path: string): number {
    const p = this.pos;
    if (p > this.end - 1) this.truncated(1, path, "u8");
    this.pos = p + 1;
    return this.input[p]!;
  }
  i8(path: string): number {
    const p = this.pos;
    if (p > this.end - 1) this.truncated(1, path, "i8");
    this.pos = p + 1;
    return this.view.getInt8(p);
  }
  bool(path: string): boolean {
    const p = this.pos;
    if (p > this.end - 1) this.truncated(1, path, "bool");
    this.pos = p + 1;
    // QEMU's get_bool: any non-zero byte is true.
    return this.input[p] !== 0;
  }
  u16(path: string): number {
    const p = this.pos;
    if (p > this.end - 2) this.truncated(2, path, "u16");
    this.pos = p + 2;
    return this.view.getUint16(p);
  }
  u16le(path: string): number {
    const p = this.pos;
    if (p > this.end - 2) this.truncated(2, path, "u16le");
    this.pos = p + 2;
    return this.view.getUint16(p, true);
  }
  i16(path: string): number {
    const p = this.pos;
    if (p > this.end - 2) this.truncated(2, path, "i16");
    this.pos = p + 2;
    return this.view.getInt16(p);
  }
  i16le(path: string): number {
    const p = this.pos;
    if (p > this.end - 2) this.truncated(2, path, "i16le");
    this.pos = p + 2;
    return this.view.getInt16(p, true);
  }
  u32(path: string): number {
    const p = this.pos;
    if (p > this.end - 4) this.truncated(4, path, "u32");
    this.pos = p + 4;
    return this.view.getUint32(p);
  }
  u32le(path: string): number {
    const p = this.pos;
    if (p > this.end - 4) this.truncated(4, path, "u32le");
    this.pos = p + 4;
    return this.view.getUint32(p, true);
  }
  i32(path: string): number {
    const p = this.pos;
    if (p > this.end - 4) this.truncated(4, path, "i32");
    this.pos = p + 4;
    return this.view.getInt32(p);
  }
  i32le(path: string): number {
    const p = this.pos;
    if (p > this.end - 4) this.truncated(4, path, "i32le");
    this.pos = p + 4;
    return this.view.getInt32(p, true);
  }
  u64(path: string): bigint {
    const p = this.pos;
    if (p > this.end - 8) this.truncated(8, path, "u64");
    this.pos = p + 8;
    return this.view.getBigUint64(p);
  }
  u64le(path: string): bigint {
    const p = this.pos;
    if (p > this.end - 8) this.truncated(8, path, "u64le");
    this.pos = p + 8;
    return this.view.getBigUint64(p, true);
  }
  i64(path: string): bigint {
    const p = this.pos;
    if (p > this.end - 8) this.truncated(8, path, "i64");
    this.pos = p + 8;
    return this.view.getBigInt64(p);
  }
  i64le(path: string): bigint {
    const p = this.pos;
    if (p > this.end - 8) this.truncated(8, path, "i64le");
    this.pos = p + 8;
    return this.view.getBigInt64(p, true);
  }

  /**
   * Claims the `n` bytes of a run of fixed-size fields with one bounds check and returns their
   * offset; the run's values are then read with the `…At` methods. When the input ends inside the
   * run, the LoadError is the one the fields read one by one would give: that of the first field
   * of `fields` (in wire order) that does not fit, at its offset.
   */
  run(n: number, layout: RunLayout): number {
    const p = this.pos;
    if (n > this.end - p) this.runCut(layout, p);
    this.pos = p + n;
    return p;
  }

  private runCut(layout: RunLayout, start: number): never {
    this.runEnds(layout, start);
    // The verifier proves a layout covers its run: this is a bug of the code that ran.
    throw new Error("a run does not fit, but its layout does");
  }

  private runEnds(layout: RunLayout, start: number): void {
    const left = this.end - start;
    for (const entry of layout) {
      if (entry.length === 4) {
        const [at, width, what, path] = entry;
        if (at + width <= left) continue;
        this.pos = start + at;
        this.truncated(width, path, what);
      }
      const [at, count, stride, path, element] = entry;
      if (at + count * stride <= left) continue;
      // The first element that does not fit whole: the error is inside it, as its index's.
      const i = Math.floor((left - at) / stride);
      try {
        this.runEnds(element, start + at + i * stride);
      } catch (e) {
        throw atIndex(atPath(e, path), i);
      }
    }
  }

  // The reads of a run: at an offset `run()` returned, so without a bounds check of their own. The
  // path names the field for the verifier (generator/verify/), which matches each read with its
  // write; the run's layout has it for errors.

  u8At(o: number, _path: string): number {
    return this.input[o]!;
  }
  i8At(o: number, _path: string): number {
    return this.view.getInt8(o);
  }
  boolAt(o: number, _path: string): boolean {
    return this.input[o] !== 0;
  }
  u16At(o: number, _path: string): number {
    return this.view.getUint16(o);
  }
  u16leAt(o: number, _path: string): number {
    return this.view.getUint16(o, true);
  }
  i16At(o: number, _path: string): number {
    return this.view.getInt16(o);
  }
  i16leAt(o: number, _path: string): number {
    return this.view.getInt16(o, true);
  }
  u32At(o: number, _path: string): number {
    return this.view.getUint32(o);
  }
  u32leAt(o: number, _path: string): number {
    return this.view.getUint32(o, true);
  }
  i32At(o: number, _path: string): number {
    return this.view.getInt32(o);
  }
  i32leAt(o: number, _path: string): number {
    return this.view.getInt32(o, true);
  }
  u64At(o: number, _path: string): bigint {
    return this.view.getBigUint64(o);
  }
  u64leAt(o: number, _path: string): bigint {
    return this.view.getBigUint64(o, true);
  }
  i64At(o: number, _path: string): bigint {
    return this.view.getBigInt64(o);
  }
  i64leAt(o: number, _path: string): bigint {
    return this.view.getBigInt64(o, true);
  }

  /** `n` raw bytes, copied: the state never aliases the input. */
  bytes(n: number, path: string): Uint8Array {
    const p = this.need(n, path, "bytes");
    return n === 0 ? NO_BYTES : this.input.slice(p, p + n);
  }

  /**
   * A C string in `n` bytes (`text[n]`): one character per byte (U+0000 to U+00FF), with the NUL
   * bytes at the end dropped. Bytes after the first NUL that are not zero stay in the string
   * ("paused\u0000xy"), so writing it back pads with zeros to the same bytes.
   */
  text(n: number, path: string): string {
    const p = this.need(n, path, "text");
    let end = p + n;
    while (end > p && this.input[end - 1] === 0) end--;
    let out = "";
    // In chunks: String.fromCharCode takes its arguments on the stack.
    for (let i = p; i < end; i += 4096)
      out += String.fromCharCode(...this.input.subarray(i, Math.min(end, i + 4096)));
    return out;
  }

  /** Skips `n` bytes (`unused`). */
  skip(n: number, path: string): void {
    this.need(n, path, "unused");
  }

  /** A count or length from the stream, checked against its bound before anything is allocated. */
  count(n: number | bigint, max: number, path: string): number {
    if (n < 0 || n > max) this.fail(path, `count ${n} is out of range (0 to ${max})`);
    return Number(n);
  }

  /**
   * A value QEMU sends twice (`again`): the second copy, `found`, must equal the first, read at
   * `firstOffset` (undefined when the schema does not fix where it starts). QEMU lets the later copy
   * win; no QEMU writes the two different, so a stream that does is refused.
   */
  same<T extends number | bigint | boolean>(
    found: T,
    first: T,
    path: string,
    size: number,
    firstOffset?: number,
  ): T {
    if (found !== first) {
      const at = this.pos - size;
      const where = firstOffset === undefined ? "earlier" : `at byte offset ${firstOffset}`;
      this.fail(
        path,
        `the copy at byte offset ${at} is ${show(found)}, but the copy read ${where} is ${show(first)}: the two must agree`,
        at,
      );
    }
    return found;
  }

  /** Fails unless a field equals the value the reader expects (QEMU's `_EQUAL` fields). */
  equal<T extends number | bigint | boolean>(found: T, expected: T, path: string, size: number): T {
    if (found !== expected)
      this.fail(path, `expected ${show(expected)}, found ${show(found)}`, this.pos - size);
    return found;
  }

  /**
   * Fails with `message` when a validation is false. The generated code passes where the field
   * the validation names starts (or the element, for `validate each`); otherwise the error is
   * where the reader stands.
   */
  check(condition: boolean, message: string, path: string, offset = this.pos): void {
    if (!condition) this.fail(path, message, offset);
  }

  /** Element `i` of bytes or an array, or a LoadError. */
  at<T>(items: ArrayLike<T>, i: number | bigint, path: string): T {
    if (i < 0 || i >= items.length)
      this.fail(path, `index ${i} is out of range (length ${items.length})`);
    return items[Number(i)]!;
  }

  /** Little-endian u16 at `i` of bytes already read (a register in a configuration space). */
  le16At(bytes: Uint8Array, i: number, path: string): number {
    return (
      littleEndianAt(bytes, i, 2) ??
      this.fail(path, `offset ${i} is out of range (length ${bytes.length})`)
    );
  }

  /** Little-endian u32 at `i` of bytes already read. */
  le32At(bytes: Uint8Array, i: number, path: string): number {
    return (
      littleEndianAt(bytes, i, 4) ??
      this.fail(path, `offset ${i} is out of range (length ${bytes.length})`)
    );
  }

  /** Fails unless the version being loaded lies between the minimum and the version this reader knows. */
  version(version: number, minimum: number, maximum: number, what: string): number {
    if (version > maximum)
      this.fail("", `${what} version ${version} is newer than this reader's version ${maximum}`);
    if (version < minimum)
      this.fail("", `${what} version ${version} is older than the minimum version ${minimum}`);
    return version;
  }

  /**
   * QEMU's subsection lookahead: when the next bytes are a subsection header (0x05, length, name)
   * whose name starts with `owner` and is longer, consumes the marker and the name and returns
   * the name. Otherwise consumes nothing and returns undefined.
   */
  subsection(owner: string): string | undefined {
    const p = this.pos;
    if (p + 2 > this.end || this.input[p] !== SUBSECTION) return undefined;
    const len = this.input[p + 1]!;
    if (len < owner.length + 1 || p + 2 + len > this.end) return undefined;
    // One character per byte, as QEMU compares names (TextDecoder's "latin1" is windows-1252).
    const name = String.fromCharCode(...this.input.subarray(p + 2, p + 2 + len));
    if (!name.startsWith(owner)) return undefined;
    this.pos = p + 2 + len;
    return name;
  }

  /** The be32 version after a subsection's name, checked against the subsection's range. */
  subsectionVersion(name: string, minimum: number, maximum: number, path: string): number {
    const at = this.pos;
    const version = this.u32(path);
    if (version > maximum)
      this.fail(
        path,
        `subsection "${printable(name)}" version ${version} is newer than ${maximum}`,
        at,
      );
    if (version < minimum)
      this.fail(
        path,
        `subsection "${printable(name)}" version ${version} is older than the minimum ${minimum}`,
        at,
      );
    return version;
  }

  /** QEMU fails the load on a subsection it does not know (-ENOENT); so does this reader. */
  unknownSubsection(name: string, owner: string): never {
    const start = this.pos - name.length - 2;
    return this.fail(
      "",
      `unknown subsection "${printable(name)}" of "${owner}" (bytes ${hexBytes(this.input.subarray(start, start + 8))})`,
      start,
    );
  }

  /** A subsection seen twice would silently overwrite the first. */
  duplicateSubsection(name: string, path: string): never {
    return this.fail(
      path,
      `subsection "${printable(name)}" appears twice`,
      this.pos - name.length - 2,
    );
  }
}

function show(v: number | bigint | boolean): string {
  return typeof v === "boolean" ? String(v) : `${v} (0x${v.toString(16)})`;
}
