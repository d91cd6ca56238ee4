// The interpreter baseline: loads and saves a layout by walking its checked wire plan at run time,
// evaluating every guard, count, let and check with the plan evaluator and reading and writing with
// the runtime's Reader and Writer. This is what QEMU's VMState engine does with a
// VMStateDescription; the benchmark measures the generated code against it.

import { scalarName } from "../generator/ir/scalars.js";
import type {
  ElementModel,
  FieldModel,
  LetModel,
  ParamModel,
  ScalarType,
  StructArgModel,
  SubsectionModel,
} from "../generator/model.js";
import { evaluate, validationHolds, type EvalEnv } from "../generator/plan/evaluate.js";
import type {
  CountPlan,
  FunctionPlan,
  SchemaPlan,
  Step,
  ValuePlan,
} from "../generator/plan/plan.js";
import type { Reader } from "../runtime/reader.js";
import type { Writer } from "../runtime/writer.js";

type State = Record<string, unknown>;
type ScalarReader = (this: Reader, path: string) => unknown;
type ScalarWriter = (this: Writer, v: unknown, path: string) => void;

/** The values one call of a layout can name: its fields, lets, arguments and versions. */
class Frame implements EvalEnv {
  readonly fields = new Map<FieldModel, unknown>();
  readonly lets = new Map<LetModel, unknown>();
  readonly elements = new Map<ElementModel, unknown>();
  readonly versions = new Map<SubsectionModel, number>();
  subsection: SubsectionModel | undefined = undefined;

  constructor(
    /** Passed on to the structs the layout calls. */
    readonly paramValues: Readonly<Record<string, unknown>>,
    private readonly args: ReadonlyMap<StructArgModel, unknown>,
    private readonly layoutVersion: number,
  ) {}

  field(field: FieldModel): unknown {
    return this.fields.get(field);
  }
  param(param: ParamModel): unknown {
    return this.paramValues[param.name] ?? param.default;
  }
  arg(arg: StructArgModel): unknown {
    return this.args.get(arg);
  }
  element(element: ElementModel): unknown {
    return this.elements.get(element);
  }
  let(binding: LetModel): unknown {
    return this.lets.get(binding);
  }
  version(subsection: SubsectionModel | undefined): number {
    return subsection ? this.versions.get(subsection)! : this.layoutVersion;
  }
}

export class PlanInterpreter {
  constructor(readonly plan: SchemaPlan) {}

  /** The plan of the struct or section called `name` in the schema. */
  layout(name: string): FunctionPlan {
    const fn = this.plan.functions.find((f) => f.layout.name === name);
    if (!fn) throw new Error(`no layout ${name}`);
    return fn;
  }

  load(
    fn: FunctionPlan,
    r: Reader,
    params: Readonly<Record<string, unknown>> = {},
    args: readonly unknown[] = [],
    version = fn.layout.version,
  ): State {
    if (fn.layout.kind === "section")
      r.version(
        version,
        fn.layout.minimum,
        fn.layout.version,
        fn.layout.qemuName ?? fn.layout.name,
      );
    const frame = new Frame(
      params,
      argMap(fn, args),
      fn.layout.kind === "section" ? version : fn.layout.version,
    );
    const state: State = {};
    this.loadSteps(fn.steps, r, frame, state, undefined, "");
    return state;
  }

  save(
    fn: FunctionPlan,
    w: Writer,
    state: State,
    params: Readonly<Record<string, unknown>> = {},
    args: readonly unknown[] = [],
  ): void {
    w.object(state, "");
    const frame = new Frame(params, argMap(fn, args), fn.layout.version);
    this.saveSteps(fn.steps, w, frame, state, undefined, "");
  }

  private loadSteps(
    steps: readonly Step[],
    r: Reader,
    frame: Frame,
    target: State,
    subsection: SubsectionModel | undefined,
    prefix: string,
  ): void {
    for (const step of steps) {
      frame.subsection = subsection;
      switch (step.kind) {
        case "field": {
          const path = join(prefix, step.path.join("."));
          let v: unknown;
          if (step.condition === undefined || evaluate(step.condition, frame) === true) {
            v = this.read(step.value, r, frame, path);
            if (step.equals && step.value.kind === "scalar") {
              const size = step.value.type.kind === "bool" ? 1 : step.value.type.bits / 8;
              r.equal(
                v as number,
                scalar(evaluate(step.equals, frame), step.value.type) as number,
                path,
                size,
              );
            }
          }
          frame.fields.set(step.field, v);
          setPath(target, step.path, v);
          break;
        }
        case "unused":
          if (step.condition === undefined || evaluate(step.condition, frame) === true)
            r.skip(count(step.count, frame, r, join(prefix, "unused")), join(prefix, "unused"));
          break;
        case "let":
          frame.lets.set(step.binding, evaluate(step.binding.value, frame));
          break;
        case "validate":
          r.check(
            validationHolds(step, (e) => evaluate(e, frame), frame.elements),
            step.message,
            prefix,
          );
          break;
        case "subsections":
          for (
            let name = r.subsection(step.owner);
            name !== undefined;
            name = r.subsection(step.owner)
          ) {
            const arm = step.arms.find((a) => a.subsection.qemuName === name);
            if (!arm) r.unknownSubsection(name, step.owner);
            const path = join(prefix, arm.key);
            if (target[arm.key] !== undefined) r.duplicateSubsection(name, path);
            frame.versions.set(
              arm.subsection,
              r.subsectionVersion(name, arm.subsection.minimum, arm.subsection.version, path),
            );
            const object: State = {};
            this.loadSteps(arm.steps, r, frame, object, arm.subsection, path);
            target[arm.key] = object;
          }
          break;
      }
    }
  }

