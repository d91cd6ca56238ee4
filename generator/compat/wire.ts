// The wire view of one version of a section at one stream version: its wire plan flattened into
// levels of items (structs inlined, since structs are compared by content, not by name), version
// gates decided, and every condition, count and check as a canonical expression.

import type { Span } from "../../diagnostics/span.js";
import { constantOf } from "../ir/constants.js";
import { anySubexpression, pathTarget, subexpressions } from "../ir/walk.js";
import type {
  ElementModel,
  FieldModel,
  IrExpr,
  LetModel,
  MemberModel,
  ParamModel,
  ScalarType,
  SubsectionModel,
  StructArgModel,
} from "../model.js";
import type { CountPlan, FunctionPlan, Step, ValuePlan } from "../plan/plan.js";
import { and, lit, op, TRUE, type Canon, type Side } from "./canon.js";

/** A sequence of items read one after the other: a section body, an array element, a subsection. */
export interface Level {
  readonly items: Item[];
  readonly validations: Validation[];
  /** The construct the level belongs to, for "in the other version" notes. */
  readonly span: Span;
}

export interface Validation {
  readonly condition: Canon;
  readonly message: string;
  readonly span: Span;
}

export interface WireCount {
  readonly canon: Canon;
  /** The largest count the writer sends: the constant, or the bound limited by the value's range. */
  readonly writes: bigint;
  /** The largest count the reader accepts. */
  readonly accepts: bigint;
  readonly span: Span;
  readonly maxSpan: Span | undefined;
}

interface ItemBase {
  readonly id: number;
  readonly side: Side;
  /** The name the alignment matches, relative to the level ("" for an array's element). */
  readonly key: string;
  /** The names it had before (`was`), as keys: the alignment matches them with the old version's. */
  readonly formerKeys: readonly string[];
  /** The name in messages, from the section. */
  readonly name: string;
  readonly span: Span;
  /** Whether the item is on the wire at this version: its guards and version gates. */
  readonly present: Canon;
  /** The guards alone (the item's and those of the structs around it). */
  readonly guard: Canon;
  readonly guardSpans: readonly Span[];
  /** Whether its version gates (and those of the structs around it) hold at this version. */
  readonly gateOn: boolean;
  readonly since: bigint | undefined;
}

export type Item =
  | (ItemBase & {
      readonly kind: "scalar";
      readonly type: ScalarType;
      readonly equals: Canon | undefined;
      readonly equalsSpan: Span | undefined;
    })
  /** `bytes[n]` is an array of u8: the same bytes on the wire. */
  | (ItemBase & { readonly kind: "array"; readonly count: WireCount; readonly element: Level })
  | (ItemBase & { readonly kind: "unused"; readonly count: WireCount })
  /** A hand-written codec: compared by module, name and arguments, since its bytes are opaque here. */
  | (ItemBase & {
      readonly kind: "custom";
      readonly codec: string;
      readonly module: string;
      readonly args: readonly Canon[];
      readonly argSpans: readonly Span[];
    })
  | (ItemBase & {
      readonly kind: "subsections";
      readonly owner: string;
      readonly ownerSpan: Span;
      readonly arms: readonly Arm[];
    });

export interface Arm {
  readonly qemuName: string;
  readonly span: Span;
  readonly version: number;
  readonly minimum: number;
  /** `needed` as the writer evaluates it, or undefined: sent whenever the state has it. */
  readonly needed: Canon | undefined;
  readonly neededSpan: Span | undefined;
  readonly gates: readonly bigint[];
  /** Its fields as read at a subsection version. */
  at(version: number): Level;
}

/** How a parameter reads in this comparison (shared, or at its default when one side lacks it). */
export type ParamCanon = (param: ParamModel) => Canon;

interface Instance {
  readonly fields: Map<FieldModel, number>;
  readonly structs: Map<FieldModel, Instance>;
  /** The element instance of an array of structs. */
  readonly elements: Map<FieldModel, Instance>;
  readonly lets: Map<LetModel, Canon>;
  readonly args: Map<StructArgModel, Canon>;
}

