// Type emission: the TypeScript shape of each layout's state and of the parameters.

import type {
  FieldModel,
  FieldType,
  MergeModel,
  ParamModel,
  ScalarType,
  StateNode,
} from "../model.js";
import {
  functionOf,
  type FunctionPlan,
  type SchemaPlan,
  type Step,
  type SubsectionArm,
} from "../plan/plan.js";
import { scalarName } from "../ir/scalars.js";
import { docText } from "./docs.js";

export interface PropertyText {
  readonly name: string;
  readonly type: string;
  readonly optional: boolean;
  readonly doc: string | undefined;
}

export interface InterfaceText {
  readonly name: string;
  readonly doc: string;
  readonly properties: readonly PropertyText[];
}

/** The TypeScript type of a scalar's value, which is also its representation in emitted code. */
export function scalarTsType(type: ScalarType): "boolean" | "bigint" | "number" {
  if (type.kind === "bool") return "boolean";
  return type.bits === 64 ? "bigint" : "number";
}

export function fieldTsType(
  type: FieldType,
  structTypeName: (t: Extract<FieldType, { kind: "struct" }>) => string,
): string {
  switch (type.kind) {
    case "int":
    case "bool":
      return scalarTsType(type);
    case "bytes":
      return "Uint8Array";
    case "text":
      return "string";
    case "array": {
      const element = fieldTsType(type.element, structTypeName);
      return /^\w+$/.test(element) ? `${element}[]` : `(${element})[]`;
    }
    case "struct":
      return structTypeName(type);
    case "custom":
      return `ReturnType<typeof ${type.codec.loadName}>`;
  }
}

/**
 * The TypeScript type of a field's value with the fields merged into it (`channels[0].irq_disabled`
 * makes the elements `PITChannelState & { irq_disabled?: number | undefined }`). A merged field is
 * optional in the type: the elements it is not merged into do not have it.
 */
export function extendedTsType(
  field: FieldModel,
  structTypeName: (t: Extract<FieldType, { kind: "struct" }>) => string,
): string {
  if (field.extensions.length === 0) return fieldTsType(field.type, structTypeName);
  return extend(field.type, field.extensions, 0, structTypeName);
}

function extend(
  type: FieldType | undefined,
  merges: readonly MergeModel[],
  depth: number,
  structTypeName: (t: Extract<FieldType, { kind: "struct" }>) => string,
): string {
  if (type?.kind === "array") {
    const inner = extend(type.element, merges, depth + 1, structTypeName);
    return `(${inner})[]`;
  }
  // An object (a struct, or a group in one): its new keys, and the extensions of its members.
  const here = merges.filter((m) => m.route.length === depth);
  const below = new Map<string, MergeModel[]>();
  for (const m of merges.filter((m) => m.route.length > depth)) {
    const key = String(m.route[depth]);
    below.set(key, [...(below.get(key) ?? []), m]);
  }
  const parts = [
    ...here.map((m) => `${m.key}?: ${fieldTsType(m.field.type, structTypeName)} | undefined;`),
    ...[...below].map(([key, ms]) => {
      const member = memberType(type, key);
      return `${key}: ${extend(member, ms, depth + 1, structTypeName)};`;
    }),
  ];
  const extension = `{ ${parts.join(" ")} }`;
  return type?.kind === "struct" ? `${structTypeName(type)} & ${extension}` : extension;
}

/** The type of member `key` of a struct (undefined for a group: only its extension is spelled). */
function memberType(type: FieldType | undefined, key: string): FieldType | undefined {
  if (type?.kind !== "struct") return undefined;
  const node = type.struct.state.get(key);
  return node?.kind === "field" ? node.field.type : undefined;
}

