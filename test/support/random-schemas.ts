// Small random schemas and random single edits of them, for the compatibility property test. A
// schema is a spec (fields with guards, gates, counts and bounds, a constant and a feature bit
// that guards read, a parameter, subsections) rendered to text; an edit changes one thing and
// says how a state of the old version maps to the new one (only renames and struct moves change
// where a value lives).

import { Random } from "../../fuzz/random.js";

export interface FieldSpec {
  readonly name: string;
  /** A scalar type, or the element type of an array. */
  readonly type: string;
  readonly guard?: string;
  readonly since?: number;
  readonly count?: { readonly expr: string; readonly max?: number };
  /** A field of this struct type (the fields of `structs[struct]`). */
  readonly struct?: string;
  /** Padding of this many bytes instead of a value. */
  readonly unused?: number;
  readonly equals?: string;
}

export interface SubsectionSpec {
  readonly name: string;
  readonly qemu: string;
  readonly version: number;
  readonly needed?: string;
  readonly fields: readonly FieldSpec[];
}

export interface SchemaSpec {
  readonly limit: number;
  readonly bit: number;
  /** Parameters: name and default. */
  readonly params: readonly { readonly name: string; readonly value: boolean }[];
  readonly version: number;
  readonly minimum: number;
  readonly fields: readonly FieldSpec[];
  readonly structs: Readonly<Record<string, readonly FieldSpec[]>>;
  readonly subsections: readonly SubsectionSpec[];
  /** Conditions of `validate` lines after the fields. */
  readonly validations: readonly string[];
}

export interface Edit {
  readonly kind: EditKind;
  readonly spec: SchemaSpec;
  /** Whether the edit keeps every byte on the wire (a rename, a move into a struct). */
  readonly wireIdentical: boolean;
  /** A state of the old version as the new version names it, and back. */
  readonly forward: (state: Record<string, unknown>) => Record<string, unknown>;
  readonly backward: (state: Record<string, unknown>) => Record<string, unknown>;
}

export const EDIT_KINDS = [
  "remove-field",
  "add-field",
  "add-guarded-field",
  "add-gated-field",
  "add-param-guarded-field",
  "move-field",
  "rename-field",
  "change-width",
  "change-signedness",
  "change-endianness",
  "change-to-bool",
  "change-guard",
  "remove-guard",
  "add-guard",
  "change-since",
  "change-count",
  "lower-bound",
  "raise-bound",
  "bump-version",
  "raise-minimum",
  "remove-subsection",
  "rename-subsection",
  "add-subsection",
  "bump-subsection-version",
  "change-needed",
  "change-limit",
  "change-bit",
  "move-into-struct",
  "retire-field",
  "add-validation",
  "remove-validation",
  "add-equals",
  "change-equals",
  "change-struct-field",
  "change-subsection-field",
  "add-subsection-field",
] as const;
export type EditKind = (typeof EDIT_KINDS)[number];

/** The fuzzer's seeded generator: the same seed gives the same schema and edit. */
export { Random };

const INT_TYPES = ["u8", "i8", "u16", "u16le", "i16", "u32", "u32le", "i32", "u64", "i64le"];
const COUNT_TYPES = ["u8", "u16", "u32"];

/** Fields later ones may read: always on the wire and unsigned. */
function readable(fields: readonly FieldSpec[], minimum: number): FieldSpec[] {
  return fields.filter(
    (f) =>
      !f.guard &&
      (f.since === undefined || f.since <= minimum) &&
      !f.count &&
      !f.struct &&
      f.unused === undefined &&
      COUNT_TYPES.includes(f.type),
  );
}

function guardOver(r: Random, fields: readonly FieldSpec[], minimum: number): string | undefined {
  const ints = readable(fields, minimum);
  const forms: (() => string | undefined)[] = [
    () => (ints.length ? `${r.pick(ints).name} > LIMIT` : undefined),
    () => (ints.length ? `has(${r.pick(ints).name}, F.BIT)` : undefined),
    () => (ints.length ? `${r.pick(ints).name} != ${r.between(0, 3)}` : undefined),
    () => "p",
  ];
  return r.pick(forms)();
}

