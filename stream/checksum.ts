// The checksum a document keeps of each RAM section's bytes, so that `vmstate encode` can tell that
// the source stream it copies them from has changed since `vmstate decode` read it.
//
// Every byte counts. The bytes are cut into 64-byte stripes (the last one padded with zeros), each
// stripe into 16 little-endian 32-bit words, and for word j of each stripe in turn
//
//   a[j] = a[j] + word (mod 2^32);   b[j] = b[j] + a[j] (mod 2^32)
//
// (Fletcher's sum of sums, in 16 lanes). The checksum is the first 128 bits, in hex, of
// SHA-256("vmstate ram checksum 1" ‖ le64 length ‖ a[0..15] ‖ b[0..15] as le32). A changed,
// moved, missing or added byte changes a or b; two changes can cancel only if they are built to.
// It is a checksum, not a cryptographic hash: it detects a source that changed, not one crafted to
// look unchanged. SHA-256 of every byte would cost 1.6 s of CPU for a 2.6 GB stream that takes
// 0.4 s to read; this costs a few percent of the read (docs/streams.md).
//
// The sums run in WebAssembly (SIMD, four 128-bit lanes) over the memory the stream is read into,
// so the bytes are summed where they already are, while they are still in the CPU's cache. Where
// WebAssembly is not available (node --jitless), the same sums run in JavaScript.

import { createHash } from "node:crypto";

/** Where the sums are kept in an arena's memory (a[0..3], b[0..3], a[4..7], … as 128-bit lanes). */
const STATE = 0;
const STATE_BYTES = 128;
/** The part of a stripe not yet summed, between two updates. */
const PENDING = 128;
const STRIPE = 64;
/** Where the rest of the memory starts: the stream's window (stream/window.ts). */
export const ARENA_START = 4096;

/** Memory for a stream's window, with the sums over it. */
export interface Arena {
  /** All of the memory; a new array after grow(). */
  readonly bytes: Uint8Array;
  /** Makes the memory at least `size` bytes long, keeping its contents. */
  grow(size: number): void;
  /** Adds the stripes of bytes [from, to) to the sums; to - from is a multiple of 64. */
  sum(from: number, to: number): void;
}

/** An arena of at least `size` bytes, in WebAssembly memory when WebAssembly works here. */
export function createArena(size: number, useWasm = wasmWorks()): Arena {
  const arena = useWasm ? new WasmArena() : new JsArena();
  arena.grow(size);
  return arena;
}

