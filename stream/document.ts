// The checks of a stream document before `encode` writes a byte: what decode writes, and only
// that. Keys are exactly those of decode's documents (a misspelt "footr" is an error, not a section
// without its footer), no key is given twice, and the stream it describes is one decode reads back:
// one EOF, nothing after it but the description, which is JSON; every section with footers or every
// one without; a section kept as bytes sized as the description says (or, in a stream without one,
// not holding its own footer).

import { FILE_VERSION, Marker, StreamError } from "./format.js";
import { printable } from "../runtime/errors.js";
import { shownValue as shown } from "./json.js";
import { describedSize, findVmdesc, type Vmdesc } from "./vmdesc.js";

type Keys = readonly string[];

const DOCUMENT_KEYS: Keys = ["format", "fileVersion", "source", "params", "schemas", "items"];
const ITEM_KEYS: Record<string, Keys> = {
  configuration: ["type", "offset", "schema", "state"],
  start: ["type", "offset", "sectionId", "idstr", "instanceId", "versionId", "body", "footer"],
  full: ["type", "offset", "sectionId", "idstr", "instanceId", "versionId", "body", "footer"],
  part: ["type", "offset", "sectionId", "body", "footer"],
  end: ["type", "offset", "sectionId", "body", "footer"],
  command: ["type", "offset", "command", "hex"],
  eof: ["type", "offset"],
  vmdesc: ["type", "offset", "json"],
};
/** A body is one of these, told apart by its first key. */
const BODY_KEYS: Keys[] = [
  ["schema", "state"],
  ["described", "state"],
  ["ram", "source", "base64"],
  ["base64"],
  ["hex", "kept"],
];

/** Throws a StreamError naming the path of the first thing decode would not have written. */
export function checkDocument(doc: Record<string, unknown>): void {
  onlyKeys(doc, DOCUMENT_KEYS, "");
  if (doc["fileVersion"] !== undefined && doc["fileVersion"] !== FILE_VERSION)
    throw new StreamError(
      `fileVersion: QEMU writes and reads version ${FILE_VERSION}, not ${shown(doc["fileVersion"])}`,
    );
  const items = doc["items"] as unknown[];
  let eof: number | undefined;
  let vmdesc: Vmdesc | undefined;
  let footers: { value: boolean; at: string } | undefined;
  items.forEach((item, i) => {
    const at = `items[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) return; // encode says
    const record = item as Record<string, unknown>;
    const keys = ITEM_KEYS[String(record["type"])];
    if (!keys) return; // encode names the unknown type
    onlyKeys(record, keys, at);
    if (eof !== undefined && record["type"] !== "vmdesc")
      throw new StreamError(
        `${at}: after the EOF (items[${eof}]) a stream has only its description`,
      );
    if (record["type"] === "eof") eof = i;
    if (record["type"] === "vmdesc") {
      if (eof === undefined || vmdesc !== undefined)
        throw new StreamError(`${at}: the description comes once, right after the EOF`);
      vmdesc = description(record["json"], at);
    }
    if ("body" in record) {
      const body = record["body"];
      if (typeof body === "object" && body !== null && !Array.isArray(body)) {
        const first = Object.keys(body)[0];
        const bodyKeys = BODY_KEYS.find((k) => k[0] === first);
        if (bodyKeys) onlyKeys(body as Record<string, unknown>, bodyKeys, `${at}.body`);
      }
      if (record["footer"] !== undefined && typeof record["footer"] !== "boolean")
        throw new StreamError(
          `${at}.footer: expected true or false, found ${shown(record["footer"])}`,
        );
      const footer = record["footer"] === true;
      if (footers && footers.value !== footer)
        throw new StreamError(
          `${at}.footer: ${footer ? "a footer here, where" : "no footer here, where"} ${footers.at} ${footers.value ? "has one" : "has none"}: QEMU ends every section of a stream alike`,
        );
      footers ??= { value: footer, at };
    }
  });
  if (eof === undefined) throw new StreamError(`items: a stream ends with an item {"type": "eof"}`);
  items.forEach((item, i) => {
    const record = item as Record<string, unknown>;
    const body = record?.["body"] as Record<string, unknown> | undefined;
    if (record?.["type"] !== "full" || typeof body !== "object" || body === null) return;
    if (!("hex" in body) && !("base64" in body)) return;
    const at = `items[${i}]`;
    if (vmdesc === undefined) {
      // Without a description, decode finds the end of such a section at its first footer.
      const id = Number(record["sectionId"]) >>> 0;
      const footer = `7e${id.toString(16).padStart(8, "0")}`;
      const hex =
        typeof body["hex"] === "string"
          ? body["hex"].toLowerCase()
          : Buffer.from(String(body["base64"]), "base64").toString("hex");
      const found = [...hex.matchAll(new RegExp(footer, "g"))].some((m) => m.index % 2 === 0);
      if (found || record["footer"] !== true)
        throw new StreamError(
          `${at}.body: a section kept as bytes in a stream without a description is read back up to its footer, ${found ? "and its bytes hold that footer" : "and the stream has no footers"}`,
        );
      return;
    }
    const entry = vmdesc?.devices.find(
      (d) => d.name === record["idstr"] && d.instance_id === record["instanceId"],
    );
    const size = entry && describedSize(entry.entry);
    if (size === undefined)
      throw new StreamError(
        `${at}.body: a section kept as bytes is read back by the size the stream's description gives it, and the description has none for "${printable(String(record["idstr"]))}" instance ${shown(record["instanceId"])}`,
      );
    const length =
      typeof body["hex"] === "string"
        ? body["hex"].length / 2
        : Buffer.from(String(body["base64"]), "base64").length;
    if (length !== size)
      throw new StreamError(
        `${at}.body: ${length} bytes, where the stream's description says the section has ${size}`,
      );
  });
}

