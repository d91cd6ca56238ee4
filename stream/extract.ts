// `vmstate ram extract`: the RAM of a stream as one image per RAM block, written as the stream is
// read. An image is as long as its block; a page the stream sends is written at its address, a
// page of zeros that nothing was written to is left a hole (a sparse file where the filesystem
// makes one), and a page sent again (a later iteration) replaces the earlier one, as on QEMU's
// destination.

import { ftruncateSync, writeSync } from "node:fs";
import { ARENA_START } from "./checksum.js";
import type { Codecs } from "./codecs.js";
import { decodeSource } from "./decode.js";
import { StreamError, type RamBlock, type StreamDocument } from "./format.js";
import { PAGE_SIZE, type PageVisitor } from "./ram.js";
import type { ByteSource } from "./source.js";

/** How many bytes of consecutive pages are gathered before one write. */
const RUN = 1 << 20;

export interface RamImage {
  readonly id: string;
  /** The image's file name (in the folder given), from the block's id. */
  readonly file: string;
  readonly length: number;
  /** Pages the stream sent with their bytes, and as a fill byte, for this block. */
  pages: number;
  fillPages: number;
}

/**
 * Reads the stream and writes its RAM blocks' images. `create(file, length)` makes an image file
 * and returns its descriptor; the caller closes the files and puts them in place.
 */
export function extractRam(
  source: ByteSource,
  codecs: Codecs,
  params: Record<string, unknown>,
  create: (file: string, length: number) => number,
  progress?: (offset: number, sections: number) => void,
): { images: RamImage[]; doc: StreamDocument } {
  const images = new ImageWriter(create);
  const doc = decodeSource(source, codecs, params, {
    pages: images,
    ...(progress ? { progress } : {}),
  });
  return { images: [...images.images.values()].map((i) => i.image), doc };
}

/** The file name of a block's image: its id with anything but letters, digits and `._@:+-` as %XX. */
export function imageFile(id: string): string {
  return `${id.replace(/[^A-Za-z0-9._@:+-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`)}.img`;
}

interface OpenImage {
  readonly image: RamImage;
  readonly fd: number;
  /** One bit per page: written to (a page of zeros over it must then be written too). */
  readonly written: Uint8Array;
}

class ImageWriter implements PageVisitor {
  readonly reserve = RUN;
  readonly images = new Map<string, OpenImage>();
  private current: OpenImage | undefined;
  /** The run of pages gathered at ARENA_START: its image, its address, and how many bytes. */
  private run: OpenImage | undefined;
  private runAddress = 0;
  private runLength = 0;
  private readonly fills = new Map<number, Uint8Array>();

  constructor(private readonly create: (file: string, length: number) => number) {}

  blocks(blocks: readonly RamBlock[]): void {
    for (const { id, length } of blocks) {
      if (this.images.has(id)) continue;
      const image: RamImage = { id, file: imageFile(id), length, pages: 0, fillPages: 0 };
      const fd = this.create(image.file, length);
      ftruncateSync(fd, length);
      this.images.set(id, {
        image,
        fd,
        written: new Uint8Array(Math.ceil(length / PAGE_SIZE / 8)),
      });
    }
  }

  block(id: string, at: number): void {
    const open = this.images.get(id);
    if (!open)
      throw new StreamError(
        `RAM section: the page record at byte offset ${at} names the block "${id.replace(/[^\x20-\x7e]/g, "?")}", which the stream's block list does not have`,
      );
    this.current = open;
  }

  page(address: number, bytes: Uint8Array, from: number, at: number): void {
    const open = this.pageOf(address, at);
    if (this.run !== open || this.runAddress + this.runLength !== address || this.runLength === RUN)
      this.flush(bytes);
    if (this.runLength === 0) {
      this.run = open;
      this.runAddress = address;
    }
    bytes.copyWithin(ARENA_START + this.runLength, from, from + PAGE_SIZE);
    this.runLength += PAGE_SIZE;
    open.image.pages++;
    mark(open.written, address / PAGE_SIZE);
  }

  fill(address: number, fill: number, bytes: Uint8Array, at: number): void {
    const open = this.pageOf(address, at);
    open.image.fillPages++;
    const page = address / PAGE_SIZE;
    // A page of zeros where nothing was written is a hole already.
    if (fill === 0 && !isMarked(open.written, page)) return;
    mark(open.written, page);
    if (
      this.run === open &&
      address >= this.runAddress &&
      address < this.runAddress + this.runLength
    ) {
      // The page is in the run not written yet: it changes there.
      const from = ARENA_START + address - this.runAddress;
      bytes.fill(fill, from, from + PAGE_SIZE);
      return;
    }
    let page0 = this.fills.get(fill);
    if (!page0) this.fills.set(fill, (page0 = new Uint8Array(PAGE_SIZE).fill(fill)));
    write(open, page0, 0, PAGE_SIZE, address);
  }

  flush(bytes: Uint8Array): void {
    if (this.run && this.runLength > 0)
      write(this.run, bytes, ARENA_START, this.runLength, this.runAddress);
    this.run = undefined;
    this.runLength = 0;
  }

  private pageOf(address: number, at: number): OpenImage {
    const open = this.current;
    if (!open)
      throw new StreamError(
        `RAM section: the page record at byte offset ${at} continues a block, but no record before it named one`,
      );
    if (address % PAGE_SIZE !== 0 || address + PAGE_SIZE > open.image.length)
      throw new StreamError(
        `RAM section: the page record at byte offset ${at} is at address 0x${address.toString(16)}, outside the block "${open.image.id}" (${open.image.length} bytes)`,
      );
    return open;
  }
}

function write(
  image: OpenImage,
  bytes: Uint8Array,
  from: number,
  n: number,
  position: number,
): void {
  try {
    while (n > 0) {
      const done = writeSync(image.fd, bytes, from, n, position);
      from += done;
      position += done;
      n -= done;
    }
  } catch (e) {
    throw new StreamError(`cannot write ${image.image.file}: ${(e as Error).message}`);
  }
}

function mark(bits: Uint8Array, page: number): void {
  bits[page >>> 3] = bits[page >>> 3]! | (1 << (page & 7));
}

function isMarked(bits: Uint8Array, page: number): boolean {
  return (bits[page >>> 3]! & (1 << (page & 7))) !== 0;
}