function randomField(
  r: Random,
  name: string,
  before: readonly FieldSpec[],
  version: number,
  minimum: number,
): FieldSpec {
  const ints = readable(before, minimum);
  const field: { -readonly [K in keyof FieldSpec]: FieldSpec[K] } = {
    name,
    type: r.pick(INT_TYPES),
  };
  if (r.chance(0.15)) field.type = "bool";
  if (r.chance(0.2)) {
    field.type = r.pick(["u8", "u16"]);
    field.count =
      ints.length && r.chance(0.7)
        ? { expr: r.pick(ints).name, max: r.between(2, 12) }
        : { expr: String(r.between(1, 4)) };
  }
  if (r.chance(0.25)) {
    const g = guardOver(r, before, minimum);
    if (g) field.guard = g;
  }
  if (r.chance(0.2)) field.since = r.between(1, version);
  return field;
}

export function randomSchema(r: Random): SchemaSpec {
  const version = r.between(1, 3);
  const minimum = r.between(1, version);
  const fields: FieldSpec[] = [{ name: "n", type: r.pick(COUNT_TYPES) }];
  const count = r.between(2, 5);
  for (let i = 0; i < count; i++) fields.push(randomField(r, `f${i}`, fields, version, minimum));
  const structs: Record<string, FieldSpec[]> = {};
  if (r.chance(0.3)) {
    // An array of structs whose fields depend on each other and on a parameter.
    structs["Item"] = [
      { name: "a", type: r.pick(COUNT_TYPES) },
      {
        name: "b",
        type: r.pick(INT_TYPES),
        ...(r.chance(0.5) ? { guard: r.pick(["a > 1", "p"]) } : {}),
      },
    ];
    fields.splice(r.between(1, fields.length), 0, {
      name: "items",
      type: "",
      struct: "Item",
      count: { expr: "n", max: r.between(1, 4) },
    });
  }
  if (r.chance(0.2))
    fields.splice(r.between(1, fields.length), 0, {
      name: "pad",
      type: "",
      unused: r.between(1, 4),
    });
  if (r.chance(0.2))
    fields.splice(r.between(1, fields.length), 0, {
      name: "magic",
      type: r.pick(["u8", "u16"]),
      equals: String(r.between(0, 3)),
    });
  const subsections: SubsectionSpec[] = [];
  for (let i = 0, k = r.between(0, 2); i < k; i++) {
    const inner: FieldSpec[] = [{ name: `x${i}`, type: r.pick(COUNT_TYPES) }];
    if (r.chance(0.5))
      inner.push({
        name: `y${i}`,
        type: r.pick(INT_TYPES),
        ...(r.chance(0.5) ? { guard: `x${i} > LIMIT` } : {}),
      });
    subsections.push({
      name: `sub${i}`,
      qemu: `s/sub${i}`,
      version: r.between(1, 2),
      ...(r.chance(0.4) ? { needed: `n > ${r.between(0, 3)}` } : {}),
      fields: inner,
    });
  }
  const validations = r.chance(0.3) ? [`n < ${r.between(20, 250)}`] : [];
  return {
    limit: r.between(0, 5),
    bit: r.between(0, 7),
    params: [{ name: "p", value: false }],
    version,
    minimum,
    fields,
    structs,
    subsections,
    validations,
  };
}

// ------------------------------------------------------------------ rendering

