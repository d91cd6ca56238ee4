// Stream encoding: a StreamDocument → the bytes of a QEMU migration stream, written as they are made,
// with the RAM sections' bytes copied from the stream the document was decoded from (its source).
// Unchanged, the output is the source, byte for byte.

import { SaveError, Writer } from "../runtime/index.js";
import { checkDocument, description } from "./document.js";
import { describedLayout, encodeDescribed } from "./described.js";
import type { DeviceEntry } from "./vmdesc.js";
import type { Codecs, SectionSchema } from "./codecs.js";
import {
  FILE_VERSION,
  MAGIC,
  Marker,
  StreamError,
  type Json,
  type RamRange,
  type SectionBody,
  type SectionDocument,
  type StreamDocument,
  type StreamItem,
} from "./format.js";
import { bytesFromHex, shownValue as shown, stateFromJson } from "./json.js";
import { MemorySink, MemorySource, type ByteSink, type ByteSource } from "./source.js";
import { copyRange } from "./window.js";

/** Where `vmstate encode` gets what it needs beyond the document, and what it tells as it goes. */
export interface EncodeOptions {
  /** The stream the RAM sections' bytes are copied from: the document's source, or a copy of it. */
  readonly source?: ByteSource;
  /** How messages name the source. */
  readonly sourceName?: string;
  /** Told the bytes written so far and the items done, as the stream is written. */
  readonly progress?: (written: number, items: number) => void;
}

/** Every value the document has that QEMU's format cannot hold is a StreamError with its path. */
export function encodeStream(
  doc: StreamDocument,
  codecs: Codecs,
  params: Record<string, unknown>,
  source?: Uint8Array,
): Uint8Array {
  const sink = new MemorySink();
  encodeStreamTo(doc, codecs, params, sink, source ? { source: new MemorySource(source) } : {});
  return sink.finish();
}

/**
 * Writes the stream a document describes to `sink`, as it goes: RAM sections are copied from the
 * source stream, their checksums checked on the way. Everything else is encoded (and every value
 * checked) before the first byte is written, so what can fail once writing has begun is the source
 * (changed since the document was made) and the sink.
 */
export function encodeStreamTo(
  doc: StreamDocument,
  codecs: Codecs,
  params: Record<string, unknown>,
  sink: ByteSink,
  options: EncodeOptions = {},
): void {
  if (doc?.format !== "qemu-migration-stream" || !Array.isArray(doc.items)) {
    throw new StreamError(
      `not a stream document: expected {"format": "qemu-migration-stream", "items": […]}`,
    );
  }
  // Sections decoded from the description are written by it: without one, what is wrong is the
  // document as a whole, which is said first.
  const hasDescription = doc.items.some((i: unknown) => isObject(i) && i["type"] === "vmdesc");
  const described = doc.items.some((i: unknown) => {
    const body = isObject(i) ? i["body"] : undefined;
    return isObject(body) && "described" in body;
  });
  if (described && !hasDescription) checkDocument(doc as unknown as Record<string, unknown>);
  let found: DescribedDevices | undefined;
  const devices = (): DescribedDevices => (found ??= describedDevices(doc.items));
  const parts = refusals(() => {
    const w = new Writer(16);
    w.u32(MAGIC, "magic");
    w.u32(doc.fileVersion ?? FILE_VERSION, "fileVersion");
    const header: Part = { bytes: w.finish() };
    return [
      header,
      ...doc.items.flatMap((item, i) => encodeItem(item, `items[${i}]`, codecs, params, devices)),
    ];
  });
  // Each item could be encoded; now the stream as a whole must be one decode reads back.
  checkDocument(doc as unknown as Record<string, unknown>);
  const source = options.source;
  const name = options.sourceName ?? "given";
  if (parts.some((part) => part.range)) {
    if (!source)
      throw new StreamError(
        `the RAM sections' bytes are in the source stream the document names, and no source stream was given`,
      );
    const expected = (doc.source as { size?: unknown } | undefined)?.size;
    if (source.size !== undefined && expected !== undefined && source.size !== expected)
      throw new StreamError(
        `the source stream ${name} has changed since it was decoded: it has ${source.size} bytes, the document says ${shown(expected)}`,
      );
    for (const { range, at } of parts)
      if (range && source.size !== undefined && range.offset + range.length > source.size)
        throw new StreamError(
          `${at}: bytes ${range.offset} to ${range.offset + range.length} of the source stream, which has ${source.size}`,
        );
  }
  let written = 0;
  let items = 0;
  const tell = options.progress;
  for (const part of parts) {
    if (part.bytes.length > 0) {
      sink.write(part.bytes, 0, part.bytes.length);
      written += part.bytes.length;
    }
    if (part.range) {
      const { offset, length, checksum } = part.range;
      const found = copyRange(source!, offset, length, sink, (n) => {
        written += n;
        tell?.(written, items);
      });
      if (found !== checksum)
        throw new StreamError(
          found === undefined
            ? `the source stream ${name} has changed since it was decoded: it ends before byte ${offset + length}, which ${part.at} needs`
            : `the source stream ${name} has changed since it was decoded: the ${length} bytes at byte offset ${offset} (${part.at}) are not those decoded (checksum ${found}, not ${checksum})`,
        );
    }
    if (part.last) items++;
    tell?.(written, items);
  }
}

