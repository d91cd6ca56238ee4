// Random valid states for property tests: walks a layout's wire plan, drawing each value from a
// seeded generator (fast-check supplies the seed), evaluating guards, counts and validations on the
// state built so far. A check that fails redraws the fields it reads; after a few tries the state
// is rejected (fc.pre). Values come from a small PRNG rather than one fast-check draw each: real
// layouts hold thousands of values (1024-queue arrays), and per-value draws made a state take 0.5 s.
import { references } from "../../generator/ir/walk.js";
import type { IrExpr, ParamModel, StructArgModel, SubsectionModel } from "../../generator/model.js";
import {
  Bindings,
  evaluate,
  EvaluationError,
  type EvalEnv,
} from "../../generator/plan/evaluate.js";
import type { CountPlan, FunctionPlan, Step, ValuePlan } from "../../generator/plan/plan.js";

/** Where the values come from. */
export interface Draw {
  int(min: bigint, max: bigint): bigint;
  bool(): boolean;
  bytes(n: number): Uint8Array;
}

/** A seeded source, biased toward 0 and 1 and small values so counts and validations usually hold. */
export function seededDraw(seed: number): Draw {
  let a = seed >>> 0;
  const next = (): number => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n: bigint): bigint => {
    // uniform in [0, n) from 32-bit chunks
    let v = 0n;
    for (let bits = 0n; 1n << bits < n; bits += 32n)
      v = (v << 32n) | BigInt(Math.floor(next() * 4294967296));
    return v % n;
  };
  return {
    int(min, max) {
      const clamp = (v: bigint): bigint => (v < min ? min : v > max ? max : v);
      const roll = next();
      if (roll < 0.7) return clamp(next() < 0.5 ? 0n : 1n);
      if (roll < 0.9) return clamp(below(17n));
      return min + below(max - min + 1n);
    },
    bool: () => next() < 0.5,
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = next() < 0.5 ? 0 : Math.floor(next() * 256);
      return out;
    },
  };
}

/** The drawn values do not make a valid state. */
export class Reject extends Error {}

/** A check failed: redraw from the first field it reads, a few times, before rejecting. */
class Retry extends Error {
  constructor(
    readonly reads: IrExpr,
    message: string,
  ) {
    super(message);
  }
}

const RETRIES = 30;

type State = Record<string, unknown>;

/** Parameters for a state: required ones always, the others half of the time. */
export function drawParams(params: readonly ParamModel[], draw: Draw): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of params) {
    if ((p.optional || p.default !== undefined) && draw.bool()) continue;
    const t = p.type;
    if (t.kind === "bool") {
      out[p.name] = draw.bool();
      continue;
    }
    const bits = BigInt(t.bits);
    const v = t.signed
      ? draw.int(-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n)
      : draw.int(0n, (1n << bits) - 1n);
    out[p.name] = t.bits === 64 ? v : Number(v);
  }
  return out;
}

/** States are kept to a size a test can hold: a longer count is redrawn. */
const MAX_COUNT = 1 << 20;

export class StateBuilder {
  constructor(
    private readonly draw: Draw,
    private readonly params: Record<string, unknown>,
  ) {}

  build(
    fn: FunctionPlan,
    args: ReadonlyMap<StructArgModel, unknown> = new Map(),
    version = fn.layout.version,
  ): State {
    const root: State = {};
    const bound = new Bindings(this.params, args, (s) => (s ? s.version : version));
    const env = (subsection: SubsectionModel | undefined): EvalEnv => bound.env(subsection);
    const value = (
      e: Parameters<typeof evaluate>[0],
      subsection: SubsectionModel | undefined,
    ): unknown => {
      try {
        return evaluate(e, env(subsection));
      } catch (err) {
        if (err instanceof EvaluationError) throw new Reject(err.message);
        throw err;
      }
    };
    /** Whether `needed` holds over the values bound so far; undefined if it reads one not drawn. */
    const neededHolds = (needed: IrExpr, subsection: SubsectionModel): boolean | undefined => {
      try {
        return evaluate(needed, env(subsection)) === true;
      } catch (err) {
        if (err instanceof EvaluationError) return undefined;
        throw err;
      }
    };
    const count = (c: CountPlan, subsection: SubsectionModel | undefined): number => {
      const n = c.constant ?? (value(c.expr, subsection) as bigint);
      if (n < 0n || n > c.max || n > MAX_COUNT) throw new Retry(c.expr, `count ${n}`);
      return Number(n);
    };

    const makeValue = (plan: ValuePlan, subsection: SubsectionModel | undefined): unknown => {
      switch (plan.kind) {
        case "scalar": {
          const t = plan.type;
          if (t.kind === "bool") return this.draw.bool();
          const bits = BigInt(t.bits);
          const [min, max] = t.signed
            ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n]
            : [0n, (1n << bits) - 1n];
          const v = this.draw.int(min, max);
          return t.bits === 64 ? v : Number(v);
        }
        case "bytes":
          return this.draw.bytes(count(plan.count, subsection));
        case "text": {
          // Any bytes but trailing NULs: the string a reader makes of them.
          const bytes = this.draw.bytes(count(plan.count, subsection));
          let end = bytes.length;
          while (end > 0 && bytes[end - 1] === 0) end--;
          return String.fromCharCode(...bytes.subarray(0, end));
        }
        case "array": {
          const n = count(plan.count, subsection);
          return Array.from({ length: n }, () => makeValue(plan.element, subsection));
        }
        case "custom":
          throw new Error(
            `a state for the hand-written codec ${plan.codec.name} cannot be drawn from the schema`,
          );
        case "struct": {
          const calleeArgs = new Map<StructArgModel, unknown>();
          plan.callee.layout.args.forEach((a, i) =>
            calleeArgs.set(
              a,
              toScalar(
                value(plan.args[i]!, subsection),
                a.type.kind === "int" && a.type.bits === 64,
              ),
            ),
          );
          return this.build(plan.callee, calleeArgs);
        }
      }
    };

