// The state shape a section descriptor carries (runtime/shape.ts), printed as a literal from the
// checked layout: what stream tools need to turn a state into JSON and back without the checker.

import { constantLiteral } from "./expressions.js";
import type {
  FieldType,
  LayoutModel,
  MergeModel,
  ParamModel,
  ScalarType,
  StateNode,
} from "../model.js";

/**
 * The shapes of a module: a struct's is printed once, as a module constant before its first use,
 * and named wherever it stands whole (with no fields merged into it).
 */
export class ShapePrinter {
  /** The constants printed so far, in an order where each comes after those it names. */
  readonly constants: { name: string; code: string }[] = [];
  private readonly printed = new Set<LayoutModel>();

  constructor(private readonly nameOf: (struct: LayoutModel) => string | undefined) {}

  /** The literal of an object shape for a layout's state tree. */
  object(state: ReadonlyMap<string, StateNode>): string {
    return objectShapeCode(state, this);
  }

  /** The name of a struct's shape constant, printing it first if needed. */
  struct(layout: LayoutModel): string {
    const name = this.nameOf(layout);
    if (name === undefined) return objectShapeCode(layout.state, this);
    if (!this.printed.has(layout)) {
      this.printed.add(layout);
      this.constants.push({ name, code: objectShapeCode(layout.state, this) });
    }
    return name;
  }
}

function objectShapeCode(state: ReadonlyMap<string, StateNode>, shapes: ShapePrinter): string {
  const members = [...state.values()].map(
    (node) => `{ key: ${JSON.stringify(node.key)}, shape: ${nodeShapeCode(node, shapes)} }`,
  );
  return `{ kind: "object", members: [${members.join(", ")}] }`;
}

function nodeShapeCode(node: StateNode, shapes: ShapePrinter): string {
  if (node.kind !== "field") return objectShapeCode(node.children, shapes);
  const f = node.field;
  return f.extensions.length === 0
    ? valueShapeCode(f.type, shapes)
    : extendedShapeCode(f.type, undefined, f.extensions, 0, shapes);
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
  shapes: ShapePrinter,
): string {
  if (type?.kind === "array")
    return `{ kind: "array", element: ${extendedShapeCode(type.element, undefined, merges, depth + 1, shapes)} }`;
  const state =
    type?.kind === "struct" ? type.struct.state : (children ?? new Map<string, StateNode>());
  const members = [...state.values()].map((node) => {
    const below = merges.filter((m) => m.route.length > depth && m.route[depth] === node.key);
    const shape =
      below.length === 0
        ? nodeShapeCode(node, shapes)
        : node.kind === "field"
          ? extendedShapeCode(node.field.type, undefined, below, depth + 1, shapes)
          : extendedShapeCode(undefined, node.children, below, depth + 1, shapes);
    return `{ key: ${JSON.stringify(node.key)}, shape: ${shape} }`;
  });
  for (const m of merges.filter((m) => m.route.length === depth))
    members.push(
      `{ key: ${JSON.stringify(m.key)}, shape: ${valueShapeCode(m.field.type, shapes)} }`,
    );
  return `{ kind: "object", members: [${members.join(", ")}] }`;
}

function valueShapeCode(type: FieldType, shapes: ShapePrinter): string {
  switch (type.kind) {
    case "int":
    case "bool":
      return scalarShapeCode(type);
    case "bytes":
      return `{ kind: "bytes" }`;
    case "text":
      return `{ kind: "text" }`;
    case "array":
      return `{ kind: "array", element: ${valueShapeCode(type.element, shapes)} }`;
    case "struct":
      return shapes.struct(type.struct);
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
    const fallback = p.default === undefined ? "" : `, default: ${constantLiteral(p.default)}`;
    return `{ name: ${JSON.stringify(p.name)}, type: ${scalarShapeCode(p.type)}${fallback} }`;
  });
  return `[${items.join(", ")}]`;
}
