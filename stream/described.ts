// A device section decoded from the stream's own description (the vmdesc QEMU appends after EOF,
// written by migration/vmstate.c and savevm.c): its fields by name, integers by QEMU's type names,
// structs, arrays and subsections, and back to the same bytes. The description is input: every size
// in it is checked against the types and against the sizes of the entries it contains.

import { hexBytes, printable } from "../runtime/index.js";
import { StreamError, type Json } from "./format.js";
import { integerFromText, shownValue } from "./json.js";

/** One value on the wire, as the description gives it. */
export type Described =
  | {
      readonly kind: "int";
      readonly type: string;
      readonly bytes: 1 | 2 | 4 | 8;
      readonly signed: boolean;
    }
  | { readonly kind: "bool"; readonly type: string }
  | { readonly kind: "bytes"; readonly type: string; readonly size: number }
  /** QEMU's placeholder for a null pointer in an array of pointers: one byte, 0x30. */
  | { readonly kind: "null"; readonly type: string }
  | DescribedStruct;

export interface DescribedStruct {
  readonly kind: "struct";
  readonly type: string;
  /** The VMStateDescription's name, where the description gives it. */
  readonly vmsdName: string | undefined;
  readonly members: readonly DescribedMember[];
  readonly subsections: readonly DescribedSubsection[];
  readonly size: number;
}

/**
 * A field: one value, or an array: `count` times the same entry (`array_len`), or one entry per
 * element (`index`), which may differ (a null pointer among structs).
 */
export interface DescribedMember {
  readonly name: string;
  readonly array: boolean;
  readonly count: number;
  /** The entry of every element (array_len), else each element's. */
  readonly every?: Described;
  readonly items?: readonly Described[];
}

/** The entry of element i of a field. */
function element(m: DescribedMember, i: number): Described {
  return m.every ?? m.items![i]!;
}

export interface DescribedSubsection {
  readonly name: string;
  readonly version: number;
  readonly body: DescribedStruct;
}

/**
 * QEMU 7.2's integer types, all big-endian (migration/vmstate-types.c; "timer" is migration/savevm.c's
 * timer_put). "int32 le" is an int32 that must be at most the destination's ("less or equal").
 */
const INTEGERS: Record<string, { bytes: 1 | 2 | 4 | 8; signed: boolean }> = {
  int8: { bytes: 1, signed: true },
  int16: { bytes: 2, signed: true },
  int32: { bytes: 4, signed: true },
  "int32 equal": { bytes: 4, signed: true },
  "int32 le": { bytes: 4, signed: true },
  int64: { bytes: 8, signed: true },
  "int64 equal": { bytes: 8, signed: true },
  uint8: { bytes: 1, signed: false },
  "uint8 equal": { bytes: 1, signed: false },
  uint16: { bytes: 2, signed: false },
  "uint16 equal": { bytes: 2, signed: false },
  uint32: { bytes: 4, signed: false },
  "uint32 equal": { bytes: 4, signed: false },
  uint64: { bytes: 8, signed: false },
  "uint64 equal": { bytes: 8, signed: false },
  /** A timer's expiry time in ns, -1 when it is not pending. */
  timer: { bytes: 8, signed: true },
};

/** Types whose put writes a VMStateDescription's fields into the field's own entry. */
const INLINE_STRUCTS = new Set(["tmp", "vstruct"]);

/** The byte QEMU writes for a null pointer (VMS_NULLPTR_MARKER). */
const NULL_MARKER = 0x30;

/** Structs nest a few levels in QEMU's descriptions; deeper is not a description. */
export const MAX_NESTING = 16;

/** Entries an array may repeat beyond the bytes it takes: an array of empty entries is small. */
const MAX_EMPTY_ITEMS = 1 << 16;

/**
 * The layout a device entry of the description gives its section, checked: each integer's size is
 * its type's width, each struct's size the sum of its fields and subsections. `what` names the
 * section in messages; a description that does not hold together is a StreamError.
 */
export function describedLayout(entry: unknown, what: string): DescribedStruct {
  const budget = { items: 0 };
  const record = asObject(entry, what, "");
  const layout = structOf(record, "struct", what, "", 0, budget);
  const size = record["size"];
  if (size !== undefined && size !== layout.size)
    fail(what, "", `gives the section ${shownValue(size)} bytes, and its fields ${layout.size}`);
  return layout;
}

/**
 * Why the section stays bytes, when the description gives it as one opaque field (virtio-net's
 * `virtio`, a device saved without a VMStateDescription such as slirp); undefined otherwise.
 */
