// Stream decoding: a whole QEMU migration stream → a StreamDocument. Sections with a schema are
// decoded field by field; the RAM section is walked record by record; other device sections are
// kept as bytes, delimited by the stream's own description (the vmdesc after EOF).
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
import { walkRam } from "./ram.js";
import { describedSize, findVmdesc, type DeviceEntry, type Vmdesc } from "./vmdesc.js";

interface OpenSection {
  readonly idstr: string;
  readonly schema: SectionSchema | undefined;
}

export function decodeStream(
  bytes: Uint8Array,
  codecs: Codecs,
  params: Record<string, unknown>,
): StreamDocument {
  return new StreamDecoder(bytes, codecs, params).decode();
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
      throw new StreamError(loadErrorMessage(`section "${schema.name}"`, e, bytes, bytes.length));
    throw e;
  }
  if (r.pos !== bytes.length) {
    const last = lastFieldPath({ schema, version: v, params, bytes, start: 0, end: r.pos });
    throw new StreamError(
      `section "${schema.name}": ${bytes.length - r.pos} bytes remain unread after ${last || "the last field"} (ending at byte offset ${r.pos}); next bytes ${hexBytes(bytes.subarray(r.pos, r.pos + 8))}`,
    );
  }
  return state;
}

class StreamDecoder {
  private readonly view: DataView;
  private readonly vmdesc: Vmdesc | undefined;
  private readonly limit: number;
  private readonly items: StreamItem[] = [];
  private readonly open = new Map<number, OpenSection>();
  private readonly described = new Map<string, DeviceEntry>();
  /** Whether sections end with footers: decided by the first section, then required of all. */
  private footers: boolean | undefined;
  private p = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly codecs: Codecs,
    private readonly params: Record<string, unknown>,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.vmdesc = findVmdesc(bytes);
    this.limit = this.vmdesc ? this.vmdesc.offset : bytes.length;
    for (const d of this.vmdesc?.devices ?? [])
      this.described.set(`${d.name}\u0000${d.instance_id}`, d);
  }

  decode(): StreamDocument {
    this.need(8, "the stream header");
    const magic = this.view.getUint32(0);
    if (magic !== MAGIC)
      throw new StreamError(
        `not a QEMU migration stream: expected the magic 51 45 56 4d ("QEVM") at byte offset 0, found ${hexBytes(this.bytes.subarray(0, 4))}`,
      );
    const fileVersion = this.view.getUint32(4);
    if (fileVersion !== FILE_VERSION)
      throw new StreamError(
        `stream file version ${fileVersion} is not supported (QEMU writes version ${FILE_VERSION})`,
      );
    this.p = 8;
    for (;;) {
      this.need(1, "a section type");
      const at = this.p;
      const type = this.bytes[this.p++]!;
      if (type === Marker.EOF) {
        this.items.push({ type: "eof", offset: at });
        break;
      }
      this.section(type, at);
    }
    if (this.p !== this.limit) {
      throw new StreamError(
        `after EOF at byte offset ${this.p - 1}: expected the end of the stream or its description, found ${this.limit - this.p} more bytes (${hexBytes(this.bytes.subarray(this.p, this.p + 8))})`,
      );
    }
    if (this.vmdesc)
      this.items.push({ type: "vmdesc", offset: this.vmdesc.offset, json: this.vmdesc.text });
    return { format: "qemu-migration-stream", fileVersion, items: this.items };
  }

  private need(n: number, what: string): void {
    if (this.p + n > this.limit)
      throw new StreamError(
        `unexpected end of stream: ${what} at byte offset ${this.p} needs ${n} bytes, ${this.limit - this.p} remain`,
      );
  }

  private u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.p);
    this.p += 4;
    return v;
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
        const command = this.view.getUint16(this.p);
        const len = this.view.getUint16(this.p + 2);
        this.p += 4;
        this.need(len, "command data");
        this.items.push({
          type: "command",
          offset: at,
          command,
          hex: Buffer.from(this.bytes.subarray(this.p, this.p + len)).toString("hex"),
        });
        this.p += len;
        return;
      }
      default:
        throw new StreamError(
          `unknown section type 0x${type.toString(16).padStart(2, "0")} at byte offset ${at} (bytes ${hexBytes(this.bytes.subarray(at, at + 8))})`,
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
      state: stateToJson(schema.layout.state, state),
    });
  }

  private startOrFull(type: number, at: number): void {
    const sectionId = this.u32("a section id");
    this.need(1, "a section name length");
    const len = this.bytes[this.p++]!;
    this.need(len, "a section name");
    // Byte for character (ISO 8859-1), so that encode writes the same bytes back.
    const idstr = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.p, len).toString(
      "latin1",
    );
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
      const described = this.described.get(`${idstr}\u0000${instanceId}`);
      const size = described && describedSize(described.entry);
      const end = size === undefined ? undefined : this.p + size;
      const state = this.readState(
        schema,
        `${what} (schema ${schema.name}, version ${versionId})`,
        versionId,
        end,
      );
      body = { schema: schema.name, state: stateToJson(schema.layout.state, state) };
    } else if (type === Marker.SECTION_FULL) {
      body = this.describedBytes(idstr, instanceId, what);
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
    const { end, summary } = walkRam(this.bytes.subarray(0, this.limit), start);
    this.p = end;
    return {
      ram: summary,
      base64: Buffer.from(this.bytes.subarray(start, end)).toString("base64"),
    };
  }

  private describedBytes(idstr: string, instanceId: number, what: string): SectionBody {
    const entry = this.described.get(`${idstr}\u0000${instanceId}`);
    if (!entry) {
      throw new StreamError(
        `${what} at byte offset ${this.p} has no schema, and ${this.vmdesc ? "the stream's description does not list it" : "the stream has no description"}, so its end cannot be found`,
      );
    }
    const size = describedSize(entry.entry);
    if (size === undefined)
      throw new StreamError(
        `${what} at byte offset ${this.p} has no schema, and the stream's description gives no byte counts for it (a size that is missing, negative or not an integer), so its end cannot be found`,
      );
    this.need(size, `${what}, ${size} bytes by the stream's description,`);
    const hex = Buffer.from(this.bytes.subarray(this.p, this.p + size)).toString("hex");
    this.p += size;
    return { hex };
  }

  /** Reads a section body with its codec; every failure becomes one message with the whole story. */
  private readState(
    schema: SectionSchema,
    what: string,
    version: number,
    describedEnd: number | undefined,
  ): Record<string, unknown> {
    const start = this.p;
    const r = new Reader(this.bytes, start, this.limit);
    try {
      const state = schema.codec.load(r, this.params, version);
      this.p = r.pos;
      this.lastRead = {
        load: { schema, version, params: this.params, bytes: this.bytes, start, end: r.pos },
        describedEnd,
      };
      return state;
    } catch (e) {
      if (e instanceof LoadError)
        throw new StreamError(loadErrorMessage(what, e, this.bytes, describedEnd));
      throw e;
    }
  }

  /** The section just read, for the footer's messages. */
  private lastRead: { load: SectionLoad; describedEnd: number | undefined } | undefined;

  /**
   * The footer `7e <be32 id>` after a section, if this stream's sections have them. Without
   * footers (machine types up to 2.3) the stream's description is the only check of the end.
   */
  private footer(sectionId: number, what: string): void {
    const has = this.p < this.limit && this.bytes[this.p] === Marker.SECTION_FOOTER;
    this.footers ??= has;
    const last = this.lastRead;
    this.lastRead = undefined;
    if (!this.footers) {
      if (last?.describedEnd !== undefined && last.describedEnd !== this.p) {
        const left = last.describedEnd - this.p;
        throw new StreamError(
          `${what}: the stream's description ends the section at byte offset ${last.describedEnd}, but the schema ended after ${lastFieldPath(last.load) || "the last field"} at byte offset ${this.p}` +
            (left > 0
              ? `; ${left} bytes of the section remain unread (bytes there: ${hexBytes(this.bytes.subarray(this.p, this.p + 8))})`
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
    const found = this.bytes.subarray(this.p, this.p + 5);
    if (found.length === 5 && found.every((b, i) => b === expected[i])) {
      this.p += 5;
      return;
    }
    let message = `${what}: expected the section footer ${hexBytes(expected)} at byte offset ${this.p}, found ${hexBytes(this.bytes.subarray(this.p, this.p + 8)) || "the end of the stream"}`;
    if (last) {
      message += `; the last field read was ${lastFieldPath(last.load) || "?"} (ending at byte offset ${last.load.end})`;
      if (last.describedEnd !== undefined && last.describedEnd > this.p)
        message += `; ${last.describedEnd - this.p} bytes of the section remain unread`;
    }
    throw new StreamError(message);
  }
}

/** A load that succeeded: the section's codec read `bytes` from `start` to `end`. */
interface SectionLoad {
  readonly schema: SectionSchema;
  readonly version: number;
  readonly params: Record<string, unknown>;
  readonly bytes: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/**
 * The full path of the last field a load read, for messages about what follows it. The reader sees
 * paths relative to the struct being read; the generated code adds the outer part only to errors.
 * So read the same bytes again, ending one byte short: the last field's read fails, and the error
 * has the path. Only failures pay for this.
 */
function lastFieldPath(load: SectionLoad): string {
  if (load.end <= load.start) return "";
  try {
    load.schema.codec.load(
      new Reader(load.bytes, load.start, load.end - 1),
      load.params,
      load.version,
    );
  } catch (e) {
    if (e instanceof LoadError) return e.path;
  }
  return "";
}

function loadErrorMessage(
  what: string,
  e: LoadError,
  bytes: Uint8Array,
  describedEnd: number | undefined,
): string {
  let message = `${what}: ${e.path === "" ? "" : `${e.path}: `}${e.reason} at byte offset ${e.offset}`;
  const next = bytes.subarray(e.offset, e.offset + 8);
  message += next.length ? ` (bytes there: ${hexBytes(next)})` : " (the stream ends there)";
  if (describedEnd !== undefined && describedEnd >= e.offset)
    message += `; ${describedEnd - e.offset} bytes of the section remain unread from there`;
  return message;
}
