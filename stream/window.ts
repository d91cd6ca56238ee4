// The part of a stream in memory while it is decoded: a window that slides over the stream, filled
// by reads of CHUNK bytes. A RAM section never is in memory as a whole: its records are walked as
// the window passes over them, and its bytes are summed (stream/checksum.ts) as they leave it. A
// device section is held whole while its codec reads it (it is small), and so is anything the
// decoder is told to keep (`keepFrom`), for its messages.
//
// Stream offsets are what the decoder works with; `bytes[p + delta]` is the byte at offset p.

import { ARENA_START, Checksum, createArena, type Arena } from "./checksum.js";
import type { ByteSink, ByteSource } from "./source.js";

/**
 * How much one read takes. Reads of 128 KiB into the same few hundred KiB of memory keep it in the
 * CPU's second-level cache, where the checksum and the record walk find it: on the development
 * machine reading a 2.6 GB stream took 0.39 s this way, against 0.6 s in reads of 1 to 4 MiB.
 */
export const CHUNK = 128 << 10;
const INITIAL_CAPACITY = 2 * CHUNK;

/** Arenas outlive the windows that used them: one decode after another (the fuzzer's) reuses one. */
const spareArenas: Arena[] = [];

function takeArena(size: number): Arena {
  const arena = spareArenas.pop() ?? createArena(size);
  arena.grow(size);
  return arena;
}

export class StreamWindow {
  bytes: Uint8Array;
  view: DataView;
  /** `bytes[p + delta]` is the byte at stream offset p, for base <= p < top. */
  delta: number;
  /** Stream offsets of the first byte in the window and of the one after its last. */
  base = 0;
  top = 0;
  /** The source has no bytes after `top`. */
  ended = false;
  /** Called after each read with the offset reached. */
  onRead: ((top: number) => void) | undefined;

  private arena: Arena | undefined;
  /** Where the window starts in the arena's memory: after `reserve` bytes for the caller. */
  private readonly start: number;
  private capacity = INITIAL_CAPACITY;
  private keep: number | undefined;
  private readonly sum: Checksum;
  private summing = false;
  private summed = 0;

  /**
   * `reserve` bytes of the memory, from ARENA_START, are the caller's: `bytes.copyWithin` moves
   * bytes between them and the window without allocating anything.
   */
  constructor(
    private readonly source: ByteSource,
    reserve = 0,
  ) {
    this.start = ARENA_START + reserve;
    this.arena = takeArena(this.start + INITIAL_CAPACITY);
    this.sum = new Checksum(this.arena);
    this.bytes = this.arena.bytes;
    this.view = new DataView(this.bytes.buffer);
    this.delta = this.start;
  }

  /** Gives the memory back for the next window; the window is unusable after. */
  release(): void {
    if (this.arena) spareArenas.push(this.arena);
    this.arena = undefined;
  }

  /**
   * Makes bytes [p, p + n) of the stream present in the window, reading as needed, and says whether
   * they are: false when the stream ends first. Bytes before p (or before the offset given to
   * keepFrom) may leave the window; `bytes`, `view` and `delta` may change.
   */
  ensure(p: number, n: number): boolean {
    if (p >= this.base && p + n <= this.top) return true;
    const want = p + n;
    // Bytes leave the window only before a read: dropping them once the bytes wanted are there
    // would move the rest of the read to the start (half a read each time: a page ends anywhere).
    while (this.top < want) {
      if (this.ended) return false;
      const from = Math.min(this.keep ?? p, p, this.top);
      if (from > this.base) this.drop(from);
      // Room for a whole read after what is there (which is all needed: it is from p or `keep` on).
      const filled = this.top - this.base;
      if (this.capacity - filled < CHUNK) this.grow(filled + CHUNK);
      this.read(CHUNK);
    }
    return true;
  }

  /** Bytes from `keep` on stay in the window until keepFrom(undefined). */
  keepFrom(keep: number | undefined): void {
    this.keep = keep;
  }

  /** The byte at p, which must be present. */
  at(p: number): number {
    return this.bytes[p + this.delta]!;
  }

  /** Up to `n` bytes from p, as many as the stream has (a view: read it before the window moves). */
  peek(p: number, n: number): Uint8Array {
    this.ensure(p, n);
    const from = Math.max(p, this.base);
    const to = Math.max(from, Math.min(p + n, this.top));
    return this.bytes.subarray(from + this.delta, to + this.delta);
  }

  /** Starts the checksum of the bytes from p (which is in the window) on. */
  beginChecksum(p: number): void {
    this.sum.reset();
    this.summing = true;
    this.summed = p;
  }

  /** The checksum of the bytes from beginChecksum's offset to p (which is in the window). */
  endChecksum(p: number): string {
    this.sum.update(this.summed + this.delta, p - this.summed);
    this.summing = false;
    return this.sum.digest();
  }

  /** Bytes before `to` leave the window (summed first if a checksum runs); the rest moves to its start. */
  private drop(to: number): void {
    if (this.summing && to > this.summed) {
      this.sum.update(this.summed + this.delta, to - this.summed);
      this.summed = to;
    }
    if (to < this.top) this.bytes.copyWithin(this.start, to + this.delta, this.top + this.delta);
    this.base = to;
    this.delta = this.start - to;
  }

  private grow(needed: number): void {
    let capacity = this.capacity;
    while (capacity < needed) capacity *= 2;
    this.arena!.grow(this.start + capacity);
    this.capacity = capacity;
    this.bytes = this.arena!.bytes;
    this.view = new DataView(this.bytes.buffer);
  }

  private read(n: number): void {
    const got = this.source.read(this.bytes, this.top + this.delta, n, this.top);
    if (got === 0) this.ended = true;
    this.top += got;
    this.onRead?.(this.top);
  }
}

/**
 * Copies `length` bytes of a seekable source from `offset` to `sink` through an arena, and returns
 * their checksum, or undefined when the source ends first. `onCopied` is told each piece's length.
 */
export function copyRange(
  source: ByteSource,
  offset: number,
  length: number,
  sink: ByteSink,
  onCopied?: (n: number) => void,
): string | undefined {
  const arena = takeArena(ARENA_START + CHUNK);
  try {
    const sum = new Checksum(arena);
    sum.reset();
    for (let done = 0; done < length;) {
      const got = source.read(
        arena.bytes,
        ARENA_START,
        Math.min(CHUNK, length - done),
        offset + done,
      );
      if (got === 0) return undefined;
      sum.update(ARENA_START, got);
      sink.write(arena.bytes, ARENA_START, got);
      done += got;
      onCopied?.(got);
    }
    return sum.digest();
  } finally {
    spareArenas.push(arena);
  }
}
