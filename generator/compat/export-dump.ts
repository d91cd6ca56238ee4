// Our schemas in QEMU's `-dump-vmstate` format, so QEMU's own tools (scripts/vmstate-static-checker.py)
// and `vmstate compat --qemu-dump` can read them. The dump has no types, guards or counts: a field is
// its name, version gate, whether it has a test (`field_exists`), its size per element, and the
// description of a struct. Validations are left out, as QEMU leaves out VMSTATE_VALIDATE.

import { constantOf } from "../ir/constants.js";
import type { FieldModel, UnusedModel } from "../model.js";
import type { FunctionPlan, SchemaPlan, Step, SubsectionArm, ValuePlan } from "../plan/plan.js";
import { scalarSize } from "../ir/scalars.js";

export type DumpJson = { readonly [key: string]: DumpValue };
type DumpValue = string | number | boolean | DumpJson | readonly DumpValue[];

export function exportDump(plans: readonly SchemaPlan[], machine: string | undefined): DumpJson {
  const out: Record<string, DumpValue> = {};
  if (machine !== undefined) out["vmschkmachine"] = { Name: machine };
  const exporter = new Exporter();
  for (const plan of plans) {
    for (const fn of plan.functions) {
      const layout = fn.layout;
      if (layout.kind !== "section" || !layout.qemuName || layout.qemuName in out) continue;
      out[layout.qemuName] = {
        Name: layout.qemuName,
        version_id: layout.version,
        minimum_version_id: layout.minimum,
        Description: exporter.description(fn),
      };
    }
  }
  return out;
}

class Exporter {
  /** A struct or section as a VMStateDescription. */
  description(fn: FunctionPlan): DumpJson {
    const layout = fn.layout;
    return this.vmsd(layout.qemuName ?? layout.name, layout.version, layout.minimum, fn.steps);
  }

  private vmsd(name: string, version: number, minimum: number, steps: readonly Step[]): DumpJson {
    const out: Record<string, DumpValue> = {
      name,
      version_id: version,
      minimum_version_id: minimum,
    };
    const fields = steps.flatMap((s) => this.field(s));
    if (fields.length > 0) out["Fields"] = fields;
    const arms = steps.flatMap((s) => (s.kind === "subsections" ? s.arms : []));
    if (arms.length > 0) out["Subsections"] = arms.map((a) => this.subsection(a));
    return out;
  }

  private subsection(arm: SubsectionArm): DumpJson {
    const sub = arm.subsection;
    return this.vmsd(sub.qemuName, sub.version, sub.minimum, arm.steps);
  }

  private field(step: Step): DumpJson[] {
    if (step.kind === "unused") {
      const m = step.unused;
      return [
        {
          field: "unused",
          version_id: gate(m),
          field_exists: m.guard !== undefined,
          size: Number(step.count.constant ?? 0n),
        },
      ];
    }
    if (step.kind !== "field") return [];
    const f = step.field;
    const out: Record<string, DumpValue> = {
      field: f.path.join("."),
      version_id: gate(f),
      field_exists: f.guard !== undefined,
      size: size(step.value),
    };
    const struct = structOf(step.value);
    if (struct) out["Description"] = this.description(struct);
    return [out];
  }
}

/** QEMU's `version_id` of a field: the version it is on the wire from, 0 for always. */
function gate(f: FieldModel | UnusedModel | undefined): number {
  const v = f?.since && constantOf(f.since);
  return typeof v === "bigint" ? Number(v) : 0;
}

/**
 * QEMU's `size`: of one element for arrays (VMSTATE_ARRAY), of the whole buffer for constant
 * bytes (VMSTATE_BUFFER), 0 for a buffer whose length comes from the stream (VMSTATE_VBUFFER); a
 * struct's is its wire size when that is constant (the checker does not compare struct sizes).
 */
function size(value: ValuePlan): number {
  switch (value.kind) {
    case "scalar":
      return scalarSize(value.type);
    case "bytes":
    case "text":
      return Number(value.count.constant ?? 0n);
    case "array":
      return size(value.element);
    case "struct":
      return Number(wireSize(value.callee.steps) ?? 0n);
    case "custom":
      // A hand-written codec's length is its own business, as with QEMU's custom VMStateInfo.
      return 0;
  }
}

/** Bytes a layout always takes, when every step is unconditional and of constant length. */
function wireSize(steps: readonly Step[]): bigint | undefined {
  let total = 0n;
  for (const s of steps) {
    if (s.kind === "let" || s.kind === "validate") continue;
    if (s.kind === "subsections" || s.condition !== undefined) return undefined;
    const n = s.kind === "unused" ? s.count.constant : valueSize(s.value);
    if (n === undefined) return undefined;
    total += n;
  }
  return total;
}

function valueSize(value: ValuePlan): bigint | undefined {
  switch (value.kind) {
    case "scalar":
      return BigInt(scalarSize(value.type));
    case "bytes":
    case "text":
      return value.count.constant;
    case "array": {
      const each = valueSize(value.element);
      return each === undefined || value.count.constant === undefined
        ? undefined
        : each * value.count.constant;
    }
    case "struct":
      return wireSize(value.callee.steps);
    case "custom":
      return undefined;
  }
}

function structOf(value: ValuePlan): FunctionPlan | undefined {
  if (value.kind === "struct") return value.callee;
  if (value.kind === "array") return structOf(value.element);
  return undefined;
}

/**
 * JSON as QEMU's -dump-vmstate writes it: two-space indents, `"key": value`, and an empty array
 * as `[`, an empty line, `]`.
 */
export function printDumpJson(value: unknown, indent = ""): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return `[\n\n${indent}]`;
    return `[\n${value.map((v) => inner + printDumpJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return "{}";
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${printDumpJson(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value);
}
