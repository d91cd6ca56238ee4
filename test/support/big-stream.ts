// A real stream made large: pxe-loop-pc (QEMU 7.2, a 32 MiB guest) with RAM PART sections added
// before its RAM END section, each sending every page of pc.ram again with new contents, as QEMU's
// later iterations send pages that changed. QEMU's loader takes such a stream (a page sent again
// replaces the earlier one). It is built once and kept in the OS temporary folder, named by what
// it is made from, so later runs reuse it.

import { createHash } from "node:crypto";
import {
  closeSync,
  existsSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { streamBytes } from "./streams.js";

/** How the added sections are made; a change here makes a new file (the name has its hash). */
const RECIPE =
  "pc.ram pages again, page i of section s: the base image with s and i in its first 8 bytes; v1";
const PAGE = 4096;
const BLOCK = "pc.ram";
const BLOCK_PAGES = (32 << 20) / PAGE;
/** Where pxe-loop-pc's RAM END section starts (its index, streams/pxe-loop-pc.sections.json). */
const RAM_END = 1083214;
const RAM_SECTION_ID = 2;

export interface BigStream {
  readonly path: string;
  readonly size: number;
  /** Sections added, and pages sent in all of them. */
  readonly sections: number;
  readonly pages: number;
}

/** A stream of more than `bytes` bytes (2 GiB + 1 by default), built or found in the OS temporary folder. */
export function bigStream(bytes = 2 ** 31 + 1): BigStream {
  const base = streamBytes("pxe-loop-pc");
  const sectionSize = 5 + (8 + 1 + BLOCK.length + PAGE) + (BLOCK_PAGES - 1) * (8 + PAGE) + 8 + 5;
  const sections = Math.ceil((bytes - base.length) / sectionSize);
  const size = base.length + sections * sectionSize;
  const key = createHash("sha256")
    .update(base)
    .update(RECIPE)
    .update(String(sections))
    .digest("hex")
    .slice(0, 16);
  const path = join(tmpdir(), `vmstate-test-big-${key}.stream`);
  if (!(existsSync(path) && statSync(path).size === size)) build(path, base, sections, sectionSize);
  return { path, size, sections, pages: sections * BLOCK_PAGES };
}

function build(path: string, base: Uint8Array, sections: number, sectionSize: number): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, "w");
  let done = false;
  try {
    write(fd, base.subarray(0, RAM_END));
    // The base image of pc.ram: pages of a fixed pseudo-random pattern, none of them zero.
    const image = new Uint8Array(BLOCK_PAGES * PAGE);
    let x = 0x9e3779b9;
    for (let i = 0; i < image.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      image[i] = x & 0xff;
      image[i + 1] = (x >>> 8) & 0xff;
      image[i + 2] = (x >>> 16) & 0xff;
      image[i + 3] = (x >>> 24) | 1;
    }
    const section = new Uint8Array(sectionSize);
    const view = new DataView(section.buffer);
    for (let s = 0; s < sections; s++) {
      let p = 0;
      section[p++] = 0x02; // PART
      view.setUint32(p, RAM_SECTION_ID);
      p += 4;
      for (let i = 0; i < BLOCK_PAGES; i++) {
        // be64 of the page's address and its flags: PAGE (0x08), CONTINUE (0x20) after the first.
        view.setUint32(p, 0);
        view.setUint32(p + 4, i * PAGE + (i === 0 ? 0x08 : 0x28));
        p += 8;
        if (i === 0) {
          section[p++] = BLOCK.length;
          for (const c of BLOCK) section[p++] = c.charCodeAt(0);
        }
        section.set(image.subarray(i * PAGE, (i + 1) * PAGE), p);
        view.setUint32(p, s);
        view.setUint32(p + 4, i);
        p += PAGE;
      }
      view.setUint32(p, 0);
      view.setUint32(p + 4, 0x10); // end of section
      p += 8;
      section[p++] = 0x7e;
      view.setUint32(p, RAM_SECTION_ID);
      write(fd, section);
    }
    write(fd, base.subarray(RAM_END));
    done = true;
  } finally {
    closeSync(fd);
    if (!done) unlinkSync(temp);
  }
  renameSync(temp, path);
}

/** Whether two files have the same bytes, read 8 MiB at a time. */
export function sameFileBytes(a: string, b: string): boolean {
  if (statSync(a).size !== statSync(b).size) return false;
  const [fa, fb] = [openSync(a, "r"), openSync(b, "r")];
  const [x, y] = [Buffer.alloc(8 << 20), Buffer.alloc(8 << 20)];
  try {
    for (let at = 0; ;) {
      const n = readSync(fa, x, 0, x.length, at);
      if (n === 0) return true;
      if (readSync(fb, y, 0, n, at) !== n || x.compare(y, 0, n, 0, n) !== 0) return false;
      at += n;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}

function write(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}
