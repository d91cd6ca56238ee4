// Stream decoding: a QEMU migration stream → a StreamDocument, read once from start to end through a
// window (stream/window.ts), so that a stream of any size is decoded in the same memory. Sections
// with a schema are decoded field by field; the RAM sections are walked record by record and kept
// as a summary and the place of their bytes in the source; other device sections are kept as
// bytes, delimited by the stream's own description (the vmdesc after EOF).
//
// When a section cannot be read, the error says which section, which field (path), at which byte
// offset, what bytes were expected and found, and how much of the section is left unread.

import { LoadError, Reader, hexBytes, printable } from "../runtime/index.js";
import type { Codecs, SectionSchema } from "./codecs.js";
import { schemaForIdstr } from "./codecs.js";
import {
  FILE_VERSION,
  MAGIC,
  Marker,
  StreamError,
  type SectionBody,
  type StreamDocument,
  type StreamItem,
} from "./format.js";
import { stateToJson } from "./json.js";
import { walkRam, type PageVisitor } from "./ram.js";
import { MemorySource, type ByteSource } from "./source.js";
import {
  describedSize,
  findVmdesc,
  locateVmdesc,
  type DeviceEntry,
  type Vmdesc,
} from "./vmdesc.js";
import { StreamWindow } from "./window.js";
import { decodeDescribed, describedLayout, opaqueReason } from "./described.js";

/**
 * The most a device section, or what follows EOF, may take: such parts are held in memory whole.
 * QEMU's largest device sections are tens of KiB, and the description well under 1 MiB.
 */
export const MAX_HELD = 32 << 20;
/** How far ahead of a section with a schema, but no size in the description, is read at first. */
const LOOKAHEAD = 1 << 20;

export interface DecodeOptions {
  /** The source's absolute path, for the document (RAM is read from there again). */
  readonly path?: string;
  /** Told the offset reached after each read, and how many sections are done. */
  readonly progress?: (offset: number, sections: number) => void;
  /** Told every page of the RAM sections (`vmstate ram extract`). */
  readonly pages?: PageVisitor;
}

interface OpenSection {
  readonly idstr: string;
  readonly schema: SectionSchema | undefined;
}

/** A stream in memory → its document. */
export function decodeStream(
  bytes: Uint8Array,
  codecs: Codecs,
  params: Record<string, unknown>,
  options: DecodeOptions = {},
): StreamDocument {
  return decodeSource(new MemorySource(bytes), codecs, params, options);
}

/** A stream read from `source` once, from start to end → its document. */
export function decodeSource(
  source: ByteSource,
  codecs: Codecs,
  params: Record<string, unknown>,
  options: DecodeOptions = {},
): StreamDocument {
  const win = new StreamWindow(source, options.pages?.reserve);
  try {
    return new StreamDecoder(win, source, codecs, params, options).decode();
  } finally {
    win.release();
  }
}

/** A bare section body (such as a fixture's virtio-net payload) → its state. */
export function decodeSectionBody(
  bytes: Uint8Array,
  schema: SectionSchema,
  params: Record<string, unknown>,
  version?: number,
): Record<string, unknown> {
  const r = new Reader(bytes);
  const v = version ?? schema.codec.version;
  let state: Record<string, unknown>;
  try {
    state = schema.codec.load(r, params, v);
  } catch (e) {
    if (e instanceof LoadError)
      throw new StreamError(
        loadErrorMessage(
          `section "${schema.name}"`,
          e,
          e.offset,
          bytes.subarray(e.offset, e.offset + 8),
          bytes.length,
        ),
      );
    throw e;
  }
  if (r.pos !== bytes.length) {
    const last = lastFieldPath({ schema, version: v, params, start: 0, end: r.pos }, bytes, 0);
    throw new StreamError(
      `section "${schema.name}": ${bytes.length - r.pos} bytes remain unread after ${last || "the last field"} (ending at byte offset ${r.pos}); next bytes ${hexBytes(bytes.subarray(r.pos, r.pos + 8))}`,
    );
  }
  return state;
}

class StreamDecoder {
  private vmdesc: Vmdesc | undefined;
  /** Where the sections end: the description's offset, or the stream's end; Infinity until known (a pipe). */
  private limit = Infinity;
  /** The stream's length, if known before it is read. */
  private readonly size: number | undefined;
  private readonly items: StreamItem[] = [];
  private readonly open = new Map<number, OpenSection>();
  private readonly described = new Map<string, DeviceEntry>();
  /** Whether sections end with footers: decided by the first section, then required of all. */
  private footers: boolean | undefined;
  private p = 0;

