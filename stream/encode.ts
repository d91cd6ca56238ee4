// Stream encoding: a StreamDocument → the bytes of a QEMU migration stream. Unchanged, the output is
// the stream the document was decoded from, byte for byte.

import { SaveError, Writer } from "../runtime/index.js";
import type { Codecs, SectionSchema } from "./codecs.js";
import {
  FILE_VERSION,
  MAGIC,
  Marker,
  StreamError,
  type Json,
  type SectionBody,
  type SectionDocument,
  type StreamDocument,
  type StreamItem,
} from "./format.js";
import { bytesFromHex, shownValue as shown, stateFromJson } from "./json.js";

/** Every value the document has that QEMU's format cannot hold is a StreamError with its path. */
export function encodeStream(
  doc: StreamDocument,
  codecs: Codecs,
  params: Record<string, unknown>,
): Uint8Array {
  if (doc?.format !== "qemu-migration-stream" || !Array.isArray(doc.items)) {
    throw new StreamError(
      `not a stream document: expected {"format": "qemu-migration-stream", "items": […]}`,
    );
  }
  return refusals(() => {
    const w = new Writer(1 << 20);
    w.u32(MAGIC, "magic");
    w.u32(doc.fileVersion ?? FILE_VERSION, "fileVersion");
    doc.items.forEach((item, i) => encodeItem(w, item, `items[${i}]`, codecs, params));
    return w.finish();
  });
}

/** What `vmstate encode` reads: a stream document, or a bare section body (`"format": "qemu-section"`). */
export function encodeDocument(
  doc: unknown,
  codecs: Codecs,
  params: Record<string, unknown>,
): Uint8Array {
  if (isObject(doc) && doc["format"] === "qemu-section") {
    const section = doc as unknown as SectionDocument;
    return encodeSectionBody(section.state, schemaNamed(codecs, section.schema), params);
  }
  return encodeStream(doc as StreamDocument, codecs, params);
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
    schema.codec.save(w, stateFromJson(schema.layout.state, state, at), params);
  } catch (e) {
    if (e instanceof SaveError)
      throw new StreamError(`cannot encode ${e.path === "" ? at : `${at}.${e.path}`}: ${e.reason}`);
    throw e;
  }
}

function encodeItem(
  w: Writer,
  item: StreamItem,
  at: string,
  codecs: Codecs,
  params: Record<string, unknown>,
): void {
  if (!isObject(item)) throw new StreamError(`${at}: expected an item (an object with a "type")`);
  switch (item.type) {
    case "configuration": {
      w.u8(Marker.CONFIGURATION, at);
      save(w, schemaNamed(codecs, item.schema, at), item.state, `${at}.state`, params);
      return;
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
      body(w, item.body, `${at}.body`, codecs, params);
      if (item.footer) footer(w, item.sectionId, at);
      return;
    }
    case "part":
    case "end":
      w.u8(item.type === "part" ? Marker.SECTION_PART : Marker.SECTION_END, at);
      w.u32(item.sectionId, `${at}.sectionId`);
      body(w, item.body, `${at}.body`, codecs, params);
      if (item.footer) footer(w, item.sectionId, at);
      return;
    case "command": {
      const data = fromHex(item.hex, `${at}.hex`);
      w.u8(Marker.COMMAND, at);
      w.u16(item.command, `${at}.command`);
      w.u16(data.length, `${at}.hex`);
      w.bytes(data, data.length, `${at}.hex`);
      return;
    }
    case "eof":
      w.u8(Marker.EOF, at);
      return;
    case "vmdesc": {
      if (typeof item.json !== "string")
        throw new StreamError(`${at}.json: expected the description as a string`);
      const text = new TextEncoder().encode(item.json);
      w.u8(Marker.VMDESCRIPTION, at);
      w.u32(text.length, `${at}.json`);
      w.bytes(text, text.length, `${at}.json`);
      return;
    }
    default:
      throw new StreamError(
        `${at}: unknown item type ${JSON.stringify((item as { type?: unknown }).type)}`,
      );
  }
}

function body(
  w: Writer,
  b: SectionBody,
  at: string,
  codecs: Codecs,
  params: Record<string, unknown>,
): void {
  if (!isObject(b)) {
    throw new StreamError(`${at}: a section body needs "schema" and "state", "base64" or "hex"`);
  } else if ("schema" in b) {
    save(w, schemaNamed(codecs, b.schema, at), b.state, `${at}.state`, params);
  } else if ("base64" in b) {
    if (typeof b.base64 !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(b.base64))
      throw new StreamError(`${at}.base64: expected bytes as a base64 string`);
    const data = new Uint8Array(Buffer.from(b.base64, "base64"));
    w.bytes(data, data.length, `${at}.base64`);
  } else if ("hex" in b) {
    const data = fromHex(b.hex, `${at}.hex`);
    w.bytes(data, data.length, `${at}.hex`);
  } else {
    throw new StreamError(`${at}: a section body needs "schema" and "state", "base64" or "hex"`);
  }
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