export function opaqueReason(layout: DescribedStruct): string | undefined {
  if (layout.subsections.length > 0 || layout.members.length !== 1) return undefined;
  const only = layout.members[0]!;
  const item = element(only, 0);
  if (only.array || item.kind !== "bytes") return undefined;
  return `the stream's description gives this section as one opaque field "${printable(only.name)}" of type "${printable(item.type)}", ${layout.size} bytes`;
}

function structOf(
  record: Record<string, unknown>,
  type: string,
  what: string,
  at: string,
  depth: number,
  budget: { items: number },
): DescribedStruct {
  if (depth > MAX_NESTING)
    fail(what, at, `nests structs more than ${MAX_NESTING} deep: not a description QEMU writes`);
  const fields = record["fields"] ?? [];
  const subs = record["subsections"] ?? [];
  if (!Array.isArray(fields)) fail(what, at, `has "fields" that are not a list`);
  if (!Array.isArray(subs)) fail(what, at, `has "subsections" that are not a list`);
  const members: DescribedMember[] = [];
  const byName = new Map<
    string,
    { name: string; array: boolean; count: number; items?: Described[] }
  >();
  let size = 0;
  fields.forEach((f, i) => {
    const place = `${at}.fields[${i}]`;
    const field = asObject(f, what, place);
    const name = field["name"];
    if (typeof name !== "string") fail(what, place, `has no "name"`);
    const count = field["array_len"];
    const index = field["index"];
    const item = valueOf(field, what, place, depth, budget);
    const itemSize = sizeOf(item, field);
    if (count !== undefined) {
      if (!isCount(count)) fail(what, place, `has an "array_len" that is not a count`);
      if (byName.has(name)) fail(what, place, `names "${printable(name)}" a second time`);
      if (itemSize === 0) budget.items += count;
      if (budget.items > MAX_EMPTY_ITEMS)
        fail(what, place, `repeats entries of no bytes more than ${MAX_EMPTY_ITEMS} times`);
      const member = { name, array: true, count, every: item };
      members.push(member);
      byName.set(name, member);
      size += count * itemSize;
      if (!Number.isSafeInteger(size)) fail(what, place, `gives more bytes than a stream has`);
    } else if (index !== undefined) {
      const member = byName.get(name);
      const expected = member?.items ? member.items.length : 0;
      if (index !== expected || (member && !member.items))
        fail(what, place, `has "index" ${shownValue(index)} where ${expected} comes next`);
      if (member?.items) {
        member.items.push(item);
        member.count++;
      } else {
        const added = { name, array: true, count: 1, items: [item] };
        members.push(added);
        byName.set(name, added);
      }
      size += itemSize;
    } else {
      if (byName.has(name)) fail(what, place, `names "${printable(name)}" a second time`);
      const member = { name, array: false, count: 1, every: item };
      members.push(member);
      byName.set(name, member);
      size += itemSize;
    }
  });
  const subsections: DescribedSubsection[] = subs.map((s, i) => {
    const place = `${at}.subsections[${i}]`;
    const sub = asObject(s, what, place);
    const name = sub["vmsd_name"];
    const version = sub["version"];
    if (typeof name !== "string" || name.length > 255 || [...name].some((c) => c > "\u00ff"))
      fail(what, place, `has no "vmsd_name" a subsection header can carry (up to 255 bytes)`);
    if (!isCount(version) || version > 0xffffffff)
      fail(what, place, `has no "version" a subsection header can carry (a 32-bit count)`);
    if (byName.has(name)) fail(what, place, `names "${printable(name)}" a second time`);
    byName.set(name, { name, array: false, count: 0 });
    const body = structOf(sub, "subsection", what, place, depth + 1, budget);
    size += 1 + 1 + name.length + 4 + body.size;
    return { name, version, body };
  });
  const vmsdName = record["vmsd_name"];
  return {
    kind: "struct",
    type,
    vmsdName: typeof vmsdName === "string" ? vmsdName : undefined,
    members,
    subsections,
    size,
  };
}

