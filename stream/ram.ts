// The RAM section's records (migration/ram.c in QEMU 7.2): a be64 of page address and flags,
// then by flag a block name, page bytes or a fill byte, until the end-of-section flag. They are
// walked as the stream's window passes over them: a page's bytes are skipped, not looked at (the
// window sums them as they leave it), unless a visitor wants them (`vmstate ram extract`).

import { StreamError, type RamBlock, type RamSummary } from "./format.js";
import type { StreamWindow } from "./window.js";

const FLAG_ZERO = 0x02;
const FLAG_MEM_SIZE = 0x04;
const FLAG_PAGE = 0x08;
const FLAG_EOS = 0x10;
const FLAG_CONTINUE = 0x20;
const KNOWN = FLAG_ZERO | FLAG_MEM_SIZE | FLAG_PAGE | FLAG_EOS | FLAG_CONTINUE;
export const PAGE_SIZE = 4096;

/** What `vmstate ram extract` is told of the pages, in stream order. */
export interface PageVisitor {
  /**
   * Bytes of the window's memory the visitor wants for itself, from ARENA_START (stream/checksum.ts)
   * on: it can copy pages there with `bytes.copyWithin`, which allocates nothing.
   */
  readonly reserve: number;
  /** The block list of a size record. */
  blocks(blocks: readonly RamBlock[], at: number): void;
  /** A page record names its block (it does when the block differs from the last record's). */
  block(id: string, at: number): void;
  /** A page of the current block at `address`: bytes[from, from + PAGE_SIZE). */
  page(address: number, bytes: Uint8Array, from: number, at: number): void;
  /** A page of the current block sent as one fill byte (0: a page of zeros); `bytes` as in page(). */
  fill(address: number, fill: number, bytes: Uint8Array, at: number): void;
  /** The section ends; `bytes` is the window's memory (as in page()), with what was copied there. */
  flush(bytes: Uint8Array): void;
}

export interface RamWalk {
  /** Where the section body ends: after the end-of-section record. */
  readonly end: number;
  readonly summary: RamSummary;
  /** The checksum of the body's bytes, from `start` to `end`. */
  readonly checksum: string;
}

/**
 * Walks the records of one RAM section body from `start`, not past `limit` (the stream's
 * description, or its end), and returns where it ends with a summary and the checksum of its
 * bytes. Throws a StreamError naming the offset of a bad record.
 */
export function walkRam(
  win: StreamWindow,
  start: number,
  limit: number,
  visitor?: PageVisitor,
): RamWalk {
  let p = start;
  let pages = 0;
  let zeroPages = 0;
  let records = 0;
  let blocks: RamBlock[] | undefined;
  // The page skipped last, for the message when the stream ends inside it (a pipe's end is
  // known only when it comes).
  let skipped = -1;
  const need = (n: number, what: string): void => {
    if (p + n <= limit && win.ensure(p, n)) return;
    if (skipped >= 0 && win.top < skipped + PAGE_SIZE)
      [p, n, what] = [skipped, PAGE_SIZE, "a page"];
    const left = Math.max(0, Math.min(limit, win.top) - p);
    throw new StreamError(
      `RAM section: ${what} at byte offset ${p} needs ${n} bytes, ${left} remain`,
    );
  };
  win.keepFrom(undefined);
  win.beginChecksum(start);
  for (;;) {
    // Most records are a page of a block already named: 8 bytes of head, then the page.
    if (p + 8 > win.top || p + 8 > limit) need(8, "a record");
    const recordAt = p;
    const high = win.view.getUint32(p + win.delta);
    const low = win.view.getUint32(p + win.delta + 4);
    p += 8;
    records++;
    const flags = low & 0xfff;
    if ((flags & ~KNOWN) !== 0) {
      throw new StreamError(
        `RAM section: record at byte offset ${recordAt} has flags 0x${flags.toString(16)}, which this decoder does not know (only zero, page, mem-size, continue and end)`,
      );
    }
    // The page's address in its block is what is above the flags.
    const address = high * 0x1_0000_0000 + (low >>> 12) * 4096;
    if (flags & FLAG_MEM_SIZE) {
      // A size record has the total size there, exact (a hostile one may not fit a double).
      const total = (BigInt(high) << 32n) | BigInt(((low >>> 12) << 12) >>> 0);
      // With the x-ignore-shared capability each block also carries its address; the stream does
      // not say so (7.2 sends no capabilities), so take the layout whose blocks add up.
      const found =
        memSizeBlocks(win, p, limit, total, false) ?? memSizeBlocks(win, p, limit, total, true);
      if (!found)
        throw new StreamError(
          `RAM section: the block list at byte offset ${p} does not add up to the total size ${total}`,
        );
      blocks = found.blocks;
      visitor?.blocks(blocks, p);
      p = found.end;
    } else if (flags & (FLAG_ZERO | FLAG_PAGE)) {
      if (!(flags & FLAG_CONTINUE)) {
        // A page record's block: u8 length and the name.
        need(1, "a block name length");
        const len = win.at(p);
        need(1 + len, "a block name");
        visitor?.block(latin1(win.bytes, p + 1 + win.delta, len), p);
        p += 1 + len;
      }
      if (flags & FLAG_ZERO) {
        need(1, "a fill byte");
        visitor?.fill(address, win.at(p), win.bytes, recordAt);
        p += 1;
        zeroPages++;
      } else {
        if (visitor) {
          need(PAGE_SIZE, "a page");
          visitor.page(address, win.bytes, p + win.delta, recordAt);
        } else if (p + PAGE_SIZE > limit) {
          need(PAGE_SIZE, "a page");
        }
        skipped = p;
        p += PAGE_SIZE;
        pages++;
      }
    }
    if (flags & FLAG_EOS) {
      need(0, "the end of the section");
      visitor?.flush(win.bytes);
      return {
        end: p,
        summary: { pages, zeroPages, records, ...(blocks ? { blocks } : {}) },
        checksum: win.endChecksum(p),
      };
    }
  }
}

/** The block list of a size record, read with or without block addresses, or undefined if it does not fit. */
function memSizeBlocks(
  win: StreamWindow,
  start: number,
  limit: number,
  total: bigint,
  withAddress: boolean,
): { blocks: RamBlock[]; end: number } | undefined {
  win.keepFrom(start);
  try {
    const blocks: RamBlock[] = [];
    let p = start;
    let left = total;
    while (left > 0n) {
      if (p >= limit || !win.ensure(p, 1)) return undefined;
      const len = win.at(p);
      const size = 1 + len + 8 + (withAddress ? 8 : 0);
      if (len === 0 || p + size > limit || !win.ensure(p, size)) return undefined;
      const name = win.bytes.subarray(p + 1 + win.delta, p + 1 + len + win.delta);
      if (!name.every((c) => c >= 0x20 && c < 0x7f)) return undefined;
      const length = win.view.getBigUint64(p + 1 + len + win.delta);
      if (length === 0n || length > left) return undefined;
      blocks.push({ id: String.fromCharCode(...name), length: Number(length) });
      left -= length;
      p += size;
    }
    return { blocks, end: p };
  } finally {
    win.keepFrom(undefined);
  }
}

/** A name of `len` bytes, one character per byte. */
function latin1(bytes: Uint8Array, from: number, len: number): string {
  return String.fromCharCode(...bytes.subarray(from, from + len));
}