/** One interface per layout and per subsection, and `Params`. */
export function stateInterfaces(schema: SchemaPlan): InterfaceText[] {
  const typeOfStruct = (t: Extract<FieldType, { kind: "struct" }>): string =>
    functionOf(schema, t.struct)!.typeName;
  const out: InterfaceText[] = [];
  for (const fn of schema.functions) {
    const arms = collectArms(fn.steps);
    const armType = (key: StateNode & { kind: "subsection" }): string =>
      arms.find((a) => a.subsection === key.subsection)!.typeName;
    const what =
      fn.layout.kind === "section"
        ? `Section "${fn.layout.qemuName}" (version ${fn.layout.version})`
        : `Struct ${fn.layout.name}${fn.layout.qemuName ? ` ("${fn.layout.qemuName}")` : ""}`;
    const docs = schema.model.docs;
    out.push({
      name: fn.typeName,
      doc: docText(docs.get(fn.layout.span.line), `${what}.`),
      properties: properties(fn.layout.state, typeOfStruct, armType, docs),
    });
    for (const arm of arms) {
      const sub = arm.subsection;
      const node = findSubsectionNode(fn.layout.state, arm);
      out.push({
        name: arm.typeName,
        doc: docText(
          docs.get(sub.span.line),
          `Subsection "${sub.qemuName}" (version ${sub.version}); absent when not on the wire.`,
        ),
        properties: properties(
          node?.children ?? new Map<string, StateNode>(),
          typeOfStruct,
          armType,
          docs,
        ),
      });
    }
  }
  return out;
}

export function paramsInterface(
  params: readonly ParamModel[],
  docs: ReadonlyMap<number, string>,
): InterfaceText {
  return {
    name: "Params",
    doc: "Values both sides know before loading (configuration of the destination, host features).",
    properties: params.map((p) => ({
      name: p.name,
      type: scalarTsType(p.type),
      optional: p.default !== undefined || p.optional,
      doc: docText(
        docs.get(p.span.line),
        `${scalarName(p.type)}${p.default !== undefined ? `, default ${String(p.default)}` : p.optional ? ", optional" : ""}`,
      ),
    })),
  };
}

function properties(
  state: Map<string, StateNode>,
  typeOfStruct: (t: Extract<FieldType, { kind: "struct" }>) => string,
  armType: (n: StateNode & { kind: "subsection" }) => string,
  docs: ReadonlyMap<number, string>,
): PropertyText[] {
  return [...state.values()].map((node): PropertyText => {
    switch (node.kind) {
      case "field": {
        const f = node.field;
        const doc = docText(
          docs.get(f.span.line),
          describeField(f.type) +
            (f.absentWhen === "guard"
              ? "; absent when its condition is false"
              : f.absentWhen === "version"
                ? "; absent in older versions"
                : ""),
        );
        return {
          name: node.key,
          type: extendedTsType(f, typeOfStruct),
          optional: f.optional,
          doc,
        };
      }
      case "group": {
        const inner = properties(node.children, typeOfStruct, armType, docs);
        const body = inner
          .map(
            (p) =>
              `${p.doc ? `/** ${p.doc} */ ` : ""}${p.name}${p.optional ? "?" : ""}: ${p.type}${p.optional ? " | undefined" : ""};`,
          )
          .join(" ");
        return { name: node.key, type: `{ ${body} }`, optional: false, doc: undefined };
      }
      case "subsection":
        return {
          name: node.key,
          type: armType(node),
          optional: true,
          doc: docText(`subsection "${node.subsection.qemuName}"`),
        };
    }
  });
}

function describeField(type: FieldType): string {
  switch (type.kind) {
    case "int":
    case "bool":
      return scalarName(type);
    case "bytes":
      return type.count.constant !== undefined
        ? `${type.count.constant} bytes`
        : `bytes (at most ${type.count.max})`;
    case "text":
      return type.count.constant !== undefined
        ? `text in ${type.count.constant} bytes, NUL-padded`
        : `text (at most ${type.count.max} bytes)`;
    case "array":
      return `${type.count.constant !== undefined ? type.count.constant : `at most ${type.count.max}`} × ${describeField(type.element)}`;
    case "struct":
      return type.struct.name;
    case "custom":
      return `${type.codec.name}, hand-written in ${type.codec.module}`;
  }
}

export function collectArms(steps: readonly Step[]): SubsectionArm[] {
  return steps.flatMap((s) =>
    s.kind === "subsections" ? s.arms.flatMap((a) => [a, ...collectArms(a.steps)]) : [],
  );
}

function findSubsectionNode(
  state: Map<string, StateNode>,
  arm: SubsectionArm,
): (StateNode & { kind: "subsection" }) | undefined {
  for (const node of state.values()) {
    if (node.kind === "subsection") {
      if (node.subsection === arm.subsection) return node;
      const inner = findSubsectionNode(node.children, arm);
      if (inner) return inner;
    }
  }
  return undefined;
}

export type { FunctionPlan };
