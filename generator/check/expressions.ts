// Expression checking: resolves names, computes each expression's type and value range, folds constants.

import { Diagnostics, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import type * as A from "../../grammar/ast.js";
import type {
  ConstModel,
  ElementModel,
  ExprType,
  FeaturesModel,
  IrExpr,
  LetModel,
  ParamModel,
  StateNode,
  StructArgModel,
} from "../model.js";
import { builtinNames, builtins, isBuiltin, type BuiltinName } from "../ir/builtins.js";
import { allOnesAbove, describeType, exprTypeOfField } from "./types.js";
import { intRange } from "../ir/scalars.js";
import { arith, constantOf } from "../ir/constants.js";
import { pathTarget } from "../ir/walk.js";
import { didYouMean } from "../../diagnostics/hints.js";

/** What a name in an expression can stand for. */
export type ScopeEntry =
  | { readonly kind: "const"; readonly model: ConstModel }
  | { readonly kind: "features"; readonly model: FeaturesModel }
  | { readonly kind: "param"; readonly model: ParamModel }
  | { readonly kind: "arg"; readonly model: StructArgModel }
  | { readonly kind: "let"; readonly model: LetModel }
  | { readonly kind: "element"; readonly model: ElementModel; readonly type: ExprType }
  | { readonly kind: "state"; readonly node: StateNode }
  /** A name that is there but cannot be used (reported already): the expression fails. */
  | { readonly kind: "failed" };

export interface ExprContext {
  lookup(name: string): ScopeEntry | undefined;
  /** Range of `stream_version()` where the expression is evaluated. */
  readonly versionRange: { readonly min: bigint; readonly max: bigint };
  /** Wire position where the expression is evaluated, when known. */
  readonly readAt?: number;
  readonly diagnostics: Diagnostic[];
  /** The names visible here, for the hint of an unknown one. */
  readonly names?: () => Iterable<string>;
}

const errorType: ExprType = { kind: "error" };

type IrOf<K extends IrExpr["kind"]> = Extract<IrExpr, { kind: K }>;

function literal(value: bigint | boolean, span: Span, constName?: string): IrExpr {
  const type: ExprType =
    typeof value === "boolean" ? { kind: "bool" } : { kind: "int", min: value, max: value };
  return { kind: "literal", value, constName, type, span, optional: false };
}

/** The expression of a check that failed (reported already): of the error type, which nothing reports again. */
export function failedExpr(span: Span): IrExpr {
  return {
    kind: "literal",
    value: 0n,
    constName: undefined,
    type: errorType,
    span,
    optional: false,
  };
}

export function isError(e: IrExpr): boolean {
  return e.type.kind === "error";
}

/**
 * Checks an expression that must produce a value (not a struct, array or bytes), reporting an
 * optional value used without `??` (VMS4003).
 */
export function checkValue(e: A.Expr, ctx: ExprContext): IrExpr {
  return requireValue(checkExpr(e, ctx), ctx);
}

export function checkBool(e: A.Expr, ctx: ExprContext, what: string): IrExpr {
  return asBool(checkExpr(e, ctx), ctx, what);
}

export function checkInt(e: A.Expr, ctx: ExprContext, what: string): IrExpr {
  return asInt(checkExpr(e, ctx), ctx, what);
}

/** `checkBool` of an expression already checked. */
function asBool(checked: IrExpr, ctx: ExprContext, what: string): IrExpr {
  const ir = requireValue(checked, ctx);
  if (ir.type.kind !== "bool" && ir.type.kind !== "error") {
    ctx.diagnostics.push(
      Diagnostics.TypeMismatchFor("a bool", what, describeType(ir.type)).at(ir.span),
    );
    return failedExpr(ir.span);
  }
  return ir;
}

/** `checkInt` of an expression already checked. */
function asInt(checked: IrExpr, ctx: ExprContext, what: string): IrExpr {
  const ir = requireValue(checked, ctx);
  if (ir.type.kind === "bool") {
    ctx.diagnostics.push(Diagnostics.BoolAsNumber(what).at(ir.span));
    return failedExpr(ir.span);
  }
  if (ir.type.kind !== "int" && ir.type.kind !== "error") {
    ctx.diagnostics.push(
      Diagnostics.TypeMismatchFor("an integer", what, describeType(ir.type)).at(ir.span),
    );
    return failedExpr(ir.span);
  }
  return ir;
}

/** A constant integer (a version, a bound, a feature bit), or undefined after reporting why not. */
export function checkConstInt(e: A.Expr, ctx: ExprContext, what: string): bigint | undefined {
  const ir = checkInt(e, ctx, what);
  if (isError(ir)) return undefined;
  const value = constantOf(ir);
  if (typeof value !== "bigint") {
    ctx.diagnostics.push(Diagnostics.NotConstant(what).at(ir.span));
    return undefined;
  }
  return value;
}

/**
 * Whether a value is sure to be there; reports VMS4003 when it may be absent. A field not read yet
 * at this point is the availability pass's to report (VMS4001), not "absent".
 */
export function requirePresent(ir: IrExpr, ctx: ExprContext): boolean {
  if (!ir.optional || readLater(ir, ctx)) return true;
  const scalar = ir.type.kind === "int" || ir.type.kind === "bool";
  ctx.diagnostics.push(
    Diagnostics.MayBeAbsent(spanText(ir), absenceReason(ir), scalar).at(ir.span),
  );
  return false;
}

function requireValue(ir: IrExpr, ctx: ExprContext): IrExpr {
  if (!requirePresent(ir, ctx)) return failedExpr(ir.span);
  if (ir.type.kind === "int" || ir.type.kind === "bool" || ir.type.kind === "error") return ir;
  ctx.diagnostics.push(Diagnostics.NotAValue(spanText(ir), describeType(ir.type)).at(ir.span));
  return failedExpr(ir.span);
}

function readLater(ir: IrExpr, ctx: ExprContext): boolean {
  const field = pathTarget(ir);
  return field !== undefined && ctx.readAt !== undefined && field.order >= ctx.readAt;
}

/** A readable name for a reference expression, for messages. */
export function spanText(ir: IrExpr): string {
  switch (ir.kind) {
    case "field":
      return ir.field.path.join(".");
    case "group":
      return ir.node.key;
    case "member":
      return `${spanText(ir.object)}.${ir.node.key}`;
    case "index":
      return `${spanText(ir.object)}[…]`;
    case "param":
      return ir.param.name;
    case "arg":
      return ir.arg.name;
    case "let":
      return ir.binding.name;
    case "literal":
      return ir.constName ?? String(ir.value);
    default:
      return "expression";
  }
}

function absenceReason(ir: IrExpr): string {
  if (ir.kind === "param") return "an optional parameter";
  const node =
    ir.kind === "member"
      ? ir.node
      : ir.kind === "field"
        ? ({ kind: "field", field: ir.field } as const)
        : undefined;
  if (node?.kind === "field" && node.field.absentWhen) {
    return node.field.absentWhen === "guard" ? "guarded by a condition" : "gated by a version";
  }
  return "inside a value that may be absent";
}

/** Subsections are not "optional" here: reading into one from outside is an availability error (VMS4002). */
function nodeOptional(node: StateNode): boolean {
  return node.kind === "field" && node.field.optional;
}

function nodeType(node: StateNode): ExprType {
  if (node.kind === "field") return exprTypeOfField(node.field.type);
  return { kind: "object", node };
}

export function checkExpr(e: A.Expr, ctx: ExprContext): IrExpr {
  switch (e.kind) {
    case "int":
      return literal(e.value, e.span);
    case "bool":
      return literal(e.value, e.span);
    case "name":
      return checkName(e, ctx);
    case "member":
      return checkMember(e, ctx);
    case "index":
      return checkIndex(e, ctx);
    case "call":
      return checkCall(e, ctx);
    case "unary":
      return checkUnary(e, ctx);
    case "binary":
      return checkBinary(e, ctx);
    case "conditional":
      return checkConditional(e, ctx);
  }
}

function checkName(e: Extract<A.Expr, { kind: "name" }>, ctx: ExprContext): IrExpr {
  const entry = ctx.lookup(e.name);
  const base = { span: e.span, optional: false };
  if (!entry) {
    ctx.diagnostics.push(
      Diagnostics.UnknownName(e.name, didYouMean(e.name, ctx.names?.() ?? [])).at(e.span),
    );
    return failedExpr(e.span);
  }
  switch (entry.kind) {
    case "failed":
      return failedExpr(e.span);
    case "const":
      return literal(entry.model.value, e.span, entry.model.name);
    case "features":
      return {
        kind: "literal",
        value: 0n,
        constName: entry.model.name,
        type: { kind: "features", features: entry.model },
        ...base,
      };
    case "param": {
      const t = entry.model.type;
      return {
        kind: "param",
        param: entry.model,
        type: t.kind === "bool" ? t : { kind: "int", ...intRange(t) },
        span: e.span,
        optional: entry.model.optional,
      };
    }
    case "arg": {
      const t = entry.model.type;
      return {
        kind: "arg",
        arg: entry.model,
        type: t.kind === "bool" ? t : { kind: "int", ...intRange(t) },
        ...base,
      };
    }
    case "let":
      return { kind: "let", binding: entry.model, type: entry.model.value.type, ...base };
    case "element":
      return { kind: "element", element: entry.model, type: entry.type, ...base };
    case "state": {
      const node = entry.node;
      const optional = nodeOptional(node);
      if (node.kind === "field")
        return { kind: "field", field: node.field, type: nodeType(node), span: e.span, optional };
      return { kind: "group", node, type: nodeType(node), span: e.span, optional };
    }
  }
}

function checkMember(e: Extract<A.Expr, { kind: "member" }>, ctx: ExprContext): IrExpr {
  const object = checkExpr(e.object, ctx);
  const type = object.type;
  if (type.kind === "error") return failedExpr(e.span);
  if (type.kind === "features") {
    const bit = type.features.bits.get(e.member.text);
    if (!bit) {
      ctx.diagnostics.push(
        Diagnostics.NoMember(
          type.features.name,
          e.member.text,
          didYouMean(e.member.text, type.features.bits.keys()),
        ).at(e.member.span),
      );
      return failedExpr(e.span);
    }
    return literal(bit.bit, e.span, `${type.features.name}.${e.member.text}`);
  }
  if (type.kind !== "object") {
    ctx.diagnostics.push(
      Diagnostics.NoMember(spanText(object), e.member.text, "").at(e.member.span),
    );
    return failedExpr(e.span);
  }
  const children = type.node.kind === "field" ? undefined : type.node.children;
  const node = children?.get(e.member.text) ?? mergedMember(object, e.member.text);
  if (!node) {
    ctx.diagnostics.push(
      Diagnostics.NoMember(
        spanText(object),
        e.member.text,
        didYouMean(e.member.text, children?.keys() ?? []),
      ).at(e.member.span),
    );
    return failedExpr(e.span);
  }
  return {
    kind: "member",
    object,
    node,
    type: nodeType(node),
    span: e.span,
    optional: object.optional || nodeOptional(node),
  };
}

/**
 * A field merged into the value `object` stands for (`channels[0].irq_disabled`, a subsection's
 * `parent_obj.queue.cwptr`): found on the field the path starts from, by the route below it.
 */
function mergedMember(object: IrExpr, key: string): StateNode | undefined {
  const route: (number | string)[] = [];
  for (let at: IrExpr | undefined = object; at;) {
    const anchor =
      at.kind === "field"
        ? at.field
        : at.kind === "member" && at.node.kind === "field"
          ? at.node.field
          : undefined;
    const merge = anchor?.extensions.find(
      (m) => m.key === key && m.route.join("/") === route.join("/"),
    );
    if (merge) return { kind: "field", key, field: merge.field };
    if (at.kind === "member") route.unshift(at.node.key);
    else if (
      at.kind === "index" &&
      at.index.kind === "literal" &&
      typeof at.index.value === "bigint"
    )
      route.unshift(Number(at.index.value));
    else return undefined;
    at = at.object;
  }
  return undefined;
}

/** The built-in functions, for the hint of an unknown one. */

function checkIndex(e: Extract<A.Expr, { kind: "index" }>, ctx: ExprContext): IrExpr {
  const object = checkExpr(e.object, ctx);
  const index = checkInt(e.index, ctx, "an index");
  if (isError(object) || isError(index)) return failedExpr(e.span);
  let type: ExprType;
  let length: bigint | undefined;
  if (object.type.kind === "bytes") {
    type = { kind: "int", min: 0n, max: 255n };
    length = fieldCountOf(object);
  } else if (object.type.kind === "array") {
    type = exprTypeOfField(object.type.element);
    length = fieldCountOf(object);
  } else {
    ctx.diagnostics.push(
      Diagnostics.NotIndexable(spanText(object), describeType(object.type)).at(object.span),
    );
    return failedExpr(e.span);
  }
  const i = constantOf(index);
  if (typeof i === "bigint" && length !== undefined && (i < 0n || i >= length)) {
    ctx.diagnostics.push(Diagnostics.IndexOutOfRange(i, spanText(object), length).at(index.span));
    return failedExpr(e.span);
  }
  return { kind: "index", object, index, type, span: e.span, optional: object.optional };
}

/** The constant length of an indexed bytes or array field, when known. */
function fieldCountOf(object: IrExpr): bigint | undefined {
  const node =
    object.kind === "field"
      ? { field: object.field }
      : object.kind === "member" && object.node.kind === "field"
        ? { field: object.node.field }
        : undefined;
  const t = node?.field.type;
  return t && (t.kind === "bytes" || t.kind === "array") ? t.count.constant : undefined;
}

type CallExpr = Extract<A.Expr, { kind: "call" }>;
type CallBase = { readonly kind: "call"; readonly span: Span; readonly optional: false };

/** Each builtin's check, its arity already checked: its arguments, result type and own limits. */
const builtinChecks: Record<
  BuiltinName,
  (e: CallExpr, ctx: ExprContext, base: CallBase) => IrExpr
> = {
  has(e, ctx, base) {
    const value = checkInt(e.args[0]!, ctx, "the value tested by has()");
    const bit = checkConstInt(e.args[1]!, ctx, "the bit number of has()");
    if (isError(value) || bit === undefined) return failedExpr(e.span);
    const width = valueWidth(value);
    if (bit < 0n || bit >= BigInt(width)) {
      ctx.diagnostics.push(
        Diagnostics.FeatureBitOutside(bit, spanText(value), width).at(e.args[1]!.span),
      );
      return failedExpr(e.span);
    }
    return {
      ...base,
      builtin: "has",
      args: [value, literal(bit, e.args[1]!.span, constNameOf(e.args[1]!, ctx))],
      type: { kind: "bool" },
    };
  },
  pci_capability(e, ctx, base) {
    const config = checkBytes(e.args[0]!, ctx, "pci_capability");
    const id = checkConstInt(e.args[1]!, ctx, "the capability id of pci_capability()");
    if (!config || id === undefined) return failedExpr(e.span);
    if (id < 0n || id > 255n) {
      ctx.diagnostics.push(
        Diagnostics.NamedValueDoesNotFit("capability id", id, "u8").at(e.args[1]!.span),
      );
      return failedExpr(e.span);
    }
    return {
      ...base,
      builtin: "pci_capability",
      args: [config, literal(id, e.args[1]!.span)],
      type: { kind: "int", min: 0n, max: 255n },
    };
  },
  le16: (e, ctx, base) => checkRegister("le16", 0xffffn, e, ctx, base),
  le32: (e, ctx, base) => checkRegister("le32", 0xffffffffn, e, ctx, base),
  stream_version: (e, ctx) => ({
    kind: "version",
    type: { kind: "int", ...ctx.versionRange },
    span: e.span,
    optional: false,
  }),
};

/** le16(bytes, offset), le32(bytes, offset): a little-endian register inside bytes already read. */
function checkRegister(
  name: "le16" | "le32",
  max: bigint,
  e: CallExpr,
  ctx: ExprContext,
  base: CallBase,
): IrExpr {
  const bytes = checkBytes(e.args[0]!, ctx, name);
  const offset = checkInt(e.args[1]!, ctx, `the offset of ${name}()`);
  if (!bytes || isError(offset)) return failedExpr(e.span);
  return { ...base, builtin: name, args: [bytes, offset], type: { kind: "int", min: 0n, max } };
}

function checkCall(e: CallExpr, ctx: ExprContext): IrExpr {
  const name = e.callee.text;
  if (!isBuiltin(name)) {
    ctx.diagnostics.push(
      Diagnostics.UnknownFunction(name, didYouMean(name, builtinNames)).at(e.callee.span),
    );
    return failedExpr(e.span);
  }
  const { arity } = builtins[name];
  if (e.args.length !== arity) {
    ctx.diagnostics.push(
      Diagnostics.WrongArgumentCount(name, arity, e.args.length).at(e.callee.span),
    );
    return failedExpr(e.span);
  }
  return builtinChecks[name](e, ctx, { kind: "call", span: e.span, optional: false });
}

/** An argument that must be raw bytes (a `bytes[N]` field). */
function checkBytes(e: A.Expr, ctx: ExprContext, fn: string): IrExpr | undefined {
  const ir = checkExpr(e, ctx);
  if (isError(ir)) return undefined;
  if (!requirePresent(ir, ctx)) return undefined;
  if (ir.type.kind !== "bytes") {
    ctx.diagnostics.push(
      Diagnostics.TypeMismatchFor("bytes", `${fn}()`, describeType(ir.type)).at(ir.span),
    );
    return undefined;
  }
  return ir;
}

function constNameOf(e: A.Expr, ctx: ExprContext): string | undefined {
  const ir = checkExpr(e, { ...ctx, diagnostics: [] });
  return ir.kind === "literal" ? ir.constName : undefined;
}

/** Bits of an integer value: the declared width of a field or parameter, else what its range needs. */
function valueWidth(value: IrExpr): number {
  const t = value.type;
  if (t.kind !== "int") return 64;
  for (const bits of [8, 16, 32, 64]) {
    const lim = 1n << BigInt(bits);
    if (t.min >= 0n ? t.max < lim : t.min >= -(lim >> 1n) && t.max < lim >> 1n) return bits;
  }
  return 64;
}

function checkUnary(e: Extract<A.Expr, { kind: "unary" }>, ctx: ExprContext): IrExpr {
  if (e.op === "!") {
    const operand = checkBool(e.operand, ctx, "'!'");
    if (isError(operand)) return failedExpr(e.span);
    const c = constantOf(operand);
    if (typeof c === "boolean") return literal(!c, e.span);
    return {
      kind: "unary",
      op: "!",
      operand,
      type: { kind: "bool" },
      span: e.span,
      optional: false,
    };
  }
  const operand = checkInt(e.operand, ctx, `'${e.op}'`);
  if (isError(operand) || operand.type.kind !== "int") return failedExpr(e.span);
  const { min, max } = operand.type;
  const c = constantOf(operand);
  if (typeof c === "bigint") return literal(e.op === "-" ? -c : ~c, e.span);
  const type: ExprType =
    e.op === "-"
      ? { kind: "int", min: -max, max: -min }
      : { kind: "int", min: -max - 1n, max: -min - 1n };
  return { kind: "unary", op: e.op, operand, type, span: e.span, optional: false };
}

function checkConditional(e: Extract<A.Expr, { kind: "conditional" }>, ctx: ExprContext): IrExpr {
  const test = checkBool(e.test, ctx, "the condition of '?:'");
  const then = checkValue(e.then, ctx);
  const otherwise = checkValue(e.else, ctx);
  if (isError(test) || isError(then) || isError(otherwise)) return failedExpr(e.span);
  const type = unify(then.type, otherwise.type);
  if (!type) {
    ctx.diagnostics.push(
      Diagnostics.TypeMismatch(describeType(then.type), describeType(otherwise.type)).at(
        otherwise.span,
      ),
    );
    return failedExpr(e.span);
  }
  const c = constantOf(test);
  if (typeof c === "boolean") return c ? then : otherwise;
  return { kind: "conditional", test, then, else: otherwise, type, span: e.span, optional: false };
}

function unify(a: ExprType, b: ExprType): ExprType | undefined {
  if (a.kind === "bool" && b.kind === "bool") return a;
  if (a.kind === "int" && b.kind === "int")
    return { kind: "int", min: a.min < b.min ? a.min : b.min, max: a.max > b.max ? a.max : b.max };
  return undefined;
}

/**
 * A chain `a + b - c …` is a left-deep tree as deep as it is long: it is walked down its left
 * operands by iteration, so its length never reaches the stack (grammar/depth.ts limits the rest).
 */
function checkBinary(e: Extract<A.Expr, { kind: "binary" }>, ctx: ExprContext): IrExpr {
  const chain: Extract<A.Expr, { kind: "binary" }>[] = [];
  let leftmost: A.Expr = e;
  while (leftmost.kind === "binary") {
    chain.push(leftmost);
    leftmost = leftmost.left;
  }
  let left = checkExpr(leftmost, ctx);
  for (let i = chain.length - 1; i >= 0; i--) left = checkBinaryStep(chain[i]!, left, ctx);
  return left;
}

/** One operator of a chain, its left operand checked already (and not yet required to be a value). */
function checkBinaryStep(
  e: Extract<A.Expr, { kind: "binary" }>,
  checkedLeft: IrExpr,
  ctx: ExprContext,
): IrExpr {
  const op = e.op;
  const make = (left: IrExpr, right: IrExpr, type: ExprType): IrExpr => ({
    kind: "binary",
    op,
    left,
    right,
    type,
    span: e.span,
    optional: false,
  });

  if (op === "??") {
    const left = checkedLeft;
    const right = checkValue(e.right, ctx);
    if (isError(left) || isError(right)) return failedExpr(e.span);
    const leftValue = requireValue({ ...left, optional: false }, ctx);
    if (isError(leftValue)) return failedExpr(e.span);
    const type = unify(left.type, right.type);
    if (!type) {
      ctx.diagnostics.push(
        Diagnostics.TypeMismatch(describeType(left.type), describeType(right.type)).at(right.span),
      );
      return failedExpr(e.span);
    }
    if (!left.optional) return left;
    return make(left, right, type);
  }

  if (op === "&&" || op === "||") {
    const left = asBool(checkedLeft, ctx, `'${op}'`);
    const right = checkBool(e.right, ctx, `'${op}'`);
    if (isError(left) || isError(right)) return failedExpr(e.span);
    const l = constantOf(left);
    const r = constantOf(right);
    if (typeof l === "boolean" && typeof r === "boolean")
      return literal(op === "&&" ? l && r : l || r, e.span);
    if (typeof l === "boolean") return (op === "&&") === l ? right : literal(l, e.span);
    return make(left, right, { kind: "bool" });
  }

  if (op === "==" || op === "!=") {
    const left = requireValue(checkedLeft, ctx);
    const right = checkValue(e.right, ctx);
    if (isError(left) || isError(right)) return failedExpr(e.span);
    if (left.type.kind !== right.type.kind) {
      ctx.diagnostics.push(
        Diagnostics.TypeMismatch(describeType(left.type), describeType(right.type)).at(right.span),
      );
      return failedExpr(e.span);
    }
    const l = constantOf(left);
    const r = constantOf(right);
    if (l !== undefined && r !== undefined) return literal(op === "==" ? l === r : l !== r, e.span);
    return make(left, right, { kind: "bool" });
  }

  const left = asInt(checkedLeft, ctx, `'${op}'`);
  const right = checkInt(e.right, ctx, `'${op}'`);
  if (isError(left) || isError(right) || left.type.kind !== "int" || right.type.kind !== "int")
    return failedExpr(e.span);
  const a = left.type;
  const b = right.type;
  const l = constantOf(left) as bigint | undefined;
  const r = constantOf(right) as bigint | undefined;

  if (op === "<" || op === "<=" || op === ">" || op === ">=") {
    if (l !== undefined && r !== undefined) return literal(compare(op, l, r), e.span);
    return make(left, right, { kind: "bool" });
  }

  if ((op === "/" || op === "%" || op === "<<" || op === ">>") && r === undefined) {
    ctx.diagnostics.push(
      Diagnostics.NotConstant(op === "/" || op === "%" ? "a divisor" : "a shift amount").at(
        right.span,
      ),
    );
    return failedExpr(e.span);
  }
  if ((op === "/" || op === "%") && r === 0n) {
    ctx.diagnostics.push(Diagnostics.DivisionByZero().at(right.span));
    return failedExpr(e.span);
  }
  if ((op === "<<" || op === ">>") && (r! < 0n || r! > 64n)) {
    ctx.diagnostics.push(
      Diagnostics.NamedValueDoesNotFit("shift amount", r!, "0 to 64").at(right.span),
    );
    return failedExpr(e.span);
  }
  if (l !== undefined && r !== undefined) return literal(arith(op, l, r), e.span);

  let min: bigint;
  let max: bigint;
  switch (op) {
    case "+":
      [min, max] = [a.min + b.min, a.max + b.max];
      break;
    case "-":
      [min, max] = [a.min - b.max, a.max - b.min];
      break;
    case "*": {
      const products = [a.min * b.min, a.min * b.max, a.max * b.min, a.max * b.max];
      [min, max] = [
        products.reduce((x, y) => (y < x ? y : x)),
        products.reduce((x, y) => (y > x ? y : x)),
      ];
      break;
    }
    case "/": {
      const [x, y] = [a.min / r!, a.max / r!];
      [min, max] = x < y ? [x, y] : [y, x];
      break;
    }
    case "%": {
      const m = (r! < 0n ? -r! : r!) - 1n;
      [min, max] = a.min >= 0n ? [0n, a.max < m ? a.max : m] : [-m, m];
      break;
    }
    case "<<":
      [min, max] = [a.min << r!, a.max << r!];
      break;
    case ">>":
      [min, max] = [a.min >> r!, a.max >> r!];
      break;
    default: {
      // & | ^ over integers of unbounded width (two's complement, as with bigint).
      const nonNeg = a.min >= 0n && b.min >= 0n;
      if (op === "&" && (a.min >= 0n || b.min >= 0n)) {
        const bound =
          a.min >= 0n && b.min >= 0n
            ? a.max < b.max
              ? a.max
              : b.max
            : a.min >= 0n
              ? a.max
              : b.max;
        [min, max] = [0n, bound];
      } else if (nonNeg) {
        [min, max] = [0n, allOnesAbove(a.max > b.max ? a.max : b.max)];
      } else {
        const mag = [a.min, a.max, b.min, b.max]
          .map((v) => (v < 0n ? -v : v))
          .reduce((x, y) => (y > x ? y : x));
        const ones = allOnesAbove(mag);
        [min, max] = [-ones - 1n, ones];
      }
    }
  }
  return make(left, right, { kind: "int", min, max });
}

function compare(op: "<" | "<=" | ">" | ">=", l: bigint, r: bigint): boolean {
  return op === "<" ? l < r : op === "<=" ? l <= r : op === ">" ? l > r : l >= r;
}

export type { IrOf };
