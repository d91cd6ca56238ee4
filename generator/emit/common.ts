// Helpers shared by the load and save emitters.

import type { RuntimeSymbols } from "./symbols.js";
import { ioCall } from "./calls.js";
import type {
  FieldModel,
  FieldType,
  IrExpr,
  LayoutModel,
  MemberModel,
  ParamModel,
  SubsectionModel,
} from "../model.js";
import type { CountPlan, FunctionPlan, Step, SubsectionArm, ValuePlan } from "../plan/plan.js";
import type { ScalarMethod } from "../../runtime/wire.js";
import { scalarName, scalarSize } from "../ir/scalars.js";
import { anySubexpression, subexpressions } from "../ir/walk.js";
import { constantCode, convert, emitExpr, valueLiteral, type ExprEnv } from "./expressions.js";
import { scalarTsType } from "./types.js";
import { lineComments } from "./docs.js";

/** Reader and Writer method of a scalar: `u32`, `i16le`, `bool` … */
export function wireMethod(value: ValuePlan & { kind: "scalar" }): ScalarMethod {
  return scalarName(value.type);
}

/** `const local = p.name;`, with the parameter's default when it has one (both sides read params so). */
export function paramLocal(param: ParamModel, local: string): string {
  const fallback =
    param.default === undefined
      ? ""
      : ` ?? ${valueLiteral(param.default, scalarTsType(param.type))}`;
  return `const ${local} = p.${param.name}${fallback};`;
}

export function str(s: string): string {
  return JSON.stringify(s);
}

/** The element count or length as a number: a literal, or the stream value checked against its bound. */
export function countCode(count: CountPlan, env: ExprEnv, io: "r" | "w", path: string): string {
  if (count.constant !== undefined)
    return (
      (count.expr.kind === "literal" ? constantCode(count.expr.constName, env) : undefined) ??
      String(count.constant)
    );
  const value = emitExpr(count.expr, env);
  return ioCall(io, "count", value.code, String(count.max), str(path));
}

export function boolCode(e: IrExpr, env: ExprEnv): string {
  return emitExpr(e, env).code;
}

/** `expected` converted to the representation of a field of type `value`. */
export function equalsCode(e: IrExpr, env: ExprEnv, value: ValuePlan & { kind: "scalar" }): string {
  return convert(emitExpr(e, env), scalarTsType(value.type));
}

export function exprEnv(
  fn: FunctionPlan,
  subsection: SubsectionModel | undefined,
  io: "r" | "w",
  path: string,
  runtime: RuntimeSymbols,
): ExprEnv {
  return {
    runtime,
    locals: fn.locals,
    versionLocal: fn.versionLocal,
    subsection,
    io,
    path,
    constants: fn.constants,
  };
}

/**
 * The end of the try block around an array's loop: the element's error gets its index, and, for
 * an element that is a struct (whose error names a path below the element), the array's path.
 */
export function elementCatch(
  runtime: RuntimeSymbols,
  index: string,
  structPath: string | undefined,
): string {
  const inner =
    structPath === undefined ? "e" : `${runtime.value("atPath")}(e, ${str(structPath)})`;
  return `} catch (e) { throw ${runtime.value("atIndex")}(${inner}, ${index}); }`;
}

/** One statement whose error gets `path` in front (a hand-written codec's or a struct's call). */
export function withPath(runtime: RuntimeSymbols, statement: string, path: string): string {
  return `try { ${statement} } catch (e) { throw ${runtime.value("atPath")}(e, ${str(path)}); }`;
}

/** The lines of an `unused` step, the same on both sides but for `r` and `w`. */
export function unusedLines(
  step: Step & { kind: "unused" },
  fn: FunctionPlan,
  env: ExprEnv,
): string[] {
  const { io, path } = env;
  const skip = `${ioCall(io, "skip", countCode(step.count, env, io, path), str(path))};`;
  return [
    ...lineComments(fn.docs.get(step.span.line)),
    step.condition ? `if (${boolCode(step.condition, env)}) ${skip}` : skip,
  ];
}

/** The lines of a `let` step: its local, typed by its representation (a literal's own type would make comparisons errors). */
export function letLines(step: Step & { kind: "let" }, fn: FunctionPlan, env: ExprEnv): string[] {
  const value = emitExpr(step.binding.value, env);
  return [
    ...lineComments(fn.docs.get(step.binding.span.line)),
    `const ${step.local}: ${value.rep} = ${value.code};`,
  ];
}

/** Size of one element of bytes or of an array of scalars, or undefined. */
export function elementSize(type: FieldType): number | undefined {
  if (type.kind === "bytes") return 1;
  if (type.kind !== "array") return undefined;
  const e = type.element;
  return e.kind === "bool" || e.kind === "int" ? scalarSize(e) : undefined;
}

/**
 * The lines of a `validate` step, for the reader (`r`) or the writer (`w`); `offset` is the extra
 * argument of the reader's check (`name$at`), undefined for the writer. `validate each` checks every
 * element, and its error names the element: "table[17]".
 */
export function validationLines(
  step: Step & { kind: "validate" },
  env: ExprEnv,
  io: "r" | "w",
  path: string,
  offset: string | undefined,
): string[] {
  const check = (at: string): string =>
    `${ioCall(io, "check", boolCode(step.condition, env), str(step.message), str(at), ...(offset === undefined ? [] : [offset]))};`;
  if (!step.each) return [check(path)];
  const { index, element } = step.each;
  const array = emitExpr(step.each.array, env).code;
  return [
    `let ${index} = 0;`,
    `try {`,
    `for (; ${index} < ${array}.length; ${index}++) {`,
    `const ${element} = ${array}[${index}]!;`,
    check(`${path}[]`),
    "}",
    elementCatch(env.runtime, index, undefined),
  ];
}