/** What `vmstate encode` reads: a stream document, or a bare section body (`"format": "qemu-section"`). */
export function encodeDocument(
  doc: unknown,
  codecs: Codecs,
  params: Record<string, unknown>,
  source?: Uint8Array,
): Uint8Array {
  if (isObject(doc) && doc["format"] === "qemu-section") {
    const section = doc as unknown as SectionDocument;
    return encodeSectionBody(section.state, schemaNamed(codecs, section.schema), params);
  }
  return encodeStream(doc as StreamDocument, codecs, params, source);
}

/** A bare section body's state → bytes. */
export function encodeSectionBody(
  state: Json,
  schema: SectionSchema,
  params: Record<string, unknown>,
): Uint8Array {
  return refusals(() => {
    const w = new Writer();
    save(w, schema, state, "state", params);
    return w.finish();
  });
}

/** The section schema of that name, or a StreamError naming the known ones (`at`: where the name is). */
export function schemaNamed(codecs: Codecs, name: unknown, at?: string): SectionSchema {
  const schema = typeof name === "string" ? codecs.sections.get(name) : undefined;
  if (!schema)
    throw new StreamError(
      `${at ? `${at}: ` : ""}no schema for section ${shown(name)} (known: ${[...codecs.sections.keys()].join(", ")})`,
    );
  return schema;
}

/** A value the Writer refuses in the stream's own fields (a section id past 32 bits, …) as a StreamError. */
function refusals<T>(encode: () => T): T {
  try {
    return encode();
  } catch (e) {
    if (e instanceof SaveError) throw new StreamError(`cannot encode ${e.path}: ${e.reason}`);
    throw e;
  }
}

/** Saves a state from JSON; a value the schema refuses is reported with its path in the document. */
function save(
  w: Writer,
  schema: SectionSchema,
  state: Json,
  at: string,
  params: Record<string, unknown>,
): void {
  try {
    schema.codec.save(w, stateFromJson(schema.codec.state, state, at), params);
  } catch (e) {
    if (e instanceof SaveError)
      throw new StreamError(`cannot encode ${e.path === "" ? at : `${at}.${e.path}`}: ${e.reason}`);
    throw e;
  }
}

/**
 * Encoded bytes, then maybe a range of the source to copy after them (`at` says where in the
 * document it is); the last part of an item is marked.
 */
interface Part {
  readonly bytes: Uint8Array;
  readonly range?: RamRange;
  readonly at?: string;
  readonly last?: boolean;
}

/** The device entries of the document's description (its "vmdesc" item), by idstr and instance id. */
type DescribedDevices = ReadonlyMap<string, DeviceEntry>;

function describedDevices(items: readonly unknown[]): DescribedDevices {
  const devices = new Map<string, DeviceEntry>();
  const i = items.findIndex((item) => isObject(item) && item["type"] === "vmdesc");
  if (i < 0) return devices;
  const item = items[i] as Record<string, unknown>;
  for (const d of description(item["json"], `items[${i}]`).devices)
    devices.set(`${d.name}\u0000${d.instance_id}`, d);
  return devices;
}

/** A section body decoded from the description, written back by the same description. */
function describedBody(
  w: Writer,
  b: { described: unknown; state: unknown },
  item: { idstr: unknown; instanceId: unknown },
  at: string,
  devices: () => DescribedDevices,
): void {
  const entry = devices().get(`${String(item.idstr)}\u0000${String(item.instanceId)}`);
  if (!entry)
    throw new StreamError(
      `${at}: a section decoded from the stream's description is written by it, and the description has no entry for ${shown(item.idstr)} instance ${shown(item.instanceId)}`,
    );
  const layout = describedLayout(entry.entry, at);
  const name = layout.vmsdName ?? entry.name;
  if (b.described !== name)
    throw new StreamError(
      `${at}.described: the stream's description names this section ${shown(name)}, not ${shown(b.described)}`,
    );
  const data = encodeDescribed(layout, b.state, `${at}.state`);
  w.bytes(data, data.length, `${at}.state`);
}