  constructor(
    private readonly win: StreamWindow,
    source: ByteSource,
    private readonly codecs: Codecs,
    private readonly params: Record<string, unknown>,
    private readonly options: DecodeOptions,
  ) {
    this.size = source.seekable ? source.size : undefined;
    if (this.size !== undefined) this.setVmdesc(locateVmdesc(source, this.size), this.size);
    const progress = options.progress;
    if (progress) win.onRead = (top) => progress(top, this.items.length);
  }

  private setVmdesc(vmdesc: Vmdesc | undefined, size: number): void {
    this.vmdesc = vmdesc;
    this.limit = vmdesc ? vmdesc.offset : size;
    for (const d of vmdesc?.devices ?? []) this.described.set(`${d.name}\u0000${d.instance_id}`, d);
  }

  decode(): StreamDocument {
    this.need(8, "the stream header");
    const magic = this.win.view.getUint32(this.win.delta);
    if (magic !== MAGIC)
      throw new StreamError(
        `not a QEMU migration stream: expected the magic 51 45 56 4d ("QEVM") at byte offset 0, found ${hexBytes(this.win.peek(0, 4))}`,
      );
    const fileVersion = this.win.view.getUint32(4 + this.win.delta);
    if (fileVersion !== FILE_VERSION)
      throw new StreamError(
        `stream file version ${fileVersion} is not supported (QEMU writes version ${FILE_VERSION})`,
      );
    this.p = 8;
    for (;;) {
      this.need(1, "a section type");
      const at = this.p;
      const type = this.win.at(this.p++);
      if (type === Marker.EOF) {
        this.items.push({ type: "eof", offset: at });
        break;
      }
      this.win.keepFrom(at);
      this.section(type, at);
      this.win.keepFrom(undefined);
    }
    this.afterEof();
    if (this.vmdesc)
      this.items.push({ type: "vmdesc", offset: this.vmdesc.offset, json: this.vmdesc.text });
    const size = this.size ?? this.win.top; // a pipe has been read to its end
    return {
      format: "qemu-migration-stream",
      fileVersion,
      source: { ...(this.options.path === undefined ? {} : { path: this.options.path }), size },
      items: this.items,
    };
  }

  /** After EOF comes the description, or nothing; a pipe's description is found only now. */
  private afterEof(): void {
    this.win.keepFrom(this.p);
    if (this.limit === Infinity) {
      // Everything that follows is read: it must be the description, which is held whole.
      if (this.win.ensure(this.p, MAX_HELD + 1))
        throw new StreamError(
          `after EOF at byte offset ${this.p - 1}: more than ${MAX_HELD} bytes follow, which is not a stream's description`,
        );
      const tail = this.win.peek(this.p, this.win.top - this.p);
      const found = findVmdesc(tail);
      this.setVmdesc(found && { ...found, offset: this.p + found.offset }, this.win.top);
    }
    if (this.p !== this.limit) {
      throw new StreamError(
        `after EOF at byte offset ${this.p - 1}: expected the end of the stream or its description, found ${this.limit - this.p} more bytes (${hexBytes(this.win.peek(this.p, 8))})`,
      );
    }
  }

  private need(n: number, what: string): void {
    if (this.p + n <= this.limit && this.win.ensure(this.p, n)) return;
    const left = Math.min(this.limit, this.win.top) - this.p;
    throw new StreamError(
      `unexpected end of stream: ${what} at byte offset ${this.p} needs ${n} bytes, ${left} remain`,
    );
  }

  private u32(what: string): number {
    this.need(4, what);
    const v = this.win.view.getUint32(this.p + this.win.delta);
    this.p += 4;
    return v;
  }

  /** `n` bytes at p as hex, and p moved past them. */
  private hex(n: number): string {
    const win = this.win;
    const text = Buffer.from(
      win.bytes.buffer,
      win.bytes.byteOffset + this.p + win.delta,
      n,
    ).toString("hex");
    this.p += n;
    return text;
  }

  private section(type: number, at: number): void {
    switch (type) {
      case Marker.CONFIGURATION:
        return this.configuration(at);
      case Marker.SECTION_START:
      case Marker.SECTION_FULL:
        return this.startOrFull(type, at);
      case Marker.SECTION_PART:
      case Marker.SECTION_END:
        return this.partOrEnd(type, at);
      case Marker.COMMAND: {
        this.need(4, "a command header");
        const command = this.win.view.getUint16(this.p + this.win.delta);
        const len = this.win.view.getUint16(this.p + this.win.delta + 2);
        this.p += 4;
        this.need(len, "command data");
        this.items.push({ type: "command", offset: at, command, hex: this.hex(len) });
        return;
      }
      default:
        throw new StreamError(
          `unknown section type 0x${type.toString(16).padStart(2, "0")} at byte offset ${at} (bytes ${hexBytes(this.win.peek(at, 8))})`,
        );
    }
  }