interface Scope {
  readonly inst: Instance;
  /** The struct, section or subsection whose members these are (it owns their subsections). */
  readonly owner: Span;
  /** What `stream_version()` and version gates see here. */
  readonly version: number;
  readonly struct: boolean;
}

interface Outer {
  readonly guard: Canon;
  readonly guardSpans: readonly Span[];
  readonly gateOn: boolean;
  readonly since: bigint | undefined;
  readonly key: string;
  /** Other keys of the same place: the `was` names of the field and of the struct fields around it. */
  readonly formerKeys: readonly string[];
  readonly name: string;
}

export class Flattener {
  private nextId = 1;
  /** The element of each `validate each` loop: "every element of" its array. */
  private readonly loopElements = new Map<ElementModel, Canon>();
  /** The instance of each struct element level, so a later `vq[i].x` can find `x`. */
  private readonly elementInstances = new WeakMap<Level, Instance>();
  /** Expressions compat cannot see through are each unlike any other. */
  private opaqueCount = 0;

  constructor(
    readonly side: Side,
    private readonly param: ParamCanon,
  ) {}

  /** A section's body as read at stream version `version`. */
  section(fn: FunctionPlan, version: number): Level {
    const scope: Scope = { inst: newInstance(), owner: fn.layout.nameSpan, version, struct: false };
    const level: Level = { items: [], validations: [], span: fn.layout.nameSpan };
    this.steps(fn.steps, scope, level, {
      guard: TRUE,
      guardSpans: [],
      gateOn: true,
      since: undefined,
      key: "",
      formerKeys: [],
      name: "",
    });
    return level;
  }

  private steps(steps: readonly Step[], scope: Scope, level: Level, outer: Outer): void {
    for (const step of steps) {
      switch (step.kind) {
        case "field":
          this.field(step, scope, level, outer);
          break;
        case "unused": {
          // The plan joins the padding's gate and guard; at a known version the gate folds away.
          const guard = and(outer.guard, step.condition ? this.canon(step.condition, scope) : TRUE);
          level.items.push({
            ...this.base("", `${outer.name}unused`, step.span, { ...outer, formerKeys: [] }),
            present: outer.gateOn ? guard : lit(false),
            guard,
            guardSpans: step.condition
              ? [...outer.guardSpans, step.condition.span]
              : outer.guardSpans,
            kind: "unused",
            count: this.count(step.count, scope),
          });
          break;
        }
        case "let":
          scope.inst.lets.set(step.binding, this.canon(step.binding.value, scope));
          break;
        case "validate": {
          if (step.each)
            this.loopElements.set(
              step.each.model,
              op("each", [this.canon(step.each.array, scope)]),
            );
          // A check inside a guarded struct runs only when the struct is on the wire.
          const condition = op("||", [op("!", [outer.guard]), this.canon(step.condition, scope)]);
          if (outer.gateOn)
            level.validations.push({ condition, message: step.message, span: step.span });
          break;
        }
        case "subsections": {
          const arms = step.arms.map((arm): Arm => {
            const sub = arm.subsection;
            return {
              qemuName: sub.qemuName,
              span: sub.qemuNameSpan,
              version: sub.version,
              minimum: sub.minimum,
              needed: sub.needed && this.canonNeeded(sub.needed, scope, sub),
              neededSpan: sub.needed?.span,
              gates: gatesOf(sub.members),
              at: (version) => {
                const inner: Scope = {
                  inst: scope.inst,
                  owner: sub.qemuNameSpan,
                  version,
                  struct: scope.struct,
                };
                const body: Level = { items: [], validations: [], span: sub.qemuNameSpan };
                this.steps(arm.steps, inner, body, {
                  guard: TRUE,
                  guardSpans: [],
                  gateOn: true,
                  since: undefined,
                  key: "",
                  formerKeys: [],
                  name: `${outer.name}${sub.name}.`,
                });
                return body;
              },
            };
          });
          level.items.push({
            ...this.base(
              `§${step.owner}`,
              `${outer.name}subsections of "${step.owner}"`,
              step.arms[0]!.subsection.span,
              { ...outer, formerKeys: [] },
            ),
            kind: "subsections",
            owner: step.owner,
            ownerSpan: scope.owner,
            arms,
          });
          break;
        }
      }
    }
  }

