// `import-qemu-dump`: .vmstate skeletons from a parsed QEMU -dump-vmstate file, one per section.

import type { Dump, DumpField, DumpSection, Vmsd } from "./qemu-dump.js";

export interface ImportedFile {
  /** The file name (no folder): the dump's key, made safe for a file system, plus `.vmstate`. */
  readonly name: string;
  /** The dump's key of the section (QEMU's device type name). */
  readonly key: string;
  readonly text: string;
}

/** Words the language keeps for itself, and type names: an identifier never takes one. */
const TAKEN = new Set([
  "const", "features", "param", "struct", "codec", "from", "section", "subsection", "version",
  "minimum", "needed", "if", "since", "equals", "was", "again", "max", "unused", "let",
  "validate", "each", "in", "true", "false", "bool", "bytes", "text",
  ...["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64"],
  ...["u16le", "i16le", "u32le", "i32le", "u64le", "i64le"],
]); // prettier-ignore

/** A valid identifier from a QEMU name: other characters become `_`, a clash gets a suffix. */
export function identifier(name: string, used?: Set<string>): string {
  let id = name.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+(?=.)|(?<=.)_+$/g, "");
  if (id === "" || id === "_") id = "field";
  if (/^[0-9]/.test(id)) id = `_${id}`;
  if (TAKEN.has(id)) id = `${id}_`;
  if (used) {
    let n = 2;
    const base = id;
    while (used.has(id)) id = `${base}_${n++}`;
    used.add(id);
  }
  return id;
}

function typeName(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  const id = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
  return identifier(id === "" ? "Struct" : id);
}