  private configuration(at: number): void {
    const schema = this.codecs.sections.get("configuration");
    if (!schema)
      throw new StreamError(
        `the configuration section at byte offset ${at} needs the "configuration" schema`,
      );
    // QEMU loads the configuration at version 0 (qemu_loadvm_state).
    const state = this.readState(
      schema,
      `the configuration section at byte offset ${at}`,
      0,
      undefined,
    );
    this.items.push({
      type: "configuration",
      offset: at,
      schema: schema.name,
      state: stateToJson(schema.codec.state, state),
    });
  }

  private startOrFull(type: number, at: number): void {
    const sectionId = this.u32("a section id");
    this.need(1, "a section name length");
    const len = this.win.at(this.p++);
    this.need(len, "a section name");
    // Byte for character (ISO 8859-1), so that encode writes the same bytes back.
    const idstr = Buffer.from(
      this.win.bytes.buffer,
      this.win.bytes.byteOffset + this.p + this.win.delta,
      len,
    ).toString("latin1");
    this.p += len;
    const instanceId = this.u32("an instance id");
    const versionId = this.u32("a version id");
    const schema = idstr === "ram" ? undefined : schemaForIdstr(this.codecs, idstr);
    this.open.set(sectionId, { idstr, schema });
    const what = `section ${sectionId} "${printable(idstr)}"`;
    let body: SectionBody;
    if (idstr === "ram") {
      body = this.ram();
    } else if (schema) {
      const size = this.describedSize(idstr, instanceId);
      const end = size === undefined ? undefined : this.p + size;
      const state = this.readState(
        schema,
        `${what} (schema ${schema.name}, version ${versionId})`,
        versionId,
        end,
      );
      body = { schema: schema.name, state: stateToJson(schema.codec.state, state) };
    } else if (type === Marker.SECTION_FULL) {
      body = this.fromDescription(idstr, instanceId, sectionId, what);
    } else {
      throw new StreamError(
        `${what} at byte offset ${at} is iterative and has no schema: this decoder reads only the "ram" iterative section`,
      );
    }
    this.footer(sectionId, what);
    this.items.push({
      type: type === Marker.SECTION_FULL ? "full" : "start",
      offset: at,
      sectionId,
      idstr,
      instanceId,
      versionId,
      body,
      footer: this.footers === true,
    });
  }

  private partOrEnd(type: number, at: number): void {
    const sectionId = this.u32("a section id");
    const open = this.open.get(sectionId);
    if (!open)
      throw new StreamError(
        `section ${sectionId} continues at byte offset ${at} but never started`,
      );
    if (open.idstr !== "ram")
      throw new StreamError(
        `section ${sectionId} "${printable(open.idstr)}" is iterative: this decoder reads only the "ram" iterative section`,
      );
    const body = this.ram();
    this.footer(sectionId, `section ${sectionId} "${printable(open.idstr)}"`);
    this.items.push({
      type: type === Marker.SECTION_PART ? "part" : "end",
      offset: at,
      sectionId,
      body,
      footer: this.footers === true,
    });
  }

  private ram(): SectionBody {
    const start = this.p;
    const { end, summary, checksum } = walkRam(this.win, start, this.limit, this.options.pages);
    this.p = end;
    return { ram: summary, source: { offset: start, length: end - start, checksum } };
  }

  /**
   * The size the stream's description gives a device section. A pipe's description comes at its
   * end: until a section without a schema has made the decoder read that far, a section with a
   * schema is checked by its footer alone.
   */
  private describedSize(idstr: string, instanceId: number): number | undefined {
    const described = this.described.get(`${idstr}\u0000${instanceId}`);
    return described && describedSize(described.entry);
  }

  /**
   * Reads the rest of a pipe, and finds its description there. The rest is small when it is the
   * device sections, which QEMU sends after RAM.
   */
  private readToEnd(what: string): void {
    if (this.win.ensure(this.p, MAX_HELD + 1))
      throw new StreamError(
        `${what} needs the stream's description for its size, which comes at the end of the stream, more than ${MAX_HELD} bytes on: decode a file rather than standard input`,
      );
    const found = findVmdesc(this.win.peek(this.p, this.win.top - this.p));
    this.setVmdesc(found && { ...found, offset: this.p + found.offset }, this.win.top);
  }