function encodeItem(
  item: StreamItem,
  at: string,
  codecs: Codecs,
  params: Record<string, unknown>,
  devices: () => DescribedDevices,
): Part[] {
  if (!isObject(item)) throw new StreamError(`${at}: expected an item (an object with a "type")`);
  let w = new Writer();
  const parts: Part[] = [];
  /** Ends the bytes so far as a part, with a range of the source after them; a new Writer goes on. */
  const cut = (range: RamRange, where: string): void => {
    parts.push({ bytes: w.finish(), range, at: where });
    w = new Writer();
  };
  switch (item.type) {
    case "configuration": {
      w.u8(Marker.CONFIGURATION, at);
      save(w, schemaNamed(codecs, item.schema, at), item.state, `${at}.state`, params);
      break;
    }
    case "start":
    case "full": {
      const idstr = latin1(item.idstr, `${at}.idstr`);
      w.u8(item.type === "full" ? Marker.SECTION_FULL : Marker.SECTION_START, at);
      w.u32(item.sectionId, `${at}.sectionId`);
      w.u8(idstr.length, `${at}.idstr`);
      w.bytes(idstr, idstr.length, `${at}.idstr`);
      w.u32(item.instanceId, `${at}.instanceId`);
      w.u32(item.versionId, `${at}.versionId`);
      if (isObject(item.body) && "described" in item.body)
        describedBody(w, item.body, item, `${at}.body`, devices);
      else body(w, item.body, `${at}.body`, codecs, params, cut);
      if (item.footer) footer(w, item.sectionId, at);
      break;
    }
    case "part":
    case "end":
      w.u8(item.type === "part" ? Marker.SECTION_PART : Marker.SECTION_END, at);
      w.u32(item.sectionId, `${at}.sectionId`);
      body(w, item.body, `${at}.body`, codecs, params, cut);
      if (item.footer) footer(w, item.sectionId, at);
      break;
    case "command": {
      const data = fromHex(item.hex, `${at}.hex`);
      w.u8(Marker.COMMAND, at);
      w.u16(item.command, `${at}.command`);
      w.u16(data.length, `${at}.hex`);
      w.bytes(data, data.length, `${at}.hex`);
      break;
    }
    case "eof":
      w.u8(Marker.EOF, at);
      break;
    case "vmdesc": {
      if (typeof item.json !== "string")
        throw new StreamError(`${at}.json: expected the description as a string`);
      const text = new TextEncoder().encode(item.json);
      w.u8(Marker.VMDESCRIPTION, at);
      w.u32(text.length, `${at}.json`);
      w.bytes(text, text.length, `${at}.json`);
      break;
    }
    default:
      throw new StreamError(`${at}: unknown item type ${shown((item as { type?: unknown }).type)}`);
  }
  parts.push({ bytes: w.finish(), last: true });
  return parts;
}

function body(
  w: Writer,
  b: SectionBody,
  at: string,
  codecs: Codecs,
  params: Record<string, unknown>,
  cut: (range: RamRange, at: string) => void,
): void {
  if (!isObject(b)) {
    throw new StreamError(
      `${at}: a section body needs "schema" and "state", "source", "base64" or "hex"`,
    );
  } else if ("schema" in b) {
    save(w, schemaNamed(codecs, b.schema, at), b.state, `${at}.state`, params);
  } else if ("source" in b) {
    cut(ramRange(b.source, `${at}.source`), `${at}.source`);
  } else if ("base64" in b) {
    if (typeof b.base64 !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(b.base64))
      throw new StreamError(`${at}.base64: expected bytes as a base64 string`);
    const data = new Uint8Array(Buffer.from(b.base64, "base64"));
    w.bytes(data, data.length, `${at}.base64`);
  } else if ("hex" in b) {
    const data = fromHex(b.hex, `${at}.hex`);
    w.bytes(data, data.length, `${at}.hex`);
  } else {
    throw new StreamError(
      `${at}: a section body needs "schema" and "state", "source", "base64" or "hex"`,
    );
  }
}

/** A RAM body's place in the source, checked: whole byte offsets and a checksum as decode writes it. */
function ramRange(range: unknown, at: string): RamRange {
  const { offset, length, checksum }: Record<string, unknown> = isObject(range) ? range : {};
  const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (
    !count(offset) ||
    !count(length) ||
    typeof checksum !== "string" ||
    !/^[0-9a-f]{32}$/.test(checksum)
  )
    throw new StreamError(
      `${at}: expected the RAM section's place in the source stream, {"offset": N, "length": N, "checksum": "32 hex digits"}, found ${shown(range)}`,
    );
  return { offset, length, checksum };
}

function footer(w: Writer, sectionId: number, at: string): void {
  w.u8(Marker.SECTION_FOOTER, `${at}.footer`);
  w.u32(sectionId, `${at}.footer`);
}

function fromHex(hex: unknown, at: string): Uint8Array {
  const bytes = bytesFromHex(hex);
  if (!bytes) throw new StreamError(`${at}: expected bytes as a hex string`);
  return bytes;
}

/** A section name as the stream has it: one byte per character, so characters above U+00FF do not fit. */
function latin1(text: string, at: string): Uint8Array {
  if (typeof text !== "string" || [...text].some((c) => c.charCodeAt(0) > 0xff))
    throw new StreamError(
      `${at}: expected a section name of characters U+0000 to U+00FF (one byte each)`,
    );
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