function onlyKeys(record: Record<string, unknown>, keys: Keys, at: string): void {
  for (const key of Object.keys(record))
    if (!keys.includes(key))
      throw new StreamError(
        `${at === "" ? "" : `${at}: `}unknown key "${printable(key).slice(0, 60)}" (known: ${keys.join(", ")})`,
      );
}

/** The description as decode would find it after the EOF, or a StreamError. */
export function description(json: unknown, at: string): Vmdesc {
  if (typeof json !== "string")
    throw new StreamError(`${at}.json: expected the description as a string`);
  try {
    JSON.parse(json);
  } catch (e) {
    throw new StreamError(`${at}.json: the description is not JSON (${(e as Error).message})`);
  }
  const text = new TextEncoder().encode(json);
  const bytes = new Uint8Array(5 + text.length);
  bytes[0] = Marker.VMDESCRIPTION;
  new DataView(bytes.buffer).setUint32(1, text.length);
  bytes.set(text, 5);
  const found = findVmdesc(bytes);
  if (!found)
    throw new StreamError(
      `${at}.json: not a description QEMU writes ({"page_size": …, "devices": […]})`,
    );
  return found;
}

/**
 * The path of the first key an object of the JSON text has twice, or undefined. JSON.parse keeps the
 * last of two; a document that says a thing twice is refused instead.
 */
export function duplicateKey(text: string): string | undefined {
  const token = /\s+|"(?:[^"\\]|\\.)*"|[{}[\],:]|[^\s{}[\],:"]+/gy;
  /** For each open object or array: its keys (objects), the key or index being read, and its path. */
  const stack: { keys?: Set<string>; index: number; key?: string; path: string }[] = [];
  let expectKey = false;
  const pathOf = (frame: (typeof stack)[number]): string =>
    frame.keys
      ? `${frame.path}${frame.path === "" ? "" : "."}${frame.key ?? ""}`
      : `${frame.path}[${frame.index}]`;
  for (let m = token.exec(text); m !== null && m[0] !== ""; m = token.exec(text)) {
    const t = m[0];
    const top = stack[stack.length - 1];
    if (/^\s/.test(t)) continue;
    if (t === "{" || t === "[") {
      const path = top ? pathOf(top) : "";
      stack.push(t === "{" ? { keys: new Set(), index: 0, path } : { index: 0, path });
      expectKey = t === "{";
    } else if (t === "}" || t === "]") {
      stack.pop();
      expectKey = false;
    } else if (t === ",") {
      if (top && !top.keys) top.index++;
      expectKey = top?.keys !== undefined;
    } else if (t === ":") {
      expectKey = false;
    } else if (expectKey && top?.keys && t.startsWith('"')) {
      let key: string;
      try {
        key = JSON.parse(t) as string;
      } catch {
        return undefined; // not JSON: JSON.parse says where
      }
      if (top.keys.has(key)) return `${top.path}${top.path === "" ? "" : "."}${printable(key)}`;
      top.keys.add(key);
      top.key = key;
      expectKey = false;
    }
  }
  return undefined;
}