/** What this module uses of WebAssembly (the TypeScript library for Node does not declare it). */
interface Wasm {
  Module: new (binary: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

class WasmArena implements Arena {
  private readonly memory: WasmMemory;
  private readonly run: (from: number, to: number) => void;
  bytes: Uint8Array;

  constructor() {
    const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
    if (wasm === undefined) throw new Error("no WebAssembly here");
    const { exports } = new wasm.Instance(sumsModule(wasm));
    this.memory = exports["memory"] as WasmMemory;
    this.run = exports["sum"] as (from: number, to: number) => void;
    this.bytes = new Uint8Array(this.memory.buffer);
  }

  grow(size: number): void {
    const missing = size - this.memory.buffer.byteLength;
    if (missing <= 0) return;
    this.memory.grow(Math.ceil(missing / 65536));
    this.bytes = new Uint8Array(this.memory.buffer);
  }

  sum(from: number, to: number): void {
    this.run(from, to);
  }
}

class JsArena implements Arena {
  bytes = new Uint8Array(0);
  private view = new DataView(this.bytes.buffer);

  grow(size: number): void {
    if (size <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(size, this.bytes.length * 2));
    next.set(this.bytes);
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  sum(from: number, to: number): void {
    sumStripes(this.view, from, to, this.view, STATE);
  }
}

/** The sums in JavaScript: stripes of `data` [from, to) into the 32 words of `state` at `at`. */
function sumStripes(data: DataView, from: number, to: number, state: DataView, at: number): void {
  const a = new Uint32Array(16);
  const b = new Uint32Array(16);
  for (let k = 0; k < 4; k++)
    for (let i = 0; i < 4; i++) {
      a[4 * k + i] = state.getUint32(at + 32 * k + 4 * i, true);
      b[4 * k + i] = state.getUint32(at + 32 * k + 16 + 4 * i, true);
    }
  for (let p = from; p < to; p += STRIPE)
    for (let j = 0; j < 16; j++) {
      a[j] = a[j]! + data.getUint32(p + 4 * j, true);
      b[j] = b[j]! + a[j]!;
    }
  for (let k = 0; k < 4; k++)
    for (let i = 0; i < 4; i++) {
      state.setUint32(at + 32 * k + 4 * i, a[4 * k + i]!, true);
      state.setUint32(at + 32 * k + 16 + 4 * i, b[4 * k + i]!, true);
    }
}

/**
 * The checksum of one run of bytes, fed in pieces that lie in the arena's memory. One checksum at a
 * time per arena: its sums live at a fixed place there.
 */
export class Checksum {
  private pending = 0;
  private length = 0;

  constructor(private readonly arena: Arena) {}

  reset(): void {
    this.arena.bytes.fill(0, STATE, PENDING + STRIPE);
    this.pending = 0;
    this.length = 0;
  }

  /** Adds bytes [from, from + n) of the arena's memory. */
  update(from: number, n: number): void {
    if (n <= 0) return;
    this.length += n;
    const bytes = this.arena.bytes;
    if (this.pending > 0) {
      const take = Math.min(STRIPE - this.pending, n);
      bytes.copyWithin(PENDING + this.pending, from, from + take);
      this.pending += take;
      from += take;
      n -= take;
      if (this.pending < STRIPE) return;
      this.arena.sum(PENDING, PENDING + STRIPE);
      this.pending = 0;
    }
    const whole = n - (n % STRIPE);
    if (whole > 0) this.arena.sum(from, from + whole);
    if (whole < n) {
      bytes.copyWithin(PENDING, from + whole, from + n);
      this.pending = n - whole;
    }
  }

  /** The checksum of everything added since reset(). */
  digest(): string {
    const bytes = this.arena.bytes;
    if (this.pending > 0) {
      bytes.fill(0, PENDING + this.pending, PENDING + STRIPE);
      this.arena.sum(PENDING, PENDING + STRIPE);
      this.pending = 0;
    }
    return finish(this.length, bytes.subarray(STATE, STATE + STATE_BYTES));
  }
}

/** The checksum of `data`, computed in JavaScript alone: the definition the fast one is tested against. */
export function referenceChecksum(data: Uint8Array): string {
  const padded = new Uint8Array(Math.ceil(data.length / STRIPE) * STRIPE);
  padded.set(data);
  const state = new DataView(new ArrayBuffer(STATE_BYTES));
  sumStripes(new DataView(padded.buffer), 0, padded.length, state, 0);
  return finish(data.length, new Uint8Array(state.buffer));
}

/** The sums in the stated order (a[0..15], then b[0..15]), with the length, through SHA-256. */
function finish(length: number, state: Uint8Array): string {
  const ordered = new Uint8Array(STATE_BYTES);
  for (let k = 0; k < 4; k++) {
    ordered.set(state.subarray(32 * k, 32 * k + 16), 16 * k);
    ordered.set(state.subarray(32 * k + 16, 32 * k + 32), 64 + 16 * k);
  }
  const size = new DataView(new ArrayBuffer(8));
  size.setBigUint64(0, BigInt(length), true);
  return createHash("sha256")
    .update("vmstate ram checksum 1")
    .update(new Uint8Array(size.buffer))
    .update(ordered)
    .digest("hex")
    .slice(0, 32);
}

let compiled: object | undefined;

function sumsModule(wasm: Wasm): object {
  compiled ??= new wasm.Module(sumsBinary());
  return compiled;
}

let works: boolean | undefined;

function wasmWorks(): boolean {
  if (works === undefined) {
    try {
      new WasmArena();
      works = true;
    } catch {
      works = false;
    }
  }
  return works;
}

/**
 * The WebAssembly module, assembled here (it is one loop). In the text format:
 *
 *   (module
 *     (memory (export "memory") 1)
 *     (func (export "sum") (param $p i32) (param $end i32)
 *       (local $a0 v128) (local $b0 v128) … (local $a3 v128) (local $b3 v128)
 *       (local.set $a0 (v128.load offset=0 (i32.const 0)))      ;; the sums, from STATE
 *       (local.set $b0 (v128.load offset=16 (i32.const 0))) …
 *       (block $done
 *         (loop $stripe
 *           (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
 *           (local.set $a0 (i32x4.add (local.get $a0) (v128.load offset=0 (local.get $p))))
 *           (local.set $b0 (i32x4.add (local.get $b0) (local.get $a0)))
 *           … the same for $a1/$b1 at offset 16, $a2/$b2 at 32, $a3/$b3 at 48
 *           (local.set $p (i32.add (local.get $p) (i32.const 64)))
 *           (br $stripe)))
 *       (v128.store offset=0 (i32.const 0) (local.get $a0)) …))
 */
function sumsBinary(): Uint8Array {
  const u32 = (n: number): number[] => {
    const out: number[] = [];
    do {
      const low = n & 0x7f;
      n >>>= 7;
      out.push(n === 0 ? low : low | 0x80);
    } while (n !== 0);
    return out;
  };
  const vector = (items: number[][]): number[] => [...u32(items.length), ...items.flat()];
  const section = (id: number, content: number[]): number[] => [
    id,
    ...u32(content.length),
    ...content,
  ];
  const name = (text: string): number[] => [
    text.length,
    ...Array.from(text, (c) => c.charCodeAt(0)),
  ];
  const get = (local: number): number[] => [0x20, local];
  const set = (local: number): number[] => [0x21, local];
  // i32.const takes a signed LEB128: 64 is c0 00, not 40 (which is -64).
  const i32 = (n: number): number[] => [0x41, ...(n < 64 ? [n] : [(n & 0x7f) | 0x80, n >> 7])]; // 0 to 8191
  const load = (offset: number): number[] => [0xfd, 0x00, 4, ...u32(offset)];
  const store = (offset: number): number[] => [0xfd, 0x0b, 4, ...u32(offset)];
  const add = [0xfd, 0xae, 0x01]; // i32x4.add
  const [p, end] = [0, 1];
  const a = (k: number): number => 2 + 2 * k;
  const b = (k: number): number => 3 + 2 * k;
  const lanes = [0, 1, 2, 3];

  const body = [
    ...lanes.flatMap((k) => [
      ...i32(0),
      ...load(STATE + 32 * k),
      ...set(a(k)),
      ...i32(0),
      ...load(STATE + 32 * k + 16),
      ...set(b(k)),
    ]),
    ...[0x02, 0x40, 0x03, 0x40], // block, loop
    ...get(p),
    ...get(end),
    0x4f, // i32.ge_u
    ...[0x0d, 1], // br_if $done
    ...lanes.flatMap((k) => [
      ...get(a(k)),
      ...get(p),
      ...load(16 * k),
      ...add,
      ...set(a(k)),
      ...get(b(k)),
      ...get(a(k)),
      ...add,
      ...set(b(k)),
    ]),
    ...get(p),
    ...i32(STRIPE),
    0x6a, // i32.add
    ...set(p),
    ...[0x0c, 0], // br $stripe
    ...[0x0b, 0x0b], // end loop, end block
    ...lanes.flatMap((k) => [
      ...i32(0),
      ...get(a(k)),
      ...store(STATE + 32 * k),
      ...i32(0),
      ...get(b(k)),
      ...store(STATE + 32 * k + 16),
    ]),
    0x0b,
  ];
  const code = [...vector([[8, 0x7b]]), ...body]; // eight v128 locals
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, 2, 0x7f, 0x7f, 0]])), // type (i32, i32) -> ()
    ...section(3, vector([[0]])), // one function of that type
    ...section(5, vector([[0x00, 1]])), // one memory, one page to start with
    ...section(
      7,
      vector([
        [...name("sum"), 0x00, 0],
        [...name("memory"), 0x02, 0],
      ]),
    ),
    ...section(10, vector([[...u32(code.length), ...code]])),
  ]);
}
