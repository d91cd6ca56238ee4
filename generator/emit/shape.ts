// The state shape a section descriptor carries (runtime/shape.ts), printed as a literal from the
// checked layout: what stream tools need to turn a state into JSON and back without the checker.

import { SAFE_MAX, SAFE_MIN } from "../check/types.js";
import type { FieldType, ParamModel, ScalarType, StateNode } from "../model.js";

/** The literal of an object shape for a layout's state tree. */
export function objectShapeCode(state: ReadonlyMap<string, StateNode>): string {
  const members = [...state.values()].map(
    (node) => `{ key: ${JSON.stringify(node.key)}, shape: ${nodeShapeCode(node)} }`,
  );
  return `{ kind: "object", members: [${members.join(", ")}] }`;
}

function nodeShapeCode(node: StateNode): string {
  return node.kind === "field" ? valueShapeCode(node.field.type) : objectShapeCode(node.children);
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
