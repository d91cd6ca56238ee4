// State ↔ JSON, led by the schema: 64-bit integers become strings ("0x…" unsigned, decimal
// signed), bytes become hex strings, absent values are left out. The inverse checks each value's
// JSON type and names the path of the first bad one.

import type { ObjectShape, ValueShape } from "../runtime/shape.js";
import { printable } from "../runtime/errors.js";
import { StreamError, type Json } from "./format.js";

type State = Record<string, unknown>;

export function stateToJson(shape: ObjectShape, state: State): Json {
  const out: { [key: string]: Json } = {};
  for (const { key, shape: member } of shape.members) {
    const value = state[key];
    if (value === undefined) continue;
    out[key] = valueToJson(member, value);
  }
  return out;
}

function valueToJson(type: ValueShape, value: unknown): Json {
  switch (type.kind) {
    case "int":
      if (type.bits === 64)
        return type.signed ? String(value) : `0x${(value as bigint).toString(16)}`;
      return value as number;
    case "bool":
      return value as boolean;
    case "bytes":
      return Buffer.from(value as Uint8Array).toString("hex");
    case "text":
      return value as string;
    case "array":
      return (value as unknown[]).map((v) => valueToJson(type.element, v));
    case "object":
      return stateToJson(type, value as State);
    case "opaque":
      throw new StreamError(
        `a value of the hand-written codec ${type.codec} has no JSON form: its shape is not in the schema`,
      );
  }
}

export function stateFromJson(shape: ObjectShape, json: Json, path: string): State {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw bad(path, "an object", json);
  const known = new Set(shape.members.map((m) => m.key));
  for (const key of Object.keys(json)) {
    if (!known.has(key))
      throw new StreamError(`${join(path, printable(key))}: no such field in the schema`);
  }
  const out: State = {};
  for (const { key, shape: member } of shape.members) {
    const value = json[key];
    if (value === undefined) {
      out[key] = undefined;
      continue;
    }
    out[key] = valueFromJson(member, value, join(path, key));
  }
  return out;
}

function valueFromJson(type: ValueShape, json: Json, path: string): unknown {
  switch (type.kind) {
    case "int":
      if (type.bits === 64) {
        if (typeof json === "number" && Number.isSafeInteger(json)) return BigInt(json);
        const v = typeof json === "string" ? integerFromText(json) : undefined;
        if (v !== undefined) return v;
        throw bad(path, 'a 64-bit integer (a string such as "0x10" or "-5")', json);
      }
      if (typeof json !== "number") throw bad(path, "a number", json);
      return json;
    case "bool":
      if (typeof json !== "boolean") throw bad(path, "true or false", json);
      return json;
    case "bytes": {
      const bytes = bytesFromHex(json);
      if (!bytes) throw bad(path, "bytes as a hex string", json);
      return bytes;
    }
    case "text":
      // One byte per character: what does not fit is the Writer's SaveError, naming the path.
      if (typeof json !== "string") throw bad(path, "text (a string)", json);
      return json;
    case "array":
      if (!Array.isArray(json)) throw bad(path, "an array", json);
      return json.map((v, i) => valueFromJson(type.element, v, `${path}[${i}]`));
    case "object":
      return stateFromJson(type, json, path);
    case "opaque":
      throw new StreamError(
        `${path}: a value of the hand-written codec ${type.codec} has no JSON form`,
      );
  }
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function bad(path: string, expected: string, found: Json): StreamError {
  return new StreamError(`${path}: expected ${expected}, found ${shownValue(found)}`);
}

/** An integer written as text, decimal or 0x-hexadecimal, maybe negative; undefined when it is not one. */
export function integerFromText(text: string): bigint | undefined {
  if (!/^-?(0x[0-9a-f]+|\d+)$/i.test(text)) return undefined;
  // No value of a document needs more than 64 bits; converting a million digits would take seconds.
  if (text.replace(/^-?(0x)?0*/i, "").length > 40) return undefined;
  return text.startsWith("-") ? -BigInt(text.slice(1)) : BigInt(text);
}

/** Bytes written in a document as a hex string, or undefined when the value is not one. */
export function bytesFromHex(hex: unknown): Uint8Array | undefined {
  if (typeof hex !== "string" || !/^([0-9a-f]{2})*$/i.test(hex)) return undefined;
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** A value from a document in a message: a string quoted and made printable, anything else as JSON; long ones cut. */
export function shownValue(v: unknown): string {
  const text = typeof v === "string" ? `"${printable(v)}"` : (JSON.stringify(v) ?? "nothing");
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
