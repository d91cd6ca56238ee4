// Expression emission: a checked expression → TypeScript source. Integers are `number` while their
// range is safe and `bigint` otherwise (64-bit fields are always `bigint`); the language's semantics
// (unbounded integers, division toward zero) hold in both.

import type { RuntimeSymbols } from "./symbols.js";
import { ioCall } from "./calls.js";
import type { ExprType, FieldType, IrExpr, SubsectionModel } from "../model.js";
import type { CallBuiltin } from "../ir/builtins.js";
import type { Locals, SchemaPlan } from "../plan/plan.js";
import { Diagnostics, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { subexpressions } from "../ir/walk.js";
import { SAFE_MAX, SAFE_MIN } from "../ir/scalars.js";
import { scalarTsType } from "./types.js";

export type Rep = "number" | "bigint" | "boolean" | "object";

export interface Emitted {
  readonly code: string;
  readonly rep: Rep;
}

export interface ExprEnv {
  readonly locals: Locals;
  /** The local holding the version being read at, outside subsections. */
  readonly versionLocal: string;
  readonly subsection: SubsectionModel | undefined;
  /** `r` in a loader, `w` in a saver: the object whose `at()` checks an index. */
  readonly io: "r" | "w";
  /** Path used in index-range errors. */
  readonly path: string;
  /** The module constant of each schema constant and feature set (plan.constants). */
  readonly constants: ReadonlyMap<string, string>;
  /** Where the runtime names this code prints are recorded (the module imports those). */
  readonly runtime: RuntimeSymbols;
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const UINT32_MAX = 2n ** 32n - 1n;

function within(t: ExprType, min: bigint, max: bigint): boolean {
  return t.kind === "int" && t.min >= min && t.max <= max;
}

function safe(t: ExprType): boolean {
  return within(t, SAFE_MIN, SAFE_MAX);
}

/** The representation of a value read from a field of this type. */
export function repOfField(type: FieldType): Rep {
  return type.kind === "int" || type.kind === "bool" ? scalarTsType(type) : "object";
}

/** `code` converted from representation `from` to `to`. */
export function convert(e: Emitted, to: Rep): string {
  if (e.rep === to) return e.code;
  if (to === "bigint") return /^-?\d+$/.test(e.code) ? `${e.code}n` : `BigInt(${e.code})`;
  if (to === "number") return /^-?\d+n$/.test(e.code) ? e.code.slice(0, -1) : `Number(${e.code})`;
  return e.code;
}

/** A value written in representation `rep`: `64n` where it is a bigint, `64` or `true` otherwise. */
export function valueLiteral(value: bigint | boolean, rep: Rep): string {
  return typeof value === "bigint" && rep === "bigint" ? `${value}n` : String(value);
}

/** How a module constant or a descriptor carries a value: a number where it is exact as one. */
export function constantRep(value: bigint | boolean): "boolean" | "number" | "bigint" {
  if (typeof value === "boolean") return "boolean";
  return value < SAFE_MIN || value > SAFE_MAX ? "bigint" : "number";
}

/** A constant as data carries it: `7`, `true`, or `18446744073709551615n` beyond a number. */
export function constantLiteral(value: bigint | boolean): string {
  return valueLiteral(value, constantRep(value));
}

export function emitExpr(e: IrExpr, env: ExprEnv): Emitted {
  switch (e.kind) {
    case "literal": {
      if (typeof e.value === "boolean")
        return { code: constantCode(e.constName, env) ?? String(e.value), rep: "boolean" };
      const rep: Rep = safe(e.type) ? "number" : "bigint";
      // A named constant reads as its name; the module constant has this representation too.
      const named = rep === "number" ? constantCode(e.constName, env) : undefined;
      return { code: named ?? valueLiteral(e.value, rep), rep };
    }
    case "field": {
      const local = env.locals.fields.get(e.field);
      if (local === undefined) throw new Error(`no local for field ${e.field.path.join(".")}`);
      return { code: local, rep: repOfField(e.field.type) };
    }
    case "group":
      // A group or subsection of this layout is only a prefix of a path: its fields have locals.
      return { code: "", rep: "object" };
    case "member": {
      const node = e.node;
      if (node.kind === "field") {
        const local = env.locals.fields.get(node.field);
        if (local !== undefined) return { code: local, rep: repOfField(node.field.type) };
        const object = emitExpr(e.object, env);
        return {
          code: `${object.code}${e.object.optional ? "?." : "."}${node.key}`,
          rep: repOfField(node.field.type),
        };
      }
      const object = emitExpr(e.object, env);
      if (object.code === "") return object;
      return { code: `${object.code}${e.object.optional ? "?." : "."}${node.key}`, rep: "object" };
    }
    case "index": {
      const object = emitExpr(e.object, env);
      const index = emitExpr(e.index, env);
      const rep: Rep =
        e.type.kind === "bool"
          ? "boolean"
          : e.type.kind === "int"
            ? safe(e.type) && !isWide(e.object)
              ? "number"
              : "bigint"
            : "object";
      const length = constantLength(e.object);
      const i =
        e.index.kind === "literal" && typeof e.index.value === "bigint" ? e.index.value : undefined;
      if (i !== undefined && length !== undefined && i >= 0n && i < length && !e.object.optional) {
        return { code: `${object.code}[${i}]!`, rep };
      }
      return {
        code: ioCall(env.io, "at", object.code, index.code, JSON.stringify(env.path)),
        rep,
      };
    }
    case "param": {
      const local = env.locals.params.get(e.param)!;
      return {
        code: local,
        rep: scalarTsType(e.param.type),
      };
    }
    case "arg": {
      const local = env.locals.args.get(e.arg)!;
      return {
        code: local,
        rep: scalarTsType(e.arg.type),
      };
    }
    case "let":
      return { code: env.locals.lets.get(e.binding)!, rep: repOfValue(e.binding.value, env) };
    case "element":
      return {
        code: env.locals.elements.get(e.element)!,
        rep: e.type.kind === "bool" ? "boolean" : safe(e.type) ? "number" : "bigint",
      };
    case "version":
      return {
        code: env.subsection
          ? env.locals.subsectionVersions.get(env.subsection)!
          : env.versionLocal,
        rep: "number",
      };
    case "call":
      return emitCall(e, env);
    case "unary":
      return emitUnary(e, env);
    case "binary":
      return emitBinary(e, env);
    case "conditional": {
      const test = emitExpr(e.test, env);
      const a = emitExpr(e.then, env);
      const b = emitExpr(e.else, env);
      const rep = joinRep(a.rep, b.rep, e.type);
      const then = widenNarrowed(test.code, convert(a, rep));
      const otherwise = widenNarrowed(test.code, convert(b, rep));
      return { code: `(${test.code} ? ${then} : ${otherwise})`, rep };
    }
  }
}

/**
 * A schema constant (`ETH_ALEN`) or feature bit (`VirtioNetF.MQ`) as the generated module names
 * it, or undefined for a literal that has no name.
 */
export function constantCode(constName: string | undefined, env: ExprEnv): string | undefined {
  if (constName === undefined) return undefined;
  const [set, member] = constName.split(".");
  const identifier = env.constants.get(set!);
  if (identifier === undefined) return undefined;
  return member === undefined ? identifier : `${identifier}.${member}`;
}

function repOfValue(e: IrExpr, env: ExprEnv): Rep {
  return emitExpr(e, env).rep;
}

/** Whether an indexed object holds 64-bit elements. */
function isWide(object: IrExpr): boolean {
  return (
    object.type.kind === "array" &&
    object.type.element.kind === "int" &&
    scalarTsType(object.type.element) === "bigint"
  );
}

function constantLength(object: IrExpr): bigint | undefined {
  const field =
    object.kind === "field"
      ? object.field
      : object.kind === "member" && object.node.kind === "field"
        ? object.node.field
        : undefined;
  const t = field?.type;
  return t && (t.kind === "bytes" || t.kind === "array") ? t.count.constant : undefined;
}

function joinRep(a: Rep, b: Rep, type: ExprType): Rep {
  if (type.kind === "bool") return "boolean";
  return a === "bigint" || b === "bigint" || !safe(type) ? "bigint" : "number";
}

type CallIr = Extract<IrExpr, { kind: "call" }>;

function emitCall(e: CallIr, env: ExprEnv): Emitted {
  return builtinEmitters[e.builtin](e, env);
}

/** Each builtin's code. */
const builtinEmitters: Record<CallBuiltin, (e: CallIr, env: ExprEnv) => Emitted> = {
  has(e, env) {
    const value = emitExpr(e.args[0]!, env);
    const bitArg = e.args[1] as Extract<IrExpr, { kind: "literal" }>;
    const bit = bitArg.value as bigint;
    const named = constantCode(bitArg.constName, env);
    // `&` on numbers sees 32 bits: exact for bits 0 to 31 of a value within int32 or uint32.
    if (value.rep === "bigint" || !within(e.args[0]!.type, INT32_MIN, UINT32_MAX) || bit > 31n) {
      const mask = named ? `(1n << BigInt(${named}))` : `0x${(1n << bit).toString(16)}n`;
      return { code: `((${convert(value, "bigint")} & ${mask}) !== 0n)`, rep: "boolean" };
    }
    // `1 << 31` is negative, and `&` with it still tests bit 31.
    const mask = named ? `(1 << ${named})` : `0x${(1n << bit).toString(16)}`;
    return { code: `((${value.code} & ${mask}) !== 0)`, rep: "boolean" };
  },
  pci_capability(e, env) {
    const config = emitExpr(e.args[0]!, env);
    return {
      code: `${env.runtime.value("pciCapability")}(${config.code}, ${emitExpr(e.args[1]!, env).code})`,
      rep: "number",
    };
  },
  le16: (e, env) => emitRegister("le16At", e, env),
  le32: (e, env) => emitRegister("le32At", e, env),
};

function emitRegister(method: "le16At" | "le32At", e: CallIr, env: ExprEnv): Emitted {
  const bytes = emitExpr(e.args[0]!, env);
  const offset = convert(emitExpr(e.args[1]!, env), "number");
  return {
    code: `${env.io}.${method}(${bytes.code}, ${offset}, ${JSON.stringify(env.path)})`,
    rep: "number",
  };
}

function emitUnary(e: Extract<IrExpr, { kind: "unary" }>, env: ExprEnv): Emitted {
  const operand = emitExpr(e.operand, env);
  if (e.op === "!") return { code: `!${paren(operand.code)}`, rep: "boolean" };
  const rep = operand.rep === "bigint" || !safe(e.type) ? "bigint" : "number";
  const x = convert(operand, rep);
  if (e.op === "-") return { code: `-${paren(x)}`, rep };
  // ~x is -x-1 on unbounded integers; JavaScript's ~ on numbers is exact only within int32.
  if (rep === "bigint" || within(e.operand.type, INT32_MIN, INT32_MAX))
    return { code: `~${paren(x)}`, rep };
  return { code: `(-${paren(x)} - 1)`, rep };
}

function emitBinary(e: Extract<IrExpr, { kind: "binary" }>, env: ExprEnv): Emitted {
  const left = emitExpr(e.left, env);
  const right = emitExpr(e.right, env);
  const op = e.op;
  if (op === "&&" || op === "||")
    return { code: `(${left.code} ${op} ${widenNarrowed(left.code, right.code)})`, rep: "boolean" };
  if (op === "??") {
    const rep = joinRep(left.rep, right.rep, e.type);
    if (left.rep === rep) return { code: `(${left.code} ?? ${convert(right, rep)})`, rep };
    // A conversion (`BigInt(x)`) must not see the absent value; the left side has no effects.
    return {
      code: `(${left.code} === undefined ? ${convert(right, rep)} : ${convert(left, rep)})`,
      rep,
    };
  }
  if (op === "==" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=") {
    const rep = left.rep === "bigint" || right.rep === "bigint" ? "bigint" : left.rep;
    const jsOp = op === "==" ? "===" : op === "!=" ? "!==" : op;
    return { code: `(${convert(left, rep)} ${jsOp} ${convert(right, rep)})`, rep: "boolean" };
  }
  const lt = e.left.type;
  const rt = e.right.type;
  const rep: Rep =
    left.rep === "bigint" || right.rep === "bigint" || !safe(e.type) ? "bigint" : "number";
  const a = convert(left, rep);
  const b = convert(right, rep);
  if (rep === "bigint") return { code: `(${a} ${op} ${b})`, rep };
  const k = e.right.kind === "literal" ? (e.right.value as bigint) : undefined;
  switch (op) {
    case "+":
    case "-":
    case "*":
    case "%":
      return { code: `(${a} ${op} ${b})`, rep };
    case "/":
      return { code: `Math.trunc(${a} / ${b})`, rep };
    case "<<":
      if (within(lt, INT32_MIN, INT32_MAX) && within(e.type, INT32_MIN, INT32_MAX))
        return { code: `(${a} << ${b})`, rep };
      return { code: `(${a} * ${2n ** k!})`, rep };
    case ">>":
      // JavaScript takes shift counts modulo 32; from 31 on, an int32 shifts to its sign (0 or -1).
      if (within(lt, INT32_MIN, INT32_MAX))
        return { code: `(${a} >> ${k! >= 31n ? "31" : b})`, rep };
      if (within(lt, 0n, UINT32_MAX) && k! < 32n) return { code: `(${a} >>> ${b})`, rep };
      return { code: `Math.floor(${a} / ${2n ** k!})`, rep };
    default: {
      // & | ^: JavaScript works on int32; exact when both sides fit int32, or both fit uint32 and
      // the result is read back unsigned. Otherwise compute in bigint.
      if (within(lt, INT32_MIN, INT32_MAX) && within(rt, INT32_MIN, INT32_MAX))
        return { code: `(${a} ${op} ${b})`, rep };
      if (within(lt, 0n, UINT32_MAX) && within(rt, 0n, UINT32_MAX))
        return { code: `((${a} ${op} ${b}) >>> 0)`, rep };
      return { code: `Number(${convert(left, "bigint")} ${op} ${convert(right, "bigint")})`, rep };
    }
  }
}

function paren(code: string): string {
  return /^[\w.$]+$/.test(code) || (code.startsWith("(") && code.endsWith(")"))
    ? code
    : `(${code})`;
}

/**
 * The most operators one expression may have for `gen`: the code emitted for it nests one level
 * per operator, and the TypeScript compiler and prettier, which gen runs on the code, recurse on
 * that nesting (a chain of 450 `+` overflows their stack; the CPU's avx512 `needed` has 399 operators). The checker and compat take any length.
 */
export const MAX_GENERATED_OPERATORS = 400;

/** VMS8006 for each expression of the plan with more operators than gen can compile. */
export function tooLongToGenerate(plan: SchemaPlan): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const fn of plan.functions)
    for (const site of fn.layout.sites) {
      const at = `${site.expr.span.start}:${site.expr.span.end}`;
      if (seen.has(at)) continue;
      seen.add(at);
      let operators = 0;
      for (const x of subexpressions(site.expr))
        if (x.kind === "binary" || x.kind === "unary" || x.kind === "conditional") operators++;
      if (operators > MAX_GENERATED_OPERATORS)
        out.push(
          Diagnostics.ExpressionTooLong(operators, MAX_GENERATED_OPERATORS).at(site.expr.span),
        );
    }
  return out;
}

/**
 * TypeScript narrows a local compared with a literal: after `a === 1 &&` (or in the branches of
 * `a === 1 ? … : …`) it takes `a` for `1`, and refuses a second comparison `a === 0` as one that
 * cannot hold (TS2367), although the schema may well write it (`v == 1 && v == 0` is false, not an
 * error). Such a second comparison of a local the first one narrowed reads it widened again
 * (`(a as number) === 0`); every other comparison is emitted as it is.
 */
function widenNarrowed(narrowing: string, code: string): string {
  const narrowed = new Set<string>();
  for (const m of narrowing.matchAll(/\(([A-Za-z_$][\w$]*) [!=]== -?\d+n?\)/g)) narrowed.add(m[1]!);
  if (narrowed.size === 0) return code;
  return code.replace(
    /\(([A-Za-z_$][\w$]*) ([!=]==) (-?\d+)(n?)\)/g,
    (whole, name: string, op: string, digits: string, big: string) =>
      narrowed.has(name)
        ? `((${name} as ${big ? "bigint" : "number"}) ${op} ${digits}${big})`
        : whole,
  );
}