  /**
   * A section without a schema, decoded from the stream's description: into fields, or kept as
   * bytes (saying why) when the description gives it as one opaque field.
   */
  private fromDescription(
    idstr: string,
    instanceId: number,
    sectionId: number,
    what: string,
  ): SectionBody {
    if (this.limit === Infinity) this.readToEnd(`${what} at byte offset ${this.p}`);
    const entry = this.described.get(`${idstr}\u0000${instanceId}`);
    if (!entry) {
      const found = this.vmdesc || this.footers === false ? undefined : this.byFooter(sectionId);
      if (found) return found;
      throw new StreamError(
        `${what} at byte offset ${this.p} has no schema, and ${this.vmdesc ? "the stream's description does not list it" : `the stream has no description${this.footers === false ? " nor section footers" : " and no footer 7e " + hexBytes(be32(sectionId)) + " followed by a section header"}`}, so its end cannot be found`,
      );
    }
    const size = describedSize(entry.entry);
    if (size === undefined)
      throw new StreamError(
        `${what} at byte offset ${this.p} has no schema, and the stream's description gives no byte counts for it (a size that is missing, negative or not an integer), so its end cannot be found`,
      );
    if (size > MAX_HELD && this.p + size <= this.limit)
      throw new StreamError(
        `${what} at byte offset ${this.p} is ${size} bytes by the stream's description: a section without a schema is held whole up to ${MAX_HELD} bytes`,
      );
    this.need(size, `${what}, ${size} bytes by the stream's description,`);
    const layout = describedLayout(entry.entry, `${what} at byte offset ${this.p}`);
    const kept = opaqueReason(layout);
    if (kept !== undefined) return { hex: this.hex(size), kept };
    const start = this.p;
    const state = decodeDescribed(layout, this.win.peek(start, size), start, what);
    this.p += size;
    return { described: layout.vmsdName ?? idstr, state };
  }

  /**
   * A section of a stream without a description, kept as bytes up to the first footer of its
   * section id that a section header (or the EOF ending the stream) follows. Only a guess: the
   * document says so.
   */
  private byFooter(sectionId: number): SectionBody | undefined {
    const start = this.p;
    const footer = [Marker.SECTION_FOOTER, ...be32(sectionId)];
    for (let ahead = 1 << 16; ; ahead *= 8) {
      this.win.ensure(start, Math.min(ahead, MAX_HELD, this.limit - start));
      const bytes = this.win.peek(start, Math.min(this.win.top, this.limit) - start);
      for (let q = bytes.indexOf(footer[0]!); q >= 0; q = bytes.indexOf(footer[0]!, q + 1)) {
        if (!footer.every((b, i) => bytes[q + i] === b) || !this.itemBeginsAt(bytes, q + 5, start))
          continue;
        const hex = Buffer.from(bytes.subarray(0, q)).toString("hex");
        this.p = start + q;
        return {
          hex,
          kept: `the stream has no description: kept as bytes up to the first footer ${hexBytes(new Uint8Array(footer))} that a section header follows (a guess, which its contents could mislead)`,
        };
      }
      if (bytes.length >= MAX_HELD || start + bytes.length >= this.limit || this.win.ended)
        return undefined;
    }
  }

  /** Whether bytes[i] (the stream's byte start + i) plausibly begins the next item. */
  private itemBeginsAt(bytes: Uint8Array, i: number, start: number): boolean {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const left = bytes.length - i;
    switch (bytes[i]) {
      case Marker.EOF:
        return start + i + 1 === this.limit;
      case Marker.SECTION_START:
      case Marker.SECTION_FULL: {
        if (left < 6) return false;
        const len = bytes[i + 5]!;
        if (len === 0 || left < 6 + len + 8) return false;
        return bytes.subarray(i + 6, i + 6 + len).every((b) => b >= 0x20 && b < 0x7f);
      }
      case Marker.SECTION_PART:
      case Marker.SECTION_END:
        return left >= 5 && this.open.has(view.getUint32(i + 1));
      default:
        return false;
    }
  }