    const walk = (
      steps: readonly Step[],
      target: State,
      subsection: SubsectionModel | undefined,
    ): void => {
      let retries = 0;
      for (let i = 0; i < steps.length; i++) {
        try {
          walkStep(steps[i]!, target, subsection);
        } catch (e) {
          if (!(e instanceof Retry)) throw e;
          const first = firstStepReading(steps, e.reads, i);
          if (first === undefined || ++retries > RETRIES) throw new Reject(e.message);
          i = first - 1;
        }
      }
    };
    const walkStep = (step: Step, target: State, subsection: SubsectionModel | undefined): void => {
      {
        switch (step.kind) {
          case "field": {
            const present =
              step.condition === undefined || value(step.condition, subsection) === true;
            if (step.field.again) {
              // The second copy of a value sent twice: the first copy's value, no state of its own.
              bound.fields.set(
                step.field,
                present ? value(step.field.again, subsection) : undefined,
              );
              break;
            }
            let v: unknown;
            if (present) {
              v = step.equals
                ? toScalar(
                    value(step.equals, subsection),
                    step.value.kind === "scalar" &&
                      step.value.type.kind === "int" &&
                      step.value.type.bits === 64,
                  )
                : makeValue(step.value, subsection);
            }
            bound.fields.set(step.field, v);
            // A merged field goes into its anchor's value once the whole state is drawn.
            if (!step.field.merge) setPath(target, step.path, v);
            break;
          }
          case "unused":
            if (step.condition === undefined || value(step.condition, subsection) === true)
              count(step.count, subsection);
            break;
          case "let":
            bound.lets.set(step.binding, value(step.binding.value, subsection));
            break;
          case "validate": {
            if (!step.each) {
              if (value(step.condition, subsection) !== true)
                throw new Retry(step.condition, step.message);
              break;
            }
            const items = value(step.each.array, subsection) as ArrayLike<unknown>;
            const element = step.each.model;
            for (let i = 0; i < items.length; i++) {
              bound.elements.set(element, items[i]);
              if (value(step.condition, subsection) !== true)
                throw new Retry(step.each.array, step.message);
            }
            break;
          }
          case "subsections":
            for (const arm of step.arms) {
              const sub = arm.subsection;
              const needed = sub.needed;
              // A `needed` over the subsection's own fields decides once they are drawn.
              const own =
                needed !== undefined &&
                references(needed).some(
                  (r) => r.target.kind === "field" && r.target.field.subsection === sub,
                );
              const present = own
                ? true
                : needed
                  ? value(needed, subsection) === true
                  : this.draw.bool();
              if (!present) {
                target[arm.key] = undefined;
                continue;
              }
              let object: State;
              for (let attempt = 0; ; attempt++) {
                object = {};
                try {
                  walk(arm.steps, object, sub);
                  break;
                } catch (e) {
                  // A check in a subsection whose `needed` reads its own fields failed: with the
                  // fields drawn so far the subsection may not be sent at all (its checks then do
                  // not run), or another draw may pass.
                  if (!own || !(e instanceof Reject || e instanceof Retry)) throw e;
                  if (neededHolds(needed, sub) === false) break;
                  if (attempt >= RETRIES) throw e instanceof Reject ? e : new Reject(e.message);
                }
              }
              if (own && value(needed, sub) !== true) {
                target[arm.key] = undefined;
                for (const m of sub.members) if (m.kind === "field") bound.fields.delete(m);
                continue;
              }
              target[arm.key] = object;
            }
            break;
        }
      }
    };
    walk(fn.steps, root, undefined);
    for (const [field, v] of bound.fields) {
      const merge = field.merge;
      if (!merge || v === undefined) continue;
      let object = bound.fields.get(merge.anchor) as Record<string | number, unknown>;
      for (const r of merge.route) object = object[r] as Record<string | number, unknown>;
      object[merge.key] = v;
    }
    return root;
  }
}

/** Index of the first step (before `limit`) that sets a field or let the expression reads. */
function firstStepReading(steps: readonly Step[], e: IrExpr, limit: number): number | undefined {
  const reads = new Set<unknown>(
    references(e).map((r) => (r.target.kind === "field" ? r.target.field : r.target.binding)),
  );
  const lets = steps.filter(
    (s): s is Step & { kind: "let" } => s.kind === "let" && reads.has(s.binding),
  );
  for (const l of lets)
    for (const r of references(l.binding.value))
      reads.add(r.target.kind === "field" ? r.target.field : r.target.binding);
  for (let i = 0; i <= limit && i < steps.length; i++) {
    const s = steps[i]!;
    if ((s.kind === "field" && reads.has(s.field)) || (s.kind === "let" && reads.has(s.binding)))
      return i;
  }
  return limit < steps.length && steps[limit]!.kind === "field" ? limit : undefined;
}

function setPath(target: State, path: readonly string[], v: unknown): void {
  let object = target;
  for (const key of path.slice(0, -1)) object = (object[key] ??= {}) as State;
  object[path[path.length - 1]!] = v;
}

/** An evaluated value (bigint) as the state holds it: number, or bigint for 64-bit fields. */
function toScalar(v: unknown, wide: boolean): unknown {
  return typeof v === "bigint" && !wide ? Number(v) : v;
}
