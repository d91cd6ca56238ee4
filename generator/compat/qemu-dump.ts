// QEMU's `-dump-vmstate` JSON (migration/savevm.c, QEMU 7.2): read with the place of every key,
// so findings point into the file. The format: one entry per device class, plus "vmschkmachine".
//
//   "<type>": { "Name", "version_id", "minimum_version_id", "Description": VMSD }
//   VMSD:     { "name", "version_id", "minimum_version_id", "Fields": [FIELD…], "Subsections": [VMSD…] }
//   FIELD:    { "field", "version_id", "field_exists", "size", "Description": VMSD }

import type { Span } from "../../diagnostics/span.js";
import { JsonSyntaxError, member, parseJson, type JsonEntry, type JsonNode } from "./json-text.js";

export interface Dump {
  readonly file: string;
  readonly text: string;
  /** The machine type, from "vmschkmachine". */
  readonly machine:
    { readonly name: string; readonly span: Span; readonly keySpan: Span } | undefined;
  readonly sections: readonly DumpSection[];
  readonly span: Span;
}

export interface DumpSection {
  readonly key: string;
  readonly keySpan: Span;
  /** Keys of the entry in file order, for QEMU's "Entry missing" check. */
  readonly keys: readonly JsonEntry[];
  readonly version: Num;
  readonly minimum: Num;
  readonly description: Vmsd | undefined;
}

export interface Vmsd {
  readonly name: string;
  readonly nameSpan: Span;
  readonly keys: readonly JsonEntry[];
  readonly version: Num;
  readonly minimum: Num | undefined;
  readonly fields: readonly DumpField[] | undefined;
  readonly fieldsSpan: Span | undefined;
  readonly subsections: readonly Vmsd[] | undefined;
}

export interface DumpField {
  readonly field: string;
  readonly fieldSpan: Span;
  readonly version: Num;
  readonly exists: boolean;
  readonly size: Num;
  readonly description: Vmsd | undefined;
}

export interface Num {
  readonly value: number;
  readonly span: Span;
}

/** A file that is JSON but not a dump, or not JSON: where and why. */
export class DumpFormatError extends Error {
  constructor(
    readonly span: Span,
    message: string,
  ) {
    super(message);
  }
}

export function readDump(text: string, file: string): Dump {
  let root: JsonNode;
  try {
    root = parseJson(text, file);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new DumpFormatError(e.span, `not JSON: ${e.message}`);
    throw e;
  }
  if (root.kind !== "object") throw notADump(root.span, "the top level must be an object");
  let machine: Dump["machine"];
  const sections: DumpSection[] = [];
  for (const entry of root.entries) {
    const where = `section "${entry.key}"`;
    if (entry.key === "vmschkmachine") {
      const name = member(entry.value, "Name");
      machine = {
        name: str(name, `"Name" of ${where}`, entry),
        span: name!.value.span,
        keySpan: entry.keySpan,
      };
      continue;
    }
    const v = object(entry, where);
    const description = member(v, "Description");
    sections.push({
      key: entry.key,
      keySpan: entry.keySpan,
      keys: v.entries,
      version: num(member(v, "version_id"), `"version_id" of ${where}`, entry),
      minimum: num(member(v, "minimum_version_id"), `"minimum_version_id" of ${where}`, entry),
      description: description && vmsd(description, `the description of ${where}`),
    });
  }
  return { file, text, machine, sections, span: root.span };
}

function vmsd(entry: JsonEntry, where: string): Vmsd {
  const v = object(entry, where);
  const name = member(v, "name");
  const fields = member(v, "Fields");
  const subsections = member(v, "Subsections");
  const minimum = member(v, "minimum_version_id");
  return {
    name: str(name, `"name" of ${where}`, entry),
    nameSpan: name!.value.span,
    keys: v.entries,
    version: num(member(v, "version_id"), `"version_id" of ${where}`, entry),
    minimum: minimum && num(minimum, `"minimum_version_id" of ${where}`, entry),
    fields:
      fields &&
      array(fields, `"Fields" of ${where}`).map((f, i) => field(f, `field ${i} of ${where}`)),
    fieldsSpan: fields?.keySpan,
    subsections:
      subsections &&
      array(subsections, `"Subsections" of ${where}`).map((s, i) =>
        vmsd(s, `subsection ${i} of ${where}`),
      ),
  };
}

function field(entry: JsonEntry, where: string): DumpField {
  const v = object(entry, where);
  const name = member(v, "field");
  const fieldName = str(name, `"field" of ${where}`, entry);
  const exists = member(v, "field_exists");
  if (!exists || exists.value.kind !== "boolean")
    throw notADump(
      exists?.value.span ?? v.span,
      `"field_exists" of ${where} must be true or false`,
    );
  const description = member(v, "Description");
  return {
    field: fieldName,
    fieldSpan: name!.value.span,
    version: num(member(v, "version_id"), `"version_id" of ${where}`, entry),
    exists: exists.value.value,
    size: num(member(v, "size"), `"size" of ${where}`, entry),
    description:
      description && vmsd(description, `the description of field "${fieldName}" of ${where}`),
  };
}

function notADump(span: Span, message: string): DumpFormatError {
  return new DumpFormatError(span, `not a -dump-vmstate file: ${message}`);
}

function object(entry: JsonEntry, where: string): JsonNode & { kind: "object" } {
  if (entry.value.kind !== "object") throw notADump(entry.value.span, `${where} must be an object`);
  return entry.value;
}

function array(entry: JsonEntry, where: string): JsonEntry[] {
  if (entry.value.kind !== "array") throw notADump(entry.value.span, `${where} must be an array`);
  // Array items have no key: their own span stands in for one.
  return entry.value.items.map((value) => ({ key: "", keySpan: value.span, value }));
}

function str(entry: JsonEntry | undefined, where: string, parent: JsonEntry): string {
  if (!entry) throw notADump(parent.keySpan, `${where} is missing`);
  if (entry.value.kind !== "string") throw notADump(entry.value.span, `${where} must be a string`);
  return entry.value.value;
}

function num(entry: JsonEntry | undefined, where: string, parent: JsonEntry): Num {
  if (!entry) throw notADump(parent.keySpan, `${where} is missing`);
  if (entry.value.kind !== "number" || !Number.isInteger(entry.value.value))
    throw notADump(entry.value.span, `${where} must be an integer`);
  return { value: entry.value.value, span: entry.value.span };
}
