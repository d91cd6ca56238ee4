// Evaluation of checked expressions at run time, over plain values: for tools that walk a plan
// instead of running generated code (property-test state builders, the interpreter baseline).
// Integers are evaluated as bigint, so the language's unbounded-integer semantics hold exactly.

import { littleEndianAt, pciCapability } from "../../runtime/pci.js";
import type { CallBuiltin } from "../ir/builtins.js";
import { arith } from "../ir/constants.js";
import type {
  ElementModel,
  FieldModel,
  IrExpr,
  LetModel,
  ParamModel,
  StructArgModel,
  SubsectionModel,
} from "../model.js";

export type Value =
  bigint | boolean | Uint8Array | readonly unknown[] | Record<string, unknown> | undefined;

export interface EvalEnv {
  field(field: FieldModel): unknown;
  param(param: ParamModel): unknown;
  arg(arg: StructArgModel): unknown;
  let(binding: LetModel): unknown;
  element(element: ElementModel): unknown;
  /** The version being read at: the layout's, or that of `subsection` when inside one. */
  version(subsection: SubsectionModel | undefined): number;
  readonly subsection: SubsectionModel | undefined;
}

/**
 * An environment backed by Maps that a plan walker fills as it goes: the values of fields and lets
 * met so far, and the element of the `validate each` loop being checked.
 */
export class Bindings {
  readonly fields = new Map<FieldModel, unknown>();
  readonly lets = new Map<LetModel, unknown>();
  readonly elements = new Map<ElementModel, unknown>();

  constructor(
    private readonly params: Readonly<Record<string, unknown>>,
    private readonly args: ReadonlyMap<StructArgModel, unknown>,
    private readonly versionOf: (subsection: SubsectionModel | undefined) => number,
  ) {}

  env(subsection: SubsectionModel | undefined): EvalEnv {
    return {
      field: (f) => this.fields.get(f),
      param: (p) => this.params[p.name] ?? p.default,
      arg: (a) => this.args.get(a),
      let: (l) => this.lets.get(l),
      element: (e) => this.elements.get(e),
      version: this.versionOf,
      subsection,
    };
  }
}

/** Thrown when an index or offset is out of range: the caller turns it into its own error. */
export class EvaluationError extends Error {}

function big(v: unknown): unknown {
  return typeof v === "number" ? BigInt(v) : v;
}

export function evaluate(e: IrExpr, env: EvalEnv): Value {
  switch (e.kind) {
    case "literal":
      return e.value;
    case "field":
      return big(env.field(e.field)) as Value;
    case "group":
      return undefined;
    case "member": {
      // A dotted path of this layout (`mac_table.in_use`) names a field directly.
      // So does a field merged into another one's value (`channels[0].irq_disabled`).
      if (e.node.kind === "field" && (e.node.field.merge || rootedInGroup(e.object)))
        return big(env.field(e.node.field)) as Value;
      const object = evaluate(e.object, env);
      return object === undefined
        ? undefined
        : (big((object as Record<string, unknown>)[e.node.key]) as Value);
    }
    case "index": {
      const object = evaluate(e.object, env) as ArrayLike<unknown> | undefined;
      const i = Number(evaluate(e.index, env));
      if (object === undefined) return undefined;
      if (!(i >= 0 && i < object.length))
        throw new EvaluationError(`index ${i} is out of range (length ${object.length})`);
      return big(object[i]) as Value;
    }
    case "param":
      return big(env.param(e.param)) as Value;
    case "arg":
      return big(env.arg(e.arg)) as Value;
    case "let":
      return env.let(e.binding) as Value;
    case "element":
      return big(env.element(e.element)) as Value;
    case "version":
      return BigInt(env.version(env.subsection));
    case "call":
      return call(e, env);
    case "unary": {
      const v = evaluate(e.operand, env);
      if (e.op === "!") return !v;
      return e.op === "-" ? -(v as bigint) : ~(v as bigint);
    }
    case "binary":
      return binary(e, env);
    case "conditional":
      return evaluate(e.test, env) ? evaluate(e.then, env) : evaluate(e.else, env);
  }
}