  private field(step: Step & { kind: "field" }, scope: Scope, level: Level, outer: Outer): void {
    const f = step.field;
    const gate = f.since && constantOf(f.since);
    const since = typeof gate === "bigint" ? gate : undefined;
    // The plan drops gates inside structs (their version is fixed) and at or below the minimum.
    const gateOn =
      outer.gateOn && (scope.struct || since === undefined || BigInt(scope.version) >= since);
    const guard = f.guard ? and(outer.guard, this.canon(f.guard, scope)) : outer.guard;
    // Every combination of the names of the place and of the field, now and before; the first is now.
    const names = [f.path.join("."), ...f.formerPaths.map((p) => p.join("."))];
    const keys = [outer.key, ...outer.formerKeys].flatMap((prefix) =>
      names.map((n) => `${prefix}${n}`),
    );
    const here: Outer = {
      guard,
      guardSpans: f.guard ? [...outer.guardSpans, f.guard.span] : outer.guardSpans,
      gateOn,
      since: since ?? outer.since,
      key: keys[0]!,
      formerKeys: keys.slice(1),
      name: `${outer.name}${f.path.join(".")}`,
    };
    const value = step.value;
    if (value.kind === "struct") {
      const inst = this.instance(value, scope);
      scope.inst.structs.set(f, inst);
      const inner: Scope = {
        inst,
        owner: value.callee.layout.nameSpan,
        version: value.callee.layout.version,
        struct: true,
      };
      this.steps(value.callee.steps, inner, level, {
        ...here,
        key: `${here.key}.`,
        formerKeys: here.formerKeys.map((k) => `${k}.`),
        name: `${here.name}.`,
      });
      return;
    }
    const item = this.value(value, scope, here, f.span, step.equals);
    scope.inst.fields.set(f, item.id);
    if (value.kind === "array" && value.element.kind === "struct") {
      const element = (item as Item & { kind: "array" }).element;
      scope.inst.elements.set(f, this.elementInstances.get(element)!);
    }
    level.items.push(item);
  }

  private value(
    plan: ValuePlan,
    scope: Scope,
    at: Outer,
    span: Span,
    equals: IrExpr | undefined,
  ): Item {
    const base = this.base(at.key, at.name, span, at);
    switch (plan.kind) {
      case "scalar":
        return {
          ...base,
          kind: "scalar",
          type: plan.type,
          equals: equals && this.canon(equals, scope),
          equalsSpan: equals?.span,
        };
      case "bytes":
      case "text":
        // The same bytes on the wire: a text field may replace a bytes field of the same length.
        return {
          ...base,
          kind: "array",
          count: this.count(plan.count, scope),
          element: this.element({ kind: "scalar", type: U8 }, scope, at, span),
        };
      case "array":
        return {
          ...base,
          kind: "array",
          count: this.count(plan.count, scope),
          element: this.element(plan.element, scope, at, span),
        };
      case "custom": {
        const args = plan.args.map((a) => this.canon(a, scope));
        return {
          ...base,
          kind: "custom",
          codec: plan.codec.name,
          module: plan.codec.module,
          args,
          argSpans: plan.args.map((a) => a.span),
        };
      }
      case "struct":
        throw new Error("structs are inlined by field()");
    }
  }

