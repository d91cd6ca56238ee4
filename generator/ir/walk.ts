// Shared walks over checked expressions and members.

import type {
  FieldModel,
  IrExpr,
  LayoutModel,
  LetModel,
  MemberModel,
  ParamModel,
  SubsectionModel,
} from "../model.js";

/** The direct sub-expressions of an expression. */
export function children(e: IrExpr): IrExpr[] {
  switch (e.kind) {
    case "member":
      return [e.object];
    case "index":
      return [e.object, e.index];
    case "call":
      return [...e.args];
    case "unary":
      return [e.operand];
    case "binary":
      return [e.left, e.right];
    case "conditional":
      return [e.test, e.then, e.else];
    default:
      return [];
  }
}

/**
 * An expression and every expression inside it, in pre-order, left to right. By iteration: a
 * chain of binary operators is a tree as deep as the chain is long.
 */
export function* subexpressions(e: IrExpr): Generator<IrExpr> {
  const pending: IrExpr[] = [e];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    yield next;
    const inner = children(next);
    for (let i = inner.length - 1; i >= 0; i--) pending.push(inner[i]!);
  }
}

/** Whether any expression inside `e` (or `e` itself) satisfies `test`. */
export function anySubexpression(e: IrExpr, test: (x: IrExpr) => boolean): boolean {
  for (const x of subexpressions(e)) if (test(x)) return true;
  return false;
}

/** A value an expression reads from the stream: a field of the layout, or a let. */
export interface Reference {
  readonly target:
    | { readonly kind: "field"; readonly field: FieldModel }
    | { readonly kind: "let"; readonly binding: LetModel };
  readonly expr: IrExpr;
  /** When the path goes into a subsection of a struct it reads: the field read there. */
  readonly inStructSubsection:
    { readonly subsection: SubsectionModel; readonly field: FieldModel | undefined } | undefined;
}

/**
 * The values an expression reads. For a path such as `mac_table.in_use` or `queue.num` the
 * reference is the first field along the path: a struct field is read as a whole.
 */
export function references(e: IrExpr): Reference[] {
  const out: Reference[] = [];
  // An explicit stack, in the order a recursive walk would take (left to right, pre-order).
  const pending: IrExpr[] = [e];
  for (let x = pending.pop(); x !== undefined; x = pending.pop()) {
    const target = pathTarget(x);
    if (target) {
      out.push({
        target: { kind: "field", field: target },
        expr: x,
        inStructSubsection: structSubsectionOnPath(x, target),
      });
      // Of a path only its indexes are read besides: outermost first, as the recursion went.
      const indexes: IrExpr[] = [];
      if (x.kind === "index") indexes.push(x.index);
      else if (x.kind === "member")
        for (
          let link = x.object;
          link.kind === "member" || link.kind === "index";
          link = link.object
        )
          if (link.kind === "index") indexes.push(link.index);
      for (let i = indexes.length - 1; i >= 0; i--) pending.push(indexes[i]!);
      continue;
    }
    if (x.kind === "let")
      out.push({
        target: { kind: "let", binding: x.binding },
        expr: x,
        inStructSubsection: undefined,
      });
    const inner = children(x);
    for (let i = inner.length - 1; i >= 0; i--) pending.push(inner[i]!);
  }
  return out;
}

/** The field a reference path (`a.b`, `t[i]`, `s.t[i].x`) reads in, if it is one. */
export function pathTarget(x: IrExpr): FieldModel | undefined {
  if (x.kind === "field") return x.field;
  // A merged field is read where it is on the wire, not with the field it is merged into.
  if (x.kind === "member" && x.node.kind === "field" && x.node.field.merge) return x.node.field;
  if (x.kind === "member")
    return pathTarget(x.object) ?? (x.node.kind === "field" ? x.node.field : undefined);
  if (x.kind === "index") return pathTarget(x.object);
  return undefined;
}

/** A subsection node on the path below `top` (the field of this layout that the path starts from). */
function structSubsectionOnPath(x: IrExpr, top: FieldModel): Reference["inStructSubsection"] {
  const chain: IrExpr[] = [];
  let root: IrExpr = x;
  while (root.kind === "member" || root.kind === "index") {
    chain.unshift(root);
    root = root.object;
  }
  let belowTop = root.kind === "field" && root.field === top;
  for (let i = 0; i < chain.length; i++) {
    const link = chain[i]!;
    if (link.kind !== "member") continue;
    if (!belowTop) {
      belowTop = link.node.kind === "field" && link.node.field === top;
      continue;
    }
    if (link.node.kind === "subsection") {
      const leaf = chain.slice(i + 1).find((c) => c.kind === "member" && c.node.kind === "field");
      const field =
        leaf?.kind === "member" && leaf.node.kind === "field" ? leaf.node.field : undefined;
      return { subsection: link.node.subsection, field };
    }
  }
  return undefined;
}

/** Whether `inner` is `outer` or nested inside it. */
export function isWithin(inner: SubsectionModel | undefined, outer: SubsectionModel): boolean {
  for (let s = inner; s; s = s.subsection) if (s === outer) return true;
  return false;
}

/** Every member, subsection members included, in declaration order. */
export function allMembers(members: readonly MemberModel[]): MemberModel[] {
  return members.flatMap((m) => (m.kind === "subsection" ? [m, ...allMembers(m.members)] : [m]));
}

/** The parameters a struct reads, itself or through the structs inside it, each once. */
export function paramsReadBy(layout: LayoutModel): ParamModel[] {
  const found = new Set<ParamModel>();
  const seen = new Set<LayoutModel>();
  const visit = (l: LayoutModel): void => {
    if (seen.has(l)) return;
    seen.add(l);
    for (const site of l.sites)
      for (const x of subexpressions(site.expr)) if (x.kind === "param") found.add(x.param);
    for (const member of allMembers(l.members)) {
      if (member.kind !== "field") continue;
      let type = member.type;
      while (type.kind === "array") type = type.element;
      if (type.kind === "struct") visit(type.struct);
    }
  };
  visit(layout);
  return [...found];
}