  /** Reads a section body with its codec; every failure becomes one message with the whole story. */
  private readState(
    schema: SectionSchema,
    what: string,
    version: number,
    describedEnd: number | undefined,
  ): Record<string, unknown> {
    const start = this.p;
    const win = this.win;
    // The section is read from the window, which holds it whole: as far as the description says
    // (and the footer), or a good way ahead, further if the codec runs out of bytes before the
    // stream does.
    let ahead = describedEnd === undefined ? LOOKAHEAD : describedEnd - start + 13;
    for (;;) {
      win.ensure(start, Math.min(ahead, this.limit - start));
      const available = Math.min(this.limit, win.top);
      const r = new Reader(win.bytes, start + win.delta, available + win.delta);
      try {
        const state = schema.codec.load(r, this.params, version);
        this.p = r.pos - win.delta;
        this.lastRead = {
          load: { schema, version, params: this.params, start, end: this.p },
          describedEnd,
        };
        return state;
      } catch (e) {
        if (!(e instanceof LoadError)) throw e;
        if (available < this.limit && !win.ended && ahead < MAX_HELD) {
          ahead *= 8;
          continue;
        }
        const offset = e.offset - win.delta;
        throw new StreamError(loadErrorMessage(what, e, offset, win.peek(offset, 8), describedEnd));
      }
    }
  }

  /** The section just read, for the footer's messages. */
  private lastRead: { load: SectionLoad; describedEnd: number | undefined } | undefined;

  /**
   * The footer `7e <be32 id>` after a section, if this stream's sections have them. Without
   * footers (machine types up to 2.3) the stream's description is the only check of the end.
   */
  private footer(sectionId: number, what: string): void {
    const win = this.win;
    const has =
      this.p < this.limit && win.ensure(this.p, 1) && win.at(this.p) === Marker.SECTION_FOOTER;
    this.footers ??= has;
    const last = this.lastRead;
    this.lastRead = undefined;
    if (!this.footers) {
      if (last?.describedEnd !== undefined && last.describedEnd !== this.p) {
        const left = last.describedEnd - this.p;
        throw new StreamError(
          `${what}: the stream's description ends the section at byte offset ${last.describedEnd}, but the schema ended after ${lastFieldPath(last.load, win.bytes, win.delta) || "the last field"} at byte offset ${this.p}` +
            (left > 0
              ? `; ${left} bytes of the section remain unread (bytes there: ${hexBytes(win.peek(this.p, 8))})`
              : ""),
        );
      }
      return;
    }
    const expected = new Uint8Array([
      Marker.SECTION_FOOTER,
      sectionId >>> 24,
      (sectionId >>> 16) & 0xff,
      (sectionId >>> 8) & 0xff,
      sectionId & 0xff,
    ]);
    const found = this.p + 5 <= this.limit ? win.peek(this.p, 5) : new Uint8Array(0);
    if (found.length === 5 && found.every((b, i) => b === expected[i])) {
      this.p += 5;
      return;
    }
    let message = `${what}: expected the section footer ${hexBytes(expected)} at byte offset ${this.p}, found ${hexBytes(win.peek(this.p, 8)) || "the end of the stream"}`;
    if (last) {
      message += `; the last field read was ${lastFieldPath(last.load, win.bytes, win.delta) || "?"} (ending at byte offset ${last.load.end})`;
      if (last.describedEnd !== undefined && last.describedEnd > this.p)
        message += `; ${last.describedEnd - this.p} bytes of the section remain unread`;
    }
    throw new StreamError(message);
  }
}

function be32(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** A load that succeeded: the section's codec read the stream from `start` to `end`. */
interface SectionLoad {
  readonly schema: SectionSchema;
  readonly version: number;
  readonly params: Record<string, unknown>;
  readonly start: number;
  readonly end: number;
}

/**
 * The full path of the last field a load read, for messages about what follows it. The reader sees
 * paths relative to the struct being read; the generated code adds the outer part only to errors.
 * So read the same bytes again (`bytes[p + delta]` is the stream's byte p), ending one byte short:
 * the last field's read fails, and the error has the path. Only failures pay for this.
 */
function lastFieldPath(load: SectionLoad, bytes: Uint8Array, delta: number): string {
  if (load.end <= load.start) return "";
  try {
    load.schema.codec.load(
      new Reader(bytes, load.start + delta, load.end - 1 + delta),
      load.params,
      load.version,
    );
  } catch (e) {
    if (e instanceof LoadError) return e.path;
  }
  return "";
}

/** `offset` is the stream offset of the error, `next` the bytes there. */
function loadErrorMessage(
  what: string,
  e: LoadError,
  offset: number,
  next: Uint8Array,
  describedEnd: number | undefined,
): string {
  let message = `${what}: ${e.path === "" ? "" : `${e.path}: `}${e.reason} at byte offset ${offset}`;
  message += next.length ? ` (bytes there: ${hexBytes(next)})` : " (the stream ends there)";
  if (describedEnd !== undefined && describedEnd >= offset)
    message += `; ${describedEnd - offset} bytes of the section remain unread from there`;
  return message;
}
