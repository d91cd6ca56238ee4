// A save that walks a wire plan instead of running generated code: what `save…` writes for a state,
// or that it refuses it. It follows the generated writer (generator/emit/save.ts) step by step, with
// the runtime's Writer, so property tests can compare two versions of a schema without generating
// and loading code for every pair.

import type {
  FieldModel,
  MergeModel,
  StructArgModel,
  SubsectionModel,
} from "../../generator/model.js";
import { references } from "../../generator/ir/walk.js";

/** The fields of `sub` itself that its `needed` reads. */
function ownFields(sub: SubsectionModel): FieldModel[] {
  if (!sub.needed) return [];
  const out = new Set<FieldModel>();
  for (const ref of references(sub.needed))
    if (ref.target.kind === "field" && ref.target.field.subsection === sub)
      out.add(ref.target.field);
  return [...out];
}
import {
  Bindings,
  evaluate,
  EvaluationError,
  validationHolds,
  type EvalEnv,
} from "../../generator/plan/evaluate.js";
import type { FunctionPlan, Step, ValuePlan } from "../../generator/plan/plan.js";
import { scalarName } from "../../generator/ir/scalars.js";
import { SaveError, Writer } from "../../runtime/index.js";

type State = Record<string, unknown>;

/** The section's version (be32, as in its stream header) and its body, or "refused". */
export function saveSection(
  fn: FunctionPlan,
  state: State,
  params: Record<string, unknown>,
): Uint8Array | "refused" {
  const w = new Writer();
  try {
    w.u32(fn.layout.version, "version");
    new PlanWriter(w, params).layout(fn, state, new Map());
    return w.finish();
  } catch (e) {
    if (e instanceof SaveError || e instanceof EvaluationError) return "refused";
    throw e;
  }
}

class PlanWriter {
  constructor(
    private readonly w: Writer,
    private readonly params: Record<string, unknown>,
  ) {}

  layout(fn: FunctionPlan, state: State, args: ReadonlyMap<StructArgModel, unknown>): void {
    if (state === null || typeof state !== "object") this.w.fail("", "not an object");
    const bound = new Bindings(this.params, args, (s) => (s ? s.version : fn.layout.version));
    const env = (subsection: SubsectionModel | undefined): EvalEnv => bound.env(subsection);
    const steps = (
      list: readonly Step[],
      target: State,
      subsection: SubsectionModel | undefined,
    ): void => {
      const value = (e: Parameters<typeof evaluate>[0]): unknown => evaluate(e, env(subsection));
      for (const step of list) {
        switch (step.kind) {
          case "field": {
            const merge = step.field.merge;
            // The second copy of a value sent twice is written from the first; a merged field is
            // in its anchor's value.
            const v = step.field.again
              ? value(step.field.again)
              : merge
                ? mergedValue(merge)
                : get(target, step.path);
            bound.fields.set(step.field, v);
            const present = step.condition === undefined || value(step.condition) === true;
            if (!present) {
              this.w.absent(v, step.path.join("."));
              break;
            }
            this.w.present(v, step.path.join("."));
            if (step.equals !== undefined && !same(v, value(step.equals)))
              this.w.fail(step.path.join("."), "not the required value");
            this.value(step.value, v, value);
            break;
          }
          case "unused":
            if (step.condition === undefined || value(step.condition) === true)
              this.w.skip(this.count(step.count, value), "unused");
            break;
          case "let":
            bound.lets.set(step.binding, value(step.binding.value));
            break;
          case "validate":
            this.w.check(validationHolds(step, value, bound.elements), step.message, "");
            break;
          case "subsections":
            for (const arm of step.arms) {
              const sub = arm.subsection;
              const object = target[arm.key] as State | undefined;
              // A `needed` over the subsection's own fields reads them from its state.
              const own = ownFields(sub);
              for (const f of own)
                bound.fields.set(f, f.merge ? mergedValue(f.merge) : object && get(object, f.path));
              const sent = sub.needed
                ? (own.length === 0 || object !== undefined) &&
                  own.every((f) => bound.fields.get(f) !== undefined) &&
                  evaluate(sub.needed, env(sub)) === true
                : object !== undefined;
              if (!sent) {
                if (sub.needed) this.w.absent(object, arm.key);
                for (const m of sub.members)
                  if (m.kind === "field" && m.merge)
                    this.w.absent(mergedValue(m.merge), m.path.join("."));
                continue;
              }
              if (own.length > 0) objects.set(sub, object!);
              this.w.present(object, arm.key);
              objects.set(sub, object!);
              this.w.subsection(sub.qemuName, sub.version);
              steps(arm.steps, object!, sub);
            }
            break;
        }
      }
    };
    /** The state object of each subsection being written, for fields merged into its values. */
    const objects = new Map<SubsectionModel | undefined, State>([[undefined, state]]);
    const mergedValue = (m: MergeModel): unknown => {
      let object = get(objects.get(m.anchor.subsection) ?? {}, m.anchor.path) as
        Record<string | number, unknown> | undefined;
      for (const r of m.route) object = object?.[r] as Record<string | number, unknown> | undefined;
      return object?.[m.key];
    };
    steps(fn.steps, state, undefined);
  }

  private count(
    plan: { constant: bigint | undefined; expr: Parameters<typeof evaluate>[0]; max: bigint },
    value: (e: Parameters<typeof evaluate>[0]) => unknown,
  ): number {
    if (plan.constant !== undefined) return Number(plan.constant);
    return this.w.count(value(plan.expr) as bigint, Number(plan.max), "count");
  }

  private value(
    plan: ValuePlan,
    v: unknown,
    value: (e: Parameters<typeof evaluate>[0]) => unknown,
  ): void {
    switch (plan.kind) {
      case "scalar": {
        // An integer is the same value as number or bigint: compare versions by value, not representation.
        const wide = plan.type.kind === "int" && plan.type.bits === 64;
        const int = typeof v === "number" || typeof v === "bigint";
        const fits =
          typeof v !== "bigint" ||
          (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER));
        if (plan.type.kind === "int" && int && !wide && !fits) this.w.fail("", "out of range");
        const given = plan.type.kind === "int" && int ? (wide ? BigInt(v) : Number(v)) : v;
        const method = scalarName(plan.type) as "u8";
        (this.w[method] as (v: unknown, path: string) => void).call(this.w, given, "value");
        return;
      }
      case "bytes": {
        const n = this.count(plan.count, value);
        if (!(v instanceof Uint8Array)) this.w.fail("", "not bytes");
        this.w.bytes(v, n, "bytes");
        return;
      }
      case "text": {
        const n = this.count(plan.count, value);
        if (typeof v !== "string") this.w.fail("", "not text");
        this.w.text(v, n, "text");
        return;
      }
      case "array": {
        const n = this.count(plan.count, value);
        if (!Array.isArray(v) || v.length !== n) this.w.fail("", `not an array of ${n}`);
        for (const item of v) this.value(plan.element, item, value);
        return;
      }
      case "struct": {
        const args = new Map<StructArgModel, unknown>();
        plan.callee.layout.args.forEach((a, i) => args.set(a, value(plan.args[i]!)));
        this.layout(plan.callee, v as State, args);
        return;
      }
    }
  }
}

function get(state: State, path: readonly string[]): unknown {
  let v: unknown = state;
  for (const key of path) v = v === undefined || v === null ? undefined : (v as State)[key];
  return v;
}

function same(a: unknown, b: unknown): boolean {
  const big = (x: unknown): unknown => (typeof x === "number" ? BigInt(x) : x);
  return big(a) === big(b);
}
