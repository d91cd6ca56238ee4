// The state shape a section descriptor carries (runtime/shape.ts), printed as a literal from the
// checked layout: what stream tools need to turn a state into JSON and back without the checker.

import { SAFE_MAX, SAFE_MIN } from "../check/types.js";
import type { FieldType, MergeModel, ParamModel, ScalarType, StateNode } from "../model.js";

/** The literal of an object shape for a layout's state tree. */
export function objectShapeCode(state: ReadonlyMap<string, StateNode>): string {
  const members = [...state.values()].map(
    (node) => `{ key: ${JSON.stringify(node.key)}, shape: ${nodeShapeCode(node)} }`,
  );
  return `{ kind: "object", members: [${members.join(", ")}] }`;
}

function nodeShapeCode(node: StateNode): string {
  if (node.kind !== "field") return objectShapeCode(node.children);
  const f = node.field;
  return f.extensions.length === 0
    ? valueShapeCode(f.type)
    : extendedShapeCode(f.type, undefined, f.extensions, 0);
}

/**
 * A value's shape with the fields merged into it: an array's element shape has them (an element
 * that does not is missing them, as an absent value), and an object gets them after its members.
 */
function extendedShapeCode(
  type: FieldType | undefined,
  children: ReadonlyMap<string, StateNode> | undefined,
  merges: readonly MergeModel[],
  depth: number,
): string {
  if (type?.kind === "array")
    return `{ kind: "array", element: ${extendedShapeCode(type.element, undefined, merges, depth + 1)} }`;
  const state =
    type?.kind === "struct" ? type.struct.state : (children ?? new Map<string, StateNode>());
  const members = [...state.values()].map((node) => {
    const below = merges.filter((m) => m.route.length > depth && m.route[depth] === node.key);
    const shape =
      below.length === 0
        ? nodeShapeCode(node)
        : node.kind === "field"
          ? extendedShapeCode(node.field.type, undefined, below, depth + 1)
          : extendedShapeCode(undefined, node.children, below, depth + 1);
    return `{ key: ${JSON.stringify(node.key)}, shape: ${shape} }`;
  });
  for (const m of merges.filter((m) => m.route.length === depth))
    members.push(`{ key: ${JSON.stringify(m.key)}, shape: ${valueShapeCode(m.field.type)} }`);
  return `{ kind: "object", members: [${members.join(", ")}] }`;
}

function valueShapeCode(type: FieldType): string {
  switch (type.kind) {
    case "int":
    case "bool":
      return scalarShapeCode(type);
    case "bytes":
      return `{ kind: "bytes" }`;
    case "text":
      return `{ kind: "text" }`;
    case "array":
      return `{ kind: "array", element: ${valueShapeCode(type.element)} }`;
    case "struct":
      return objectShapeCode(type.struct.state);
    case "custom":
      return `{ kind: "opaque", codec: ${JSON.stringify(type.codec.name)} }`;
  }
}

function scalarShapeCode(type: ScalarType): string {
  return type.kind === "bool"
    ? `{ kind: "bool" }`
    : `{ kind: "int", bits: ${type.bits}, signed: ${type.signed} }`;
}

/** The literal of the parameter list a descriptor carries. */
export function paramShapesCode(params: readonly ParamModel[]): string {
  const items = params.map((p) => {
    const fallback = p.default === undefined ? "" : `, default: ${literal(p.default)}`;
    return `{ name: ${JSON.stringify(p.name)}, type: ${scalarShapeCode(p.type)}${fallback} }`;
  });
  return `[${items.join(", ")}]`;
}

function literal(v: bigint | boolean): string {
  return typeof v === "boolean" || (v >= SAFE_MIN && v <= SAFE_MAX) ? String(v) : `${v}n`;
}