/** One element of a field entry, checked against the entry's size. */
function valueOf(
  field: Record<string, unknown>,
  what: string,
  at: string,
  depth: number,
  budget: { items: number },
): Described {
  const type = field["type"];
  const size = field["size"];
  if (typeof type !== "string") fail(what, at, `has no "type"`);
  if (!isCount(size)) fail(what, at, `has no "size" that is a byte count`);
  const integer = INTEGERS[type];
  if (integer || type === "bool") {
    const width = integer?.bytes ?? 1;
    if (size === width) return integer ? { kind: "int", type, ...integer } : { kind: "bool", type };
    if (size === 1) return { kind: "null", type };
    fail(what, at, `gives a "${printable(type)}" ${size} bytes: it takes ${width}`);
  }
  if (type === "struct") {
    const inner = field["struct"];
    const record = asObject(inner, what, `${at}.struct`);
    if (size === 1 && record["fields"] === undefined) return { kind: "null", type };
    return sized(structOf(record, type, what, `${at}.struct`, depth + 1, budget), size, what, at);
  }
  if (INLINE_STRUCTS.has(type) && field["fields"] !== undefined)
    return sized(structOf(field, type, what, at, depth + 1, budget), size, what, at);
  // buffer, unused_buffer, pci config, virtio, a list (qtailq: its elements are not described
  // one by one) and any type this decoder does not know: the bytes, as many as the entry says.
  return { kind: "bytes", type, size };
}

function sized(layout: DescribedStruct, size: number, what: string, at: string): DescribedStruct {
  if (layout.size !== size)
    fail(what, at, `gives the struct ${size} bytes, and its fields ${layout.size}`);
  return layout;
}

function sizeOf(item: Described, field: Record<string, unknown>): number {
  return item.kind === "struct" ? item.size : (field["size"] as number);
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

function asObject(v: unknown, what: string, at: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v))
    fail(what, at, `is ${shownValue(v)}, not an entry`);
  return v as Record<string, unknown>;
}

function fail(what: string, at: string, message: string): never {
  throw new StreamError(
    `${what}: the stream's description of it ${at === "" ? "" : `at ${at.slice(1)} `}${message}`,
  );
}

/**
 * The section body `bytes` (as long as `layout.size`) as JSON: integers up to 32 bits as numbers,
 * 64-bit ones as strings ("0x…" unsigned, decimal signed), booleans, bytes as hex, structs and
 * subsections as objects (a subsection under its name), a null pointer as null. `offset` is the
 * stream offset of bytes[0], for messages.
 */
export function decodeDescribed(
  layout: DescribedStruct,
  bytes: Uint8Array,
  offset: number,
  what: string,
): Json {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 0;
  const wrong = (path: string, message: string): never => {
    throw new StreamError(
      `${what}: ${path}: ${message} at byte offset ${offset + p} (bytes there: ${hexBytes(bytes.subarray(p, p + 8))})`,
    );
  };
  const value = (d: Described, path: string): Json => {
    switch (d.kind) {
      case "int": {
        const at = p;
        p += d.bytes;
        if (d.bytes === 1) return d.signed ? view.getInt8(at) : view.getUint8(at);
        if (d.bytes === 2) return d.signed ? view.getInt16(at) : view.getUint16(at);
        if (d.bytes === 4) return d.signed ? view.getInt32(at) : view.getUint32(at);
        return d.signed ? String(view.getBigInt64(at)) : `0x${view.getBigUint64(at).toString(16)}`;
      }
      case "bool": {
        const b = bytes[p]!;
        if (b > 1)
          wrong(path, `expected a bool (00 or 01), found ${b.toString(16).padStart(2, "0")}`);
        p++;
        return b === 1;
      }
      case "null":
        if (bytes[p] !== NULL_MARKER)
          wrong(
            path,
            `expected QEMU's null pointer (the byte 30) the description gives, found ${hexBytes(bytes.subarray(p, p + 1))}`,
          );
        p++;
        return null;
      case "bytes": {
        const text = Buffer.from(bytes.subarray(p, p + d.size)).toString("hex");
        p += d.size;
        return text;
      }
      case "struct":
        return struct(d, path);
    }
  };
  const struct = (s: DescribedStruct, path: string): Json => {
    const out: { [key: string]: Json } = {};
    for (const m of s.members) {
      const at = join(path, m.name);
      if (!m.array) {
        out[m.name] = value(element(m, 0), at);
        continue;
      }
      const list: Json[] = [];
      for (let i = 0; i < m.count; i++) list.push(value(element(m, i), `${at}[${i}]`));
      out[m.name] = list;
    }
    for (const sub of s.subsections) {
      const at = join(path, sub.name);
      const name = Uint8Array.from(sub.name, (c) => c.charCodeAt(0));
      const header = bytes.subarray(p, p + 6 + name.length);
      const ok =
        header[0] === 0x05 &&
        header[1] === name.length &&
        name.every((b, i) => header[2 + i] === b) &&
        view.getUint32(p + 2 + name.length) === sub.version;
      if (!ok)
        wrong(
          at,
          `expected the subsection header 05 ${name.length.toString(16).padStart(2, "0")} "${printable(sub.name)}" version ${sub.version}`,
        );
      p += 6 + name.length;
      out[sub.name] = struct(sub.body, at);
    }
    return out;
  };
  if (bytes.length !== layout.size)
    throw new StreamError(`${what}: ${bytes.length} bytes, the description gives ${layout.size}`);
  return struct(layout, "");
}