  private read(value: ValuePlan, r: Reader, frame: Frame, path: string): unknown {
    switch (value.kind) {
      case "scalar":
        return (r[scalarName(value.type) as keyof Reader] as ScalarReader).call(r, path);
      case "bytes":
        return r.bytes(count(value.count, frame, r, path), path);
      case "text":
        return r.text(count(value.count, frame, r, path), path);
      case "array": {
        const n = count(value.count, frame, r, path);
        const items = new Array<unknown>(n);
        for (let i = 0; i < n; i++) items[i] = this.read(value.element, r, frame, `${path}[]`);
        return items;
      }
      case "struct":
        return this.load(
          value.callee,
          r,
          frame.paramValues,
          value.args.map((a) => evaluate(a, frame)),
        );
    }
  }

  private saveSteps(
    steps: readonly Step[],
    w: Writer,
    frame: Frame,
    source: State,
    subsection: SubsectionModel | undefined,
    prefix: string,
  ): void {
    for (const step of steps) {
      frame.subsection = subsection;
      switch (step.kind) {
        case "field": {
          const path = join(prefix, step.path.join("."));
          const v = getPath(source, step.path);
          frame.fields.set(step.field, v);
          if (step.condition !== undefined && evaluate(step.condition, frame) !== true) {
            w.absent(v, path);
            break;
          }
          if (step.condition !== undefined) w.present(v, path);
          if (step.equals && step.value.kind === "scalar")
            w.equal(
              v as number,
              scalar(evaluate(step.equals, frame), step.value.type) as number,
              path,
            );
          this.write(step.value, w, v, frame, path);
          break;
        }
        case "unused":
          if (step.condition === undefined || evaluate(step.condition, frame) === true)
            w.skip(count(step.count, frame, w, join(prefix, "unused")), join(prefix, "unused"));
          break;
        case "let":
          frame.lets.set(step.binding, evaluate(step.binding.value, frame));
          break;
        case "validate":
          w.check(
            validationHolds(step, (e) => evaluate(e, frame), frame.elements),
            step.message,
            prefix,
          );
          break;
        case "subsections":
          for (const arm of step.arms) {
            const sub = arm.subsection;
            const path = join(prefix, arm.key);
            const object = source[arm.key];
            const needed = sub.needed ? evaluate(sub.needed, frame) === true : object !== undefined;
            if (!needed) {
              w.absent(object, path);
              continue;
            }
            frame.versions.set(sub, w.subsection(sub.qemuName, sub.version));
            this.saveSteps(
              arm.steps,
              w,
              frame,
              w.object(w.present(object, path), path) as State,
              sub,
              path,
            );
            frame.subsection = subsection;
          }
          break;
      }
    }
  }

  private write(value: ValuePlan, w: Writer, v: unknown, frame: Frame, path: string): void {
    switch (value.kind) {
      case "scalar":
        (w[scalarName(value.type) as keyof Writer] as ScalarWriter).call(w, v, path);
        return;
      case "bytes":
        w.bytes(v as Uint8Array, count(value.count, frame, w, path), path);
        return;
      case "text":
        w.text(v as string, count(value.count, frame, w, path), path);
        return;
      case "array": {
        const n = count(value.count, frame, w, path);
        const items = w.array(v as unknown[], n, path);
        for (let i = 0; i < n; i++) this.write(value.element, w, items[i], frame, `${path}[]`);
        return;
      }
      case "struct":
        this.save(
          value.callee,
          w,
          w.object(v, path) as State,
          frame.paramValues,
          value.args.map((a) => evaluate(a, frame)),
        );
        return;
    }
  }
}

function argMap(fn: FunctionPlan, args: readonly unknown[]): Map<StructArgModel, unknown> {
  return new Map(fn.layout.args.map((a, i) => [a, args[i]]));
}

function count(c: CountPlan, frame: Frame, io: Reader | Writer, path: string): number {
  return c.constant !== undefined
    ? Number(c.constant)
    : io.count(evaluate(c.expr, frame) as bigint, Number(c.max), path);
}

/** An evaluated value (bigint or boolean) as the state holds a field of `type`. */
function scalar(v: unknown, type: ScalarType): unknown {
  return type.kind === "int" && type.bits < 64 && typeof v === "bigint" ? Number(v) : v;
}

function join(prefix: string, path: string): string {
  return prefix === "" ? path : path === "" ? prefix : `${prefix}.${path}`;
}

function setPath(target: State, path: readonly string[], v: unknown): void {
  let object = target;
  for (let i = 0; i < path.length - 1; i++) object = (object[path[i]!] ??= {}) as State;
  object[path[path.length - 1]!] = v;
}

function getPath(source: State, path: readonly string[]): unknown {
  let v: unknown = source;
  for (const key of path) v = (v as State | undefined)?.[key];
  return v;
}