/**
 * The path a field's errors name, the same in both functions: a field merged into a field of the
 * layout's own fields is named where it lives (`parent_obj.queue.cwptr`), not under its subsection.
 */
export function fieldPath(step: Step & { kind: "field" }, prefix: string): string {
  const merge = step.field.merge;
  if (merge && merge.anchor.subsection === undefined) return step.path.join(".");
  return joinPath(prefix, step.path.join("."));
}

/** `[0]!.queue`: the route from a merge's anchor to the object that gets the merged key. */
export function routeCode(route: readonly (number | string)[]): string {
  return route.map((r) => (typeof r === "number" ? `[${r}]!` : `.${r}`)).join("");
}

/**
 * Where the first copy of an `again` value starts: the field its path begins with, and the byte
 * offset of the copy from that field's start, when the schema fixes it (constant indexes into
 * elements of a fixed size, members after fields of fixed sizes).
 */
export function firstCopy(e: IrExpr): { root: FieldModel; offset: number } | undefined {
  const chain: IrExpr[] = [];
  let root: IrExpr = e;
  while (root.kind === "member" || root.kind === "index") {
    chain.unshift(root);
    root = root.object;
  }
  if (root.kind !== "field") return undefined;
  let offset = 0n;
  let type: FieldType | undefined = root.field.type;
  let layout: LayoutModel | undefined;
  for (const link of chain) {
    if (link.kind === "index") {
      const i = link.index.kind === "literal" ? link.index.value : undefined;
      if (typeof i !== "bigint" || type?.kind !== "array") return undefined;
      const size = fixedSize(type.element);
      if (size === undefined) return undefined;
      offset += i * size;
      type = type.element;
      layout = undefined;
      continue;
    }
    if (link.kind !== "member") return undefined;
    if (type?.kind === "struct") layout = type.struct;
    if (!layout) return undefined;
    if (link.node.kind === "group") {
      type = undefined;
      continue;
    }
    if (link.node.kind !== "field") return undefined;
    const before = membersBefore(layout.members, link.node.field);
    if (before === undefined) return undefined;
    offset += before;
    type = link.node.field.type;
  }
  return { root: root.field, offset: Number(offset) };
}

/** Bytes of the members before `field` when each has a fixed size and is always there. */
function membersBefore(members: readonly MemberModel[], field: FieldModel): bigint | undefined {
  let total = 0n;
  for (const m of members) {
    if (m === field) return total;
    if (m.kind === "let" || m.kind === "validate") continue;
    if (m.kind === "subsection") return undefined;
    if (m.guard !== undefined) return undefined;
    const size = m.kind === "unused" ? m.count.constant : fixedSize(m.type);
    if (size === undefined) return undefined;
    total += size;
  }
  return undefined;
}

/** The bytes a value of this type always takes, if fixed. */
function fixedSize(type: FieldType): bigint | undefined {
  switch (type.kind) {
    case "int":
    case "bool":
      return BigInt(scalarSize(type));
    case "bytes":
    case "text":
      return type.count.constant;
    case "array": {
      const each = fixedSize(type.element);
      return each === undefined || type.count.constant === undefined
        ? undefined
        : each * type.count.constant;
    }
    case "struct": {
      let total = 0n;
      for (const m of type.struct.members) {
        if (m.kind === "let" || m.kind === "validate") continue;
        if (m.kind === "subsection" || m.guard !== undefined) return undefined;
        const size = m.kind === "unused" ? m.count.constant : fixedSize(m.type);
        if (size === undefined) return undefined;
        total += size;
      }
      return total;
    }
    case "custom":
      return undefined;
  }
}

export function joinPath(prefix: string, path: string): string {
  if (prefix === "") return path;
  if (path === "") return prefix;
  return `${prefix}.${path}`;
}

function readsVersionIn(e: IrExpr | undefined): boolean {
  return e !== undefined && anySubexpression(e, (x) => x.kind === "version");
}

/**
 * Whether an expression of the layout outside its subsections reads the layout's version
 * (`stream_version()` or a version gate); inside a subsection they read the subsection's.
 */
export function readsVersion(fn: FunctionPlan): boolean {
  const own = fn.steps.some(
    (s) => (s.kind === "field" || s.kind === "unused") && readsVersionIn(s.condition),
  );
  return own || fn.layout.sites.some((s) => s.subsection === undefined && readsVersionIn(s.expr));
}

/** Whether an expression of the subsection itself (not of one nested in it) reads its version. */
export function subsectionReadsVersion(fn: FunctionPlan, arm: SubsectionArm): boolean {
  const own = arm.steps.some(
    (s) => (s.kind === "field" || s.kind === "unused") && readsVersionIn(s.condition),
  );
  return (
    own || fn.layout.sites.some((s) => s.subsection === arm.subsection && readsVersionIn(s.expr))
  );
}

/**
 * The parameters a function binds: all that its expressions read for the writer; for the reader,
 * not those only a subsection's `needed` reads (the reader never evaluates it).
 */
export function boundParams(fn: FunctionPlan, side: "save" | "load"): [ParamModel, string][] {
  const all = [...fn.locals.params];
  if (side === "save") return all;
  const read = new Set<ParamModel>();
  for (const site of fn.layout.sites)
    if (!site.writerOnly)
      for (const e of subexpressions(site.expr)) if (e.kind === "param") read.add(e.param);
  return all.filter(([param]) => read.has(param));
}