function rootedInGroup(e: IrExpr): boolean {
  if (e.kind === "group") return true;
  return e.kind === "member" && e.node.kind !== "field" && rootedInGroup(e.object);
}

type CallIr = Extract<IrExpr, { kind: "call" }>;

function call(e: CallIr, env: EvalEnv): Value {
  return builtinEvaluators[e.builtin](e, env);
}

/** Each builtin's value. */
const builtinEvaluators: Record<CallBuiltin, (e: CallIr, env: EvalEnv) => Value> = {
  has(e, env) {
    const v = evaluate(e.args[0]!, env) as bigint;
    const bit = evaluate(e.args[1]!, env) as bigint;
    return ((v >> bit) & 1n) === 1n;
  },
  pci_capability: (e, env) =>
    BigInt(
      pciCapability(evaluate(e.args[0]!, env) as Uint8Array, Number(evaluate(e.args[1]!, env))),
    ),
  le16: (e, env) => register(2, e, env),
  le32: (e, env) => register(4, e, env),
};

function register(bytesWide: 2 | 4, e: CallIr, env: EvalEnv): Value {
  const bytes = evaluate(e.args[0]!, env) as Uint8Array;
  const at = Number(evaluate(e.args[1]!, env));
  const v = littleEndianAt(bytes, at, bytesWide);
  if (v === undefined)
    throw new EvaluationError(`offset ${at} is out of range (length ${bytes.length})`);
  return BigInt(v);
}

/** A chain `a + b + …` down its left operands by iteration: the tree is as deep as the chain is long. */
function binary(e: Extract<IrExpr, { kind: "binary" }>, env: EvalEnv): Value {
  const chain: Extract<IrExpr, { kind: "binary" }>[] = [];
  let leftmost: IrExpr = e;
  for (; leftmost.kind === "binary"; leftmost = leftmost.left) chain.push(leftmost);
  let value = evaluate(leftmost, env);
  for (let i = chain.length - 1; i >= 0; i--) value = binaryStep(chain[i]!, value, env);
  return value;
}

/** One operator, its left operand evaluated already; `&&`, `||` and `??` skip their right side. */
function binaryStep(e: Extract<IrExpr, { kind: "binary" }>, left: Value, env: EvalEnv): Value {
  if (e.op === "&&") return Boolean(left) && Boolean(evaluate(e.right, env));
  if (e.op === "||") return Boolean(left) || Boolean(evaluate(e.right, env));
  if (e.op === "??") return left ?? evaluate(e.right, env);
  const l = left as bigint | boolean;
  const r = evaluate(e.right, env) as bigint | boolean;
  switch (e.op) {
    case "==":
      return l === r;
    case "!=":
      return l !== r;
    case "<":
      return l < r;
    case "<=":
      return l <= r;
    case ">":
      return l > r;
    case ">=":
      return l >= r;
  }
  return arith(e.op, l as bigint, r as bigint);
}

/**
 * A `validate` step: whether its condition holds, once or for every element of a `validate each`
 * array. `value` evaluates in the caller's environment, whose `element()` reads `elements`, where
 * the loop binds the current element.
 */
export function validationHolds(
  step: {
    readonly condition: IrExpr;
    readonly each: { readonly array: IrExpr; readonly model: ElementModel } | undefined;
  },
  value: (e: IrExpr) => unknown,
  elements: Map<ElementModel, unknown>,
): boolean {
  if (!step.each) return value(step.condition) === true;
  const items = value(step.each.array) as ArrayLike<unknown>;
  for (let i = 0; i < items.length; i++) {
    elements.set(step.each.model, items[i]);
    if (value(step.condition) !== true) return false;
  }
  return true;
}