export function renderSchema(spec: SchemaSpec): string {
  const lines = [`const LIMIT = ${spec.limit};`, `features F { BIT = ${spec.bit}; }`];
  for (const p of spec.params) lines.push(`param ${p.name}: bool = ${p.value};`);
  for (const [name, fields] of Object.entries(spec.structs))
    lines.push(`struct ${name} {`, ...fields.map((f) => `  ${renderField(f)}`), "}");
  lines.push(`section s "s" version ${spec.version} minimum ${spec.minimum} {`);
  for (const f of spec.fields) lines.push(`  ${renderField(f)}`);
  spec.validations.forEach((v, i) => lines.push(`  validate ${v}, "check ${i}";`));
  for (const sub of spec.subsections) {
    lines.push(
      `  subsection ${sub.name} "${sub.qemu}" version ${sub.version}${sub.needed ? ` needed ${sub.needed}` : ""} {`,
    );
    for (const f of sub.fields) lines.push(`    ${renderField(f)}`);
    lines.push("  }");
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function renderField(f: FieldSpec): string {
  const clauses = `${f.equals !== undefined ? ` equals ${f.equals}` : ""}${f.guard ? ` if ${f.guard}` : ""}${f.since !== undefined ? ` since ${f.since}` : ""}`;
  if (f.unused !== undefined) return `unused[${f.unused}]${clauses};`;
  const count =
    f.count && `[${f.count.expr}${f.count.max !== undefined ? ` max ${f.count.max}` : ""}]`;
  const type = `${f.struct ?? f.type}${count ?? ""}`;
  return `${f.name}: ${type}${clauses};`;
}

// ------------------------------------------------------------------ edits

const same = (s: Record<string, unknown>): Record<string, unknown> => s;

function sizeOf(type: string): number | undefined {
  if (type === "bool" || type.endsWith("8")) return 1;
  const m = /(\d+)/.exec(type);
  return m ? Number(m[1]) / 8 : undefined;
}

function renameIn(text: string | undefined, from: string, to: string): string | undefined {
  return text?.replace(new RegExp(`\\b${from}\\b`, "g"), to);
}

/** One edit of `kind`, or undefined when this schema has nothing to edit that way. */
export function randomEdit(r: Random, spec: SchemaSpec, kind: EditKind): Edit | undefined {
  const fields = [...spec.fields];
  const at = (i: number, f: FieldSpec): SchemaSpec => ({
    ...spec,
    fields: fields.map((x, k) => (k === i ? f : x)),
  });
  const edit = (
    next: SchemaSpec,
    wireIdentical = false,
    forward = same,
    backward = same,
  ): Edit => ({ kind, spec: next, wireIdentical, forward, backward });
  const some = (pred: (f: FieldSpec) => boolean): number | undefined => {
    const idx = fields.map((f, i) => (pred(f) ? i : -1)).filter((i) => i >= 0);
    return idx.length ? r.pick(idx) : undefined;
  };
  const scalar = (f: FieldSpec): boolean =>
    !f.count && !f.struct && f.unused === undefined && f.equals === undefined;
  switch (kind) {
    case "remove-field": {
      const i = r.between(1, fields.length - 1);
      return edit({ ...spec, fields: fields.filter((_, k) => k !== i) });
    }
    case "add-field":
    case "add-guarded-field":
    case "add-gated-field":
    case "add-param-guarded-field": {
      const pos = r.between(1, fields.length);
      let f = randomField(r, `added`, fields.slice(0, pos), spec.version, spec.minimum);
      let next = spec;
      if (kind === "add-guarded-field")
        f = { ...f, guard: guardOver(r, fields.slice(0, pos), spec.minimum) ?? "p" };
      if (kind === "add-gated-field") {
        // The usual way to add a field: gate it at a new version.
        next = { ...spec, version: spec.version + 1 };
        f = { ...f, since: spec.version + 1 };
      }
      if (kind === "add-param-guarded-field") {
        // A parameter only the new version has, off by default: a machine-type compat property.
        next = { ...spec, params: [...spec.params, { name: "q", value: false }] };
        f = { ...f, guard: "q" };
      }
      const list = [...fields];
      list.splice(pos, 0, f);
      return edit({ ...next, fields: list });
    }
    case "move-field": {
      const i = r.between(1, fields.length - 1);
      const j = r.between(1, fields.length - 1);
      if (i === j) return undefined;
      const list = [...fields];
      const [f] = list.splice(i, 1);
      list.splice(j, 0, f!);
      return edit({ ...spec, fields: list });
    }
    case "rename-field": {
      const i = some((f) => f.unused === undefined);
      if (i === undefined) return undefined;
      const from = fields[i]!.name;
      const to = `${from}_renamed`;
      const list = fields.map((f, k) => ({
        ...f,
        name: k === i ? to : f.name,
        ...(f.guard ? { guard: renameIn(f.guard, from, to)! } : {}),
        ...(f.count ? { count: { ...f.count, expr: renameIn(f.count.expr, from, to)! } } : {}),
      }));
      const subsections = spec.subsections.map((s) => ({
        ...s,
        ...(s.needed ? { needed: renameIn(s.needed, from, to)! } : {}),
      }));
      return edit(
        { ...spec, fields: list, subsections },
        true,
        (s) => renameKey(s, from, to),
        (s) => renameKey(s, to, from),
      );
    }
    case "change-width":
    case "change-signedness":
    case "change-endianness":
    case "change-to-bool": {
      const i = some(
        (f) =>
          f.unused === undefined &&
          !f.struct &&
          f.type !== "bool" &&
          (kind !== "change-endianness" || sizeOf(f.type)! > 1),
      );
      if (i === undefined) return undefined;
      return edit(at(i, { ...fields[i]!, type: changeType(r, fields[i]!.type, kind) }));
    }
    case "change-struct-field": {
      const item = spec.structs["Item"];
      if (!item) return undefined;
      const k = r.between(0, item.length - 1);
      const f = item[k]!;
      if (f.type === "bool") return undefined;
      const type = changeType(
        r,
        f.type,
        r.pick(["change-width", "change-signedness", "change-to-bool"] as const),
      );
      return edit({
        ...spec,
        structs: { ...spec.structs, Item: item.map((x, j) => (j === k ? { ...x, type } : x)) },
      });
    }
    case "change-subsection-field":
    case "add-subsection-field": {
      if (spec.subsections.length === 0) return undefined;
      const k = r.between(0, spec.subsections.length - 1);
      const sub = spec.subsections[k]!;
      const last = sub.fields[sub.fields.length - 1]!;
      const inner =
        kind === "add-subsection-field"
          ? [...sub.fields, { name: "z", type: r.pick(INT_TYPES) }]
          : last.type === "bool"
            ? undefined
            : sub.fields.map((f) =>
                f === last
                  ? {
                      ...f,
                      type: changeType(
                        r,
                        f.type,
                        r.pick(["change-width", "change-signedness"] as const),
                      ),
                    }
                  : f,
              );
      if (!inner) return undefined;
      return edit({
        ...spec,
        subsections: spec.subsections.map((x, j) => (j === k ? { ...x, fields: inner } : x)),
      });
    }
    case "add-validation":
      return edit({
        ...spec,
        validations: [
          ...spec.validations,
          r.pick([`n < ${r.between(1, 20)}`, `n != ${r.between(0, 3)}`, "!p"]),
        ],
      });
    case "remove-validation":
      if (spec.validations.length === 0) return undefined;
      return edit({ ...spec, validations: spec.validations.slice(1) });
    case "add-equals":
    case "change-equals": {
      const i = some((f) =>
        kind === "add-equals"
          ? scalar(f) && f.type !== "bool" && f.name !== "n" && !f.guard
          : f.equals !== undefined,
      );
      if (i === undefined) return undefined;
      const f = fields[i]!;
      return edit(
        at(i, {
          ...f,
          equals: String(f.equals === undefined ? r.between(0, 3) : Number(f.equals) + 1),
        }),
      );
    }
    case "change-guard":
    case "add-guard": {
      const i = some((f) => (kind === "add-guard" ? !f.guard : f.guard !== undefined));
      if (i === undefined) return undefined;
      const g = guardOver(r, fields.slice(0, i), spec.minimum);
      if (!g || g === fields[i]!.guard) return undefined;
      return edit(at(i, { ...fields[i]!, guard: g }));
    }
    case "remove-guard": {
      const i = some((f) => f.guard !== undefined);
      if (i === undefined) return undefined;
      const { guard: _, ...rest } = fields[i]!;
      return edit(at(i, rest));
    }
    case "change-since": {
      const i = some((f) => f.unused === undefined);
      if (i === undefined) return undefined;
      const f = fields[i]!;
      const since = r.between(1, spec.version);
      if (since === f.since || (f.since === undefined && since <= spec.minimum)) return undefined;
      return edit(at(i, { ...f, since }));
    }
    case "change-count": {
      const i = some((f) => f.count !== undefined);
      if (i === undefined) return undefined;
      const f = fields[i]!;
      const expr = /^\d+$/.test(f.count!.expr)
        ? String(Number(f.count!.expr) + 1)
        : `${f.count!.expr} + 1`;
      return edit(
        at(i, {
          ...f,
          count: {
            ...f.count!,
            expr,
            ...(f.count!.max !== undefined ? { max: f.count!.max + 1 } : {}),
          },
        }),
      );
    }
    case "lower-bound":
    case "raise-bound": {
      const i = some((f) => f.count?.max !== undefined);
      if (i === undefined) return undefined;
      const f = fields[i]!;
      const max =
        kind === "lower-bound"
          ? r.between(0, f.count!.max! - 1)
          : f.count!.max! + r.between(1, 300);
      return edit(at(i, { ...f, count: { ...f.count!, max } }));
    }
    case "bump-version":
      return edit({ ...spec, version: spec.version + 1 });
    case "raise-minimum":
      if (spec.minimum === spec.version) return undefined;
      return edit({ ...spec, minimum: r.between(spec.minimum + 1, spec.version) });
    case "remove-subsection":
    case "rename-subsection":
    case "bump-subsection-version":
    case "change-needed": {
      if (spec.subsections.length === 0) return undefined;
      const k = r.between(0, spec.subsections.length - 1);
      const sub = spec.subsections[k]!;
      const changed: SubsectionSpec | undefined =
        kind === "rename-subsection"
          ? { ...sub, qemu: `${sub.qemu}_v2` }
          : kind === "bump-subsection-version"
            ? { ...sub, version: sub.version + 1 }
            : kind === "change-needed"
              ? { ...sub, needed: `n > ${r.between(4, 9)}` }
              : undefined;
      const subsections = spec.subsections.flatMap((s, i) =>
        i !== k ? [s] : changed ? [changed] : [],
      );
      return edit({ ...spec, subsections });
    }
    case "add-subsection":
      return edit({
        ...spec,
        subsections: [
          ...spec.subsections,
          {
            name: "extra",
            qemu: "s/extra",
            version: 1,
            fields: [{ name: "e", type: r.pick(INT_TYPES) }],
          },
        ],
      });
    case "change-limit":
      return edit({ ...spec, limit: spec.limit + r.between(1, 3) });
    case "change-bit":
      return edit({ ...spec, bit: (spec.bit + r.between(1, 7)) % 8 });
    case "move-into-struct": {
      // Consecutive plain fields into a struct: the same bytes, the values one level down.
      const i = r.between(1, fields.length - 1);
      let j = i;
      while (j + 1 < fields.length && r.chance(0.5)) j++;
      const group = fields.slice(i, j + 1);
      if (group.some((f) => !scalar(f) || f.guard || f.since !== undefined)) return undefined;
      const names = group.map((f) => f.name);
      const prefix = (t: string | undefined): string | undefined =>
        names.reduce((acc, n) => renameIn(acc, n, `grp.${n}`), t);
      const rest = fields.map((f) => ({
        ...f,
        ...(f.guard ? { guard: prefix(f.guard)! } : {}),
        ...(f.count ? { count: { ...f.count, expr: prefix(f.count.expr)! } } : {}),
      }));
      const list = [
        ...rest.slice(0, i),
        { name: "grp", type: "", struct: "Grp" },
        ...rest.slice(j + 1),
      ];
      const subsections = spec.subsections.map((s) => ({
        ...s,
        ...(s.needed ? { needed: prefix(s.needed)! } : {}),
      }));
      return edit(
        { ...spec, fields: list, structs: { ...spec.structs, Grp: group }, subsections },
        true,
        (s) => nest(s, names, "grp"),
        (s) => unnest(s, names, "grp"),
      );
    }
    case "retire-field": {
      const i = some((f) => scalar(f) && !f.guard && f.since === undefined && f.name !== "n");
      if (i === undefined) return undefined;
      return edit(at(i, { name: "unused", type: "", unused: sizeOf(fields[i]!.type)! }));
    }
  }
}

function changeType(
  r: Random,
  type: string,
  kind: "change-width" | "change-signedness" | "change-endianness" | "change-to-bool",
): string {
  const m = /^([ui])(\d+)(le)?$/.exec(type)!;
  const [sign, bits, le] = [m[1]!, Number(m[2]), m[3] ?? ""];
  if (kind === "change-width") {
    const nb = r.pick([8, 16, 32, 64].filter((b) => b !== bits));
    return `${sign}${nb}${nb > 8 ? le : ""}`;
  }
  if (kind === "change-signedness") return `${sign === "u" ? "i" : "u"}${bits}${le}`;
  if (kind === "change-endianness") return `${sign}${bits}${le ? "" : "le"}`;
  return "bool";
}

function renameKey(s: Record<string, unknown>, from: string, to: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) out[k === from ? to : k] = v;
  return out;
}

function nest(
  s: Record<string, unknown>,
  names: readonly string[],
  key: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const inner: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (names.includes(k)) inner[k] = v;
    else out[k] = v;
  }
  out[key] = inner;
  return out;
}

function unnest(
  s: Record<string, unknown>,
  names: readonly string[],
  key: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...s };
  const inner = (s[key] ?? {}) as Record<string, unknown>;
  delete out[key];
  for (const n of names) out[n] = inner[n];
  return out;
}