  /** The level of one array element; a struct element gets an instance of its own. */
  private element(plan: ValuePlan, scope: Scope, at: Outer, span: Span): Level {
    const level: Level = { items: [], validations: [], span };
    const inner: Outer = {
      guard: TRUE,
      guardSpans: [],
      gateOn: true,
      since: undefined,
      key: "",
      formerKeys: [],
      name: `${at.name}[].`,
    };
    if (plan.kind === "struct") {
      const inst = this.instance(plan, scope);
      this.elementInstances.set(level, inst);
      this.steps(
        plan.callee.steps,
        {
          inst,
          owner: plan.callee.layout.nameSpan,
          version: plan.callee.layout.version,
          struct: true,
        },
        level,
        inner,
      );
    } else {
      level.items.push(
        this.value(plan, scope, { ...inner, name: `${at.name}[]` }, span, undefined),
      );
    }
    return level;
  }

  private instance(plan: ValuePlan & { kind: "struct" }, scope: Scope): Instance {
    const inst = newInstance();
    plan.callee.layout.args.forEach((arg, i) =>
      inst.args.set(arg, this.canon(plan.args[i]!, scope)),
    );
    return inst;
  }

  private base(key: string, name: string, span: Span, at: Outer): ItemBase {
    return {
      id: this.nextId++,
      side: this.side,
      key,
      formerKeys: at.formerKeys,
      name,
      span,
      present: at.gateOn ? at.guard : lit(false),
      guard: at.guard,
      guardSpans: at.guardSpans,
      gateOn: at.gateOn,
      since: at.since,
    };
  }

  private count(plan: CountPlan, scope: Scope): WireCount {
    const canon = this.canon(plan.expr, scope);
    const folded = canon.k === "lit" && typeof canon.v === "bigint" ? canon.v : undefined;
    const constant = plan.constant ?? folded;
    // A bound above what the count expression can reach (a u8 count with max 1000) is not one.
    const range = plan.expr.type.kind === "int" ? plan.expr.type.max : plan.max;
    const writes = constant ?? (range < plan.max ? range : plan.max);
    return { canon, writes, accepts: plan.max, span: plan.expr.span, maxSpan: plan.maxSpan };
  }

  // ------------------------------------------------------------- expressions

  canon(e: IrExpr, scope: Scope): Canon {
    switch (e.kind) {
      case "literal":
        return lit(e.value, e.constName);
      case "param":
        return this.param(e.param);
      case "arg":
        return scope.inst.args.get(e.arg) ?? this.opaque(e);
      case "let":
        return scope.inst.lets.get(e.binding) ?? this.opaque(e);
      case "version":
        return lit(BigInt(scope.version));
      case "element":
        return this.loopElements.get(e.element) ?? this.opaque(e);
      case "field":
      case "group":
      case "member":
      case "index": {
        const t = this.target(e, scope);
        return t?.kind === "value" ? t.canon : this.opaque(e);
      }
      case "call":
        return op(
          e.builtin,
          e.args.map((a) => this.canon(a, scope)),
        );
      case "unary":
        return op(e.op === "-" ? "neg" : e.op, [this.canon(e.operand, scope)]);
      case "binary": {
        // Down the left operands by iteration: a chain is a tree as deep as it is long.
        const chain: Extract<IrExpr, { kind: "binary" }>[] = [];
        let leftmost: IrExpr = e;
        for (; leftmost.kind === "binary"; leftmost = leftmost.left) chain.push(leftmost);
        let canon = this.canon(leftmost, scope);
        for (let i = chain.length - 1; i >= 0; i--)
          canon = op(chain[i]!.op, [canon, this.canon(chain[i]!.right, scope)]);
        return canon;
      }
      case "conditional":
        return op("?:", [
          this.canon(e.test, scope),
          this.canon(e.then, scope),
          this.canon(e.else, scope),
        ]);
    }
  }

  /** The subsection whose `needed` is being canonicalized: its own fields read by name. */
  private neededOf: SubsectionModel | undefined;

