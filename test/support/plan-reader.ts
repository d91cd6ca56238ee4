// A load that walks a wire plan instead of running generated code: the state a reader of this plan
// takes from a section's bytes, or that it refuses them. It follows the generated reader
// (generator/emit/load.ts) with the runtime's Reader: version checks, guards on values read so
// far, bounds before allocation, `equals` and validations, subsections in any order, QEMU's
// failure on an unknown subsection, and no byte left over.

import type { FieldModel, StructArgModel, SubsectionModel } from "../../generator/model.js";
import {
  Bindings,
  evaluate,
  EvaluationError,
  validationHolds,
  type EvalEnv,
} from "../../generator/plan/evaluate.js";
import type { CountPlan, FunctionPlan, Step, ValuePlan } from "../../generator/plan/plan.js";
import { scalarName } from "../../generator/ir/scalars.js";
import { LoadError, Reader } from "../../runtime/index.js";

type State = Record<string, unknown>;

/** The state read from a section's version (be32) and body, or "refused". */
export function loadSection(
  fn: FunctionPlan,
  bytes: Uint8Array,
  params: Record<string, unknown>,
): State | "refused" {
  const r = new Reader(bytes);
  try {
    const version = r.version(
      r.u32("version"),
      fn.layout.minimum,
      fn.layout.version,
      fn.layout.qemuName ?? fn.layout.name,
    );
    const state = new PlanReader(r, params).layout(fn, version, new Map());
    if (r.pos !== bytes.length) return "refused";
    return state;
  } catch (e) {
    if (e instanceof LoadError || e instanceof EvaluationError) return "refused";
    throw e;
  }
}

class PlanReader {
  constructor(
    private readonly r: Reader,
    private readonly params: Record<string, unknown>,
  ) {}

  layout(fn: FunctionPlan, version: number, args: ReadonlyMap<StructArgModel, unknown>): State {
    const versions = new Map<SubsectionModel, number>();
    const bound = new Bindings(this.params, args, (s) => (s ? versions.get(s)! : version));
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
            const present = step.condition === undefined || value(step.condition) === true;
            const v = present ? this.value(step.value, value, version) : undefined;
            if (present && step.equals !== undefined && !sameValue(v, value(step.equals)))
              this.r.fail(step.path.join("."), "not the required value");
            // The second copy of a value sent twice must equal the first; it has no state.
            if (step.field.again) {
              if (present && !sameValue(v, value(step.field.again)))
                this.r.fail(step.path.join("."), "the two copies differ");
              break;
            }
            bound.fields.set(step.field, v);
            // A merged field goes into its anchor's value once both are read (below).
            if (step.field.merge) merged.push(step.field);
            else set(target, step.path, v);
            break;
          }
          case "unused":
            if (step.condition === undefined || value(step.condition) === true)
              this.r.skip(this.count(step.count, value), "unused");
            break;
          case "let":
            bound.lets.set(step.binding, value(step.binding.value));
            break;
          case "validate":
            this.r.check(validationHolds(step, value, bound.elements), step.message, "");
            break;
          case "subsections":
            for (const arm of step.arms) target[arm.key] = undefined;
            for (
              let name = this.r.subsection(step.owner);
              name !== undefined;
              name = this.r.subsection(step.owner)
            ) {
              const arm = step.arms.find((a) => a.subsection.qemuName === name);
              if (!arm) this.r.unknownSubsection(name, step.owner);
              if (target[arm.key] !== undefined) this.r.duplicateSubsection(name, arm.key);
              const sub = arm.subsection;
              versions.set(sub, this.r.subsectionVersion(name, sub.minimum, sub.version, arm.key));
              const object: State = {};
              steps(arm.steps, object, sub);
              target[arm.key] = object;
            }
            break;
        }
      }
    };
    const root: State = {};
    const merged: FieldModel[] = [];
    steps(fn.steps, root, undefined);
    for (const f of merged) {
      const v = bound.fields.get(f);
      if (v === undefined) continue;
      let object = bound.fields.get(f.merge!.anchor) as Record<string | number, unknown>;
      for (const r of f.merge!.route) object = object[r] as Record<string | number, unknown>;
      object[f.merge!.key] = v;
    }
    return root;
  }

  private count(plan: CountPlan, value: (e: Parameters<typeof evaluate>[0]) => unknown): number {
    if (plan.constant !== undefined) return Number(plan.constant);
    return this.r.count(value(plan.expr) as bigint, Number(plan.max), "count");
  }

  private value(
    plan: ValuePlan,
    value: (e: Parameters<typeof evaluate>[0]) => unknown,
    version: number,
  ): unknown {
    switch (plan.kind) {
      case "scalar": {
        const method = scalarName(plan.type) as "u8";
        return (this.r[method] as (path: string) => unknown).call(this.r, "value");
      }
      case "bytes":
        return this.r.bytes(this.count(plan.count, value), "bytes");
      case "text":
        return this.r.text(this.count(plan.count, value), "text");
      case "array": {
        const n = this.count(plan.count, value);
        return Array.from({ length: n }, () => this.value(plan.element, value, version));
      }
      case "struct": {
        const args = new Map<StructArgModel, unknown>();
        plan.callee.layout.args.forEach((a, i) => args.set(a, value(plan.args[i]!)));
        return this.layout(plan.callee, plan.callee.layout.version, args);
      }
    }
  }
}

function set(target: State, path: readonly string[], v: unknown): void {
  let object = target;
  for (const key of path.slice(0, -1)) object = (object[key] ??= {}) as State;
  object[path[path.length - 1]!] = v;
}

function sameValue(a: unknown, b: unknown): boolean {
  const big = (x: unknown): unknown => (typeof x === "number" ? BigInt(x) : x);
  return big(a) === big(b);
}

/**
 * Whether a loaded state holds what the writer's state meant: every value the reader has equals
 * the expected one (integers by value, bytes and u8 arrays by element); values only the writer's
 * version has are not the reader's business.
 */
export function agrees(loaded: unknown, expected: unknown): boolean {
  if (loaded instanceof Uint8Array || Array.isArray(loaded)) {
    const e = expected instanceof Uint8Array ? [...expected] : expected;
    if (!Array.isArray(e) || e.length !== loaded.length) return false;
    return [...loaded].every((x, i) => agrees(x, e[i]));
  }
  if (loaded !== null && typeof loaded === "object") {
    if (expected === null || typeof expected !== "object") return false;
    return Object.entries(loaded).every(([k, v]) => agrees(v, (expected as State)[k]));
  }
  return sameValue(loaded, expected);
}
