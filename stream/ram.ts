// The RAM section's records (migration/ram.c in QEMU 7.2): a be64 of page address and flags,
// then by flag a block name, page bytes or a fill byte, until the end-of-section flag.

import { StreamError, type RamSummary } from "./format.js";

const FLAG_ZERO = 0x02;
const FLAG_MEM_SIZE = 0x04;
const FLAG_PAGE = 0x08;
const FLAG_EOS = 0x10;
const FLAG_CONTINUE = 0x20;
const FLAG_MASK = 0xfffn;
const KNOWN = FLAG_ZERO | FLAG_MEM_SIZE | FLAG_PAGE | FLAG_EOS | FLAG_CONTINUE;
const PAGE_SIZE = 4096;

/**
 * Walks the records of one RAM section body from `start` and returns where it ends (after the
 * end-of-section flag) and a summary. Throws a StreamError naming the offset of a bad record.
 */
export function walkRam(bytes: Uint8Array, start: number): { end: number; summary: RamSummary } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = start;
  let pages = 0;
  let zeroPages = 0;
  let records = 0;
  let blocks: { id: string; length: number }[] | undefined;
  const need = (n: number, what: string): void => {
    if (p + n > bytes.length)
      throw new StreamError(
        `RAM section: ${what} at byte offset ${p} needs ${n} bytes, ${bytes.length - p} remain`,
      );
  };
  const skipName = (): void => {
    // A page record's block: u8 length and the name.
    need(1, "a block name length");
    const len = bytes[p]!;
    need(1 + len, "a block name");
    p += 1 + len;
  };
  for (;;) {
    need(8, "a record");
    const recordAt = p;
    const word = view.getBigUint64(p);
    p += 8;
    records++;
    const flags = Number(word & FLAG_MASK);
    if ((flags & ~KNOWN) !== 0) {
      throw new StreamError(
        `RAM section: record at byte offset ${recordAt} has flags 0x${flags.toString(16)}, which this decoder does not know (only zero, page, mem-size, continue and end)`,
      );
    }
    if (flags & FLAG_MEM_SIZE) {
      const total = word & ~FLAG_MASK;
      // With the x-ignore-shared capability each block also carries its address; the stream does
      // not say so (7.2 sends no capabilities), so take the layout whose blocks add up.
      const found = memSizeBlocks(bytes, p, total, false) ?? memSizeBlocks(bytes, p, total, true);
      if (!found)
        throw new StreamError(
          `RAM section: the block list at byte offset ${p} does not add up to the total size ${total}`,
        );
      blocks = found.blocks;
      p = found.end;
    } else if (flags & (FLAG_ZERO | FLAG_PAGE)) {
      if (!(flags & FLAG_CONTINUE)) skipName();
      if (flags & FLAG_ZERO) {
        need(1, "a fill byte");
        p += 1;
        zeroPages++;
      } else {
        need(PAGE_SIZE, "a page");
        p += PAGE_SIZE;
        pages++;
      }
    }
    if (flags & FLAG_EOS)
      return { end: p, summary: { pages, zeroPages, records, ...(blocks ? { blocks } : {}) } };
  }
}

/** The block list of a size record, read with or without block addresses, or undefined if it does not fit. */
function memSizeBlocks(
  bytes: Uint8Array,
  start: number,
  total: bigint,
  withAddress: boolean,
): { blocks: { id: string; length: number }[]; end: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: { id: string; length: number }[] = [];
  let p = start;
  let left = total;
  while (left > 0n) {
    const len = bytes[p];
    if (len === undefined || len === 0 || p + 1 + len + 8 + (withAddress ? 8 : 0) > bytes.length)
      return undefined;
    const name = bytes.subarray(p + 1, p + 1 + len);
    if (!name.every((c) => c >= 0x20 && c < 0x7f)) return undefined;
    const length = view.getBigUint64(p + 1 + len);
    if (length === 0n || length > left) return undefined;
    blocks.push({ id: String.fromCharCode(...name), length: Number(length) });
    left -= length;
    p += 1 + len + 8 + (withAddress ? 8 : 0);
  }
  return { blocks, end: p };
}