/** The scalar a field of this many bytes is read as: the dump gives sizes, not types. */
function scalar(size: number): string | undefined {
  return { 1: "u8", 2: "u16", 4: "u32", 8: "u64" }[size];
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** A comment's text on one line, without a `*\/` that would end a block. */
function plain(s: string): string {
  return s.replace(/[\r\n]+/g, " ");
}

export function fileName(key: string): string {
  return `${key.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "_")}.vmstate`;
}

/** The skeletons of every section of the dump, named by the dump's keys, in the dump's order. */
export function importDump(dump: Dump, source: string): ImportedFile[] {
  const names = new Set<string>();
  return dump.sections.map((section) => {
    let name = fileName(section.key);
    for (let n = 2; names.has(name.toLowerCase()); n++) name = fileName(`${section.key}-${n}`);
    names.add(name.toLowerCase());
    return { name, key: section.key, text: importSection(section, source, dump.machine?.name) };
  });
}

interface StructDecl {
  readonly id: string;
  readonly json: string;
  readonly text: string;
}

class FileWriter {
  readonly structs = new Map<string, StructDecl[]>();
  readonly structIds = new Set<string>();
  readonly params: string[] = [];
  readonly paramIds = new Set<string>();
  readonly unknowns = new Set<string>();
  readonly out: string[] = [];

  /** The declaration of a nested description, shared by name when it is the same. */
  struct(vmsd: Vmsd): string {
    const json = JSON.stringify(shape(vmsd));
    const same = this.structs.get(vmsd.name) ?? [];
    const found = same.find((s) => s.json === json);
    if (found) return found.id;
    const id = identifier(typeName(vmsd.name), this.structIds);
    const lines: string[] = [];
    const header = `struct ${id} ${quote(vmsd.name)} version ${vmsd.version.value}`;
    const decl = { id, json, text: "" };
    same.push(decl);
    this.structs.set(vmsd.name, same);
    lines.push(`${header} {`);
    this.body(vmsd, id, vmsd.version.value, vmsd.minimum?.value ?? 0, "  ", lines, false);
    lines.push("}");
    (decl as { text: string }).text = lines.join("\n");
    return id;
  }

  /** The fields and subsections of a description. */
  body(
    vmsd: Vmsd,
    owner: string,
    version: number,
    minimum: number,
    indent: string,
    lines: string[],
    gates: boolean,
    used = new Set<string>(),
  ): void {
    // A subsection's fields live in its owner's state: one set of names for all of them.
    if (vmsd.fields === undefined) lines.push(`${indent}// the dump has no "Fields" here`);
    for (const f of vmsd.fields ?? [])
      this.field(f, owner, version, minimum, gates, indent, used, lines);
    for (const sub of vmsd.subsections ?? []) {
      const id = identifier(sub.name, used);
      const min = sub.minimum?.value ?? sub.version.value;
      const minText = min < sub.version.value ? ` minimum ${min}` : "";
      lines.push(
        `${indent}// needed: QEMU decides with a function the dump does not name; without`,
        `${indent}// \`needed\` it is sent when the state has it, and read when the stream has it.`,
        `${indent}subsection ${id} ${quote(sub.name)} version ${sub.version.value}${minText} {`,
      );
      this.unknowns.add("when each subsection is sent (its needed function)");
      // No `since` in a struct's subsections: the generator cannot compile them yet (VMS8005);
      // QEMU writes a subsection at its own version, so its gates hold on QEMU's streams.
      this.body(sub, `${owner}_${id}`, sub.version.value, min, `${indent}  `, lines, gates, used);
      lines.push(`${indent}}`);
    }
  }

  field(
    f: DumpField,
    owner: string,
    version: number,
    minimum: number,
    gates: boolean,
    indent: string,
    used: Set<string>,
    lines: string[],
  ): void {
    const qemu = f.field;
    const id = identifier(qemu, used);
    const notes: string[] = [];
    if (id !== qemu) notes.push(`QEMU: ${quote(qemu)}`);
    let type: string;
    if (f.description) {
      type = this.struct(f.description);
      notes.push(`${f.size.value} bytes in C; one element, the dump does not say how many`);
      this.unknowns.add("how many elements an array of structs has (the dump gives one)");
    } else if (f.size.value === 0) {
      lines.push(
        `${indent}// ${id}: size 0 in the dump (a hand-written or variable-sized field): not here`,
      );
      this.unknowns.add("fields of size 0 (custom or variable-sized), left out");
      return;
    } else {
      const s = scalar(f.size.value);
      type = s ?? `bytes[${f.size.value}]`;
      this.unknowns.add("types (from sizes: unsigned, big-endian; no arrays from the dump)");
    }
    let guard = "";
    if (f.exists) {
      const param = identifier(`${owner}_${id}_exists`, this.paramIds);
      this.params.push(
        `// QEMU decides whether ${quote(qemu)} of ${owner} is sent with a test function the`,
        "// dump does not name; assumed sent when not given (--param NAME=false otherwise).",
        `param ${param}?: bool;`,
      );
      guard = ` if ${param} ?? true`;
      this.unknowns.add("fields QEMU sends after a test function (params ending in _exists)");
    } else if (f.version.value > minimum) {
      if (gates && f.version.value <= version) guard = ` since ${f.version.value}`;
      else notes.push(`QEMU: from version ${f.version.value}`);
    }
    const comment = notes.length > 0 ? ` // ${plain(notes.join("; "))}` : "";
    lines.push(`${indent}${id}: ${type}${guard};${comment}`);
  }
}

/** What decides whether two descriptions are the same declaration. */
function shape(vmsd: Vmsd): unknown {
  return {
    name: vmsd.name,
    version: vmsd.version.value,
    minimum: vmsd.minimum?.value,
    fields: vmsd.fields?.map((f) => ({
      field: f.field,
      version: f.version.value,
      exists: f.exists,
      size: f.size.value,
      description: f.description && shape(f.description),
    })),
    subsections: vmsd.subsections?.map(shape),
  };
}

function importSection(section: DumpSection, source: string, machine: string | undefined): string {
  const lines: string[] = [];
  const vmsd = section.description;
  const header = [
    `// Generated by \`vmstate import-qemu-dump\` from ${source}${machine ? ` (machine ${machine})` : ""},`,
    `// section ${quote(section.key)}: a skeleton to complete by hand.`,
  ];
  if (!vmsd) {
    return `${header.join("\n")}\n// The dump has no "Description" for it: nothing to write.\n`;
  }
  const id = identifier(vmsd.name);
  const w = new FileWriter();
  const version = vmsd.version.value;
  let minimum = vmsd.minimum?.value ?? section.minimum.value;
  if (minimum > version) {
    lines.push(`// QEMU's minimum version is ${minimum}, above the version: written as ${version}`);
    minimum = version;
  }
  const minText = minimum < version ? ` minimum ${minimum}` : "";
  lines.push(`section ${id} ${quote(vmsd.name)} version ${version}${minText} {`);
  w.body(vmsd, id, version, minimum, "  ", lines, true);
  lines.push("}");
  const unknown = [...w.unknowns].map((u) => `//   - ${u}`);
  const structs = [...w.structs.values()].flat().map((s) => s.text);
  const parts = [
    [
      ...header,
      ...(unknown.length > 0
        ? ["// Unknown from the dump (check against QEMU's source):", ...unknown]
        : []),
    ].join("\n"),
    ...(w.params.length > 0 ? [w.params.join("\n")] : []),
    ...structs,
    lines.join("\n"),
  ];
  return `${parts.join("\n\n")}\n`;
}