/** The body's bytes from its JSON state; a value that does not fit its type is a StreamError with its path (`at`). */
export function encodeDescribed(layout: DescribedStruct, state: unknown, at: string): Uint8Array {
  const bytes = new Uint8Array(layout.size);
  const view = new DataView(bytes.buffer);
  let p = 0;
  const bad = (path: string, expected: string, found: unknown): never => {
    throw new StreamError(
      `cannot encode ${path}: expected ${expected}, found ${shownValue(found)}`,
    );
  };
  const value = (d: Described, v: unknown, path: string): void => {
    switch (d.kind) {
      case "int": {
        const bits = BigInt(d.bytes * 8);
        const min = d.signed ? -(1n << (bits - 1n)) : 0n;
        const max = d.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
        const range = `${d.type} (${min} to ${d.bytes === 8 && !d.signed ? `0x${max.toString(16)}` : max})`;
        let n: bigint | undefined;
        if (typeof v === "number" && Number.isSafeInteger(v)) n = BigInt(v);
        else if (typeof v === "string" && d.bytes === 8) n = integerFromText(v);
        if (n === undefined || n < min || n > max)
          bad(path, d.bytes === 8 ? `${range}, a string such as "0x10" or "-5"` : range, v);
        if (d.bytes === 8) {
          if (d.signed) view.setBigInt64(p, n!);
          else view.setBigUint64(p, n!);
        } else {
          const x = Number(n);
          if (d.bytes === 1) bytes[p] = x & 0xff;
          else if (d.bytes === 2) view.setUint16(p, x & 0xffff);
          else view.setUint32(p, x >>> 0);
        }
        p += d.bytes;
        return;
      }
      case "bool":
        if (typeof v !== "boolean") bad(path, "true or false", v);
        bytes[p++] = v ? 1 : 0;
        return;
      case "null":
        if (v !== null) bad(path, "null (QEMU's null pointer, as the description gives it)", v);
        bytes[p++] = NULL_MARKER;
        return;
      case "bytes": {
        if (typeof v !== "string" || !/^([0-9a-f]{2})*$/i.test(v) || v.length !== d.size * 2)
          bad(path, `${d.size} bytes as a hex string`, v);
        bytes.set(Buffer.from(v as string, "hex"), p);
        p += d.size;
        return;
      }
      case "struct":
        struct(d, v, path);
    }
  };
  const struct = (s: DescribedStruct, v: unknown, path: string): void => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) bad(path, "an object", v);
    const record = v as Record<string, unknown>;
    const known = new Set([...s.members.map((m) => m.name), ...s.subsections.map((x) => x.name)]);
    for (const key of Object.keys(record))
      if (!known.has(key))
        throw new StreamError(
          `cannot encode ${join(path, printable(key))}: the stream's description has no such field`,
        );
    for (const m of s.members) {
      const where = join(path, m.name);
      const item = record[m.name];
      if (item === undefined) missing(where);
      if (!m.array) {
        value(element(m, 0), item, where);
        continue;
      }
      if (!Array.isArray(item) || item.length !== m.count)
        bad(where, `an array of ${m.count}`, item);
      for (let i = 0; i < m.count; i++)
        value(element(m, i), (item as unknown[])[i], `${where}[${i}]`);
    }
    for (const sub of s.subsections) {
      const where = join(path, sub.name);
      if (record[sub.name] === undefined) missing(where);
      bytes[p] = 0x05;
      bytes[p + 1] = sub.name.length;
      for (let i = 0; i < sub.name.length; i++) bytes[p + 2 + i] = sub.name.charCodeAt(i);
      view.setUint32(p + 2 + sub.name.length, sub.version);
      p += 6 + sub.name.length;
      struct(sub.body, record[sub.name], where);
    }
  };
  const missing = (path: string): never => {
    throw new StreamError(
      `cannot encode ${path}: missing (the stream's description has it, and the section is written as described)`,
    );
  };
  struct(layout, state, at);
  return bytes;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}