  /**
   * `needed` may read the subsection's own fields (the writer has them); they are not on the wire
   * before it, so they compare by the subsection's and the field's names.
   */
  private canonNeeded(e: IrExpr, scope: Scope, sub: SubsectionModel): Canon {
    const outer = this.neededOf;
    this.neededOf = sub;
    try {
      return this.canon(e, scope);
    } finally {
      this.neededOf = outer;
    }
  }

  private opaque(e: IrExpr): Canon {
    const sub = this.neededOf;
    const own = sub && pathTarget(e);
    if (sub && own && own.subsection === sub)
      return { k: "opaque", text: `own ${sub.qemuName} ${own.path.join(".")}` };
    return { k: "opaque", text: `${e.span.file}:${e.span.start}#${++this.opaqueCount}` };
  }

  /** What a reference expression reaches: a value on the wire, or a struct (element) to go into. */
  private target(e: IrExpr, scope: Scope): Target | undefined {
    switch (e.kind) {
      case "field":
        return this.fieldTarget(e.field, scope.inst, undefined);
      case "group":
        return { kind: "scope", inst: scope.inst, base: undefined };
      case "member": {
        const t = this.target(e.object, scope);
        if (t?.kind !== "scope") return undefined;
        return e.node.kind === "field" ? this.fieldTarget(e.node.field, t.inst, t.base) : t;
      }
      case "index": {
        const t = this.target(e.object, scope);
        if (t?.kind !== "value") return undefined;
        const at = op("idx", [t.canon, this.canon(e.index, scope)]);
        return t.element
          ? { kind: "scope", inst: t.element, base: at }
          : { kind: "value", canon: at, element: undefined };
      }
      default:
        return undefined;
    }
  }

  private fieldTarget(f: FieldModel, inst: Instance, base: Canon | undefined): Target | undefined {
    const struct = inst.structs.get(f);
    if (struct) return { kind: "scope", inst: struct, base };
    const id = inst.fields.get(f);
    if (id === undefined) return undefined;
    return {
      kind: "value",
      canon: { k: "ref", side: this.side, id, base },
      element: inst.elements.get(f),
    };
  }
}

type Target =
  | { kind: "value"; canon: Canon; element: Instance | undefined }
  | { kind: "scope"; inst: Instance; base: Canon | undefined };

const U8: ScalarType = { kind: "int", signed: false, bits: 8, endian: "be" };

function newInstance(): Instance {
  return {
    fields: new Map(),
    structs: new Map(),
    elements: new Map(),
    lets: new Map(),
    args: new Map(),
  };
}

/** Versions at which a layout's wire shape can change: its gates, and literals compared with the version. */
export function gatesOf(members: readonly MemberModel[]): bigint[] {
  const out = new Set<bigint>();
  const visitExpr = (e: IrExpr): void => {
    if (readsVersion(e)) for (const v of literals(e)) out.add(v);
  };
  for (const m of members) {
    if (m.kind === "field" || m.kind === "unused") {
      const gate = m.since && constantOf(m.since);
      if (typeof gate === "bigint") out.add(gate);
      if (m.guard) visitExpr(m.guard);
    }
    if (m.kind === "validate") visitExpr(m.condition);
    if (m.kind === "let") visitExpr(m.value);
  }
  return [...out];
}

function readsVersion(e: IrExpr): boolean {
  return anySubexpression(e, (x) => x.kind === "version");
}

function literals(e: IrExpr): bigint[] {
  const out: bigint[] = [];
  for (const x of subexpressions(e))
    if (x.kind === "literal" && typeof x.value === "bigint") out.push(x.value);
  return out;
}

/** The versions worth comparing in [lo, hi]: the ends, and each side of every gate. */
export function checkpoints(lo: number, hi: number, gates: readonly bigint[]): number[] {
  const out = new Set<number>([lo, hi]);
  for (const g of gates) {
    for (const v of [Number(g) - 1, Number(g)]) if (v >= lo && v <= hi) out.add(v);
  }
  return [...out].filter((v) => v >= lo && v <= hi).sort((a, b) => a - b);
}
