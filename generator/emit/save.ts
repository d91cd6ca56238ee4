// Save emission: the writer function of one layout, from the same wire plan as the loader.
//
// Every value is first bound to the local the loader uses for it, so each condition, count and
// check is the same expression text in both functions. For the fields of load.ts it emits:
//
//   const mac_table_in_use = s.mac_table?.in_use;
//   w.u32(mac_table_in_use, "mac_table.in_use");
//   const mac_table_macs = s.mac_table?.macs;
//   if (mac_table_in_use <= 64) {
//     w.bytes(w.present(mac_table_macs, "mac_table.macs"), w.count(mac_table_in_use * 6, 384, "mac_table.macs"), "mac_table.macs");
//   } else w.absent(mac_table_macs, "mac_table.macs");

import type { RuntimeSymbols } from "./symbols.js";
import { writerCall } from "./calls.js";
import type { FieldModel, FieldType, IrExpr, MergeModel, SubsectionModel } from "../model.js";
import { references } from "../ir/walk.js";
import type { FunctionPlan, Step, SubsectionArm, ValuePlan } from "../plan/plan.js";
import {
  boolCode,
  countCode,
  equalsCode,
  exprEnv,
  fieldPath,
  joinPath,
  paramLocal,
  readsVersion,
  subsectionReadsVersion,
  str,
  validationLines,
  wireMethod,
  elementCatch,
  letLines,
  unusedLines,
  withPath,
} from "./common.js";
import { lineComments } from "./docs.js";
import { paramsName } from "./params.js";
import {
  loopOffsetCode,
  offsetCode,
  withRuns,
  type Run,
  type RunField,
  type RunLoop,
} from "./runs.js";
import { emitExpr } from "./expressions.js";
import { scalarTsType } from "./types.js";
import type { FunctionText } from "./load.js";
import { findArm } from "./load.js";

export class SaveEmitter {
  private readonly lines: string[] = [];
  /** How many runs the function has so far: each has a local of its own (`run$0`). */
  private runs = 0;

  constructor(
    private readonly fn: FunctionPlan,
    private readonly paramsOptional: boolean,
    private readonly runtime: RuntimeSymbols,
  ) {}

  emit(): FunctionText {
    const { fn } = this;
    const layout = fn.layout;
    const parameters: FunctionText["parameters"][number][] = [
      { name: "w", type: this.runtime.type("Writer") },
      { name: "s", type: fn.typeName },
      {
        name: paramsName(fn),
        type: "Params",
        ...(this.paramsOptional && layout.kind === "section" ? { initializer: "{}" } : {}),
      },
    ];
    if (layout.kind === "struct") {
      for (const [arg, local] of fn.locals.args)
        parameters.push({
          name: local,
          type: scalarTsType(arg.type),
        });
    }
    if (layout.kind === "section") this.lines.push(`${writerCall("object", "s", str(""))};`);
    if (readsVersion(fn)) this.lines.push(`const version: number = ${layout.version};`);
    for (const [param, local] of fn.locals.params) {
      this.lines.push(paramLocal(param, local));
    }
    this.steps(fn.steps, undefined, "s", "");
    return {
      name: fn.saveName,
      parameters,
      returnType: "void",
      statements: this.lines,
      runLayouts: [],
    };
  }

  /** `base` is the expression of the state object the steps' paths start from. */
  private steps(
    steps: readonly Step[],
    subsection: SubsectionModel | undefined,
    base: string,
    prefix: string,
  ): void {
    for (const step of withRuns(steps, prefix)) {
      switch (step.kind) {
        case "run":
          this.run(step, base, prefix);
          break;
        case "field":
          this.field(step, subsection, base, prefix);
          break;
        case "unused": {
          const env = exprEnv(this.fn, subsection, "w", joinPath(prefix, "unused"), this.runtime);
          this.lines.push(...unusedLines(step, this.fn, env));
          break;
        }
        case "let": {
          const path = joinPath(prefix, step.binding.name);
          this.lines.push(
            ...letLines(step, this.fn, exprEnv(this.fn, subsection, "w", path, this.runtime)),
          );
          break;
        }
        case "validate": {
          this.lines.push(...lineComments(this.fn.docs.get(step.span.line)));
          const path = joinPath(prefix, step.subject);
          const env = exprEnv(this.fn, subsection, "w", path, this.runtime);
          this.lines.push(...validationLines(step, env, "w", path, ""));
          break;
        }
        case "subsections":
          this.subsections(step.arms, base, prefix);
          break;
      }
    }
  }

  /**
   * A run: room for all of it at once (`w.run`), then each value checked and written at its
   * constant offset, and the padding zeroed (a lent buffer holds old bytes).
   */
  private run(run: Run, base: string, prefix: string): void {
    const offset = `run$${this.runs++}`;
    const first = run.parts[0]!;
    const firstPath = first.kind === "loop" ? first.path : first.fields[0]!.path;
    this.lines.push(`const ${offset} = ${writerCall("run", run.size, str(firstPath))};`);
    for (const part of run.parts) {
      if (part.kind === "loop") {
        this.runLoop(offset, part, base, prefix);
        continue;
      }
      const { step, fields } = part;
      if (step.kind === "unused") {
        this.lines.push(...lineComments(this.fn.docs.get(step.span.line)));
        const f = fields[0]!;
        this.lines.push(runWrite(f, offsetCode(offset, f.at), "", f.path));
        continue;
      }
      const path = fieldPath(step, prefix);
      this.runValue(step, fields, step.local, this.sourceOf(step, base, path), path, (f) =>
        offsetCode(offset, f.at),
      );
    }
  }

  /** A scalar or an unrolled array of a run: its value, then its writes at their offsets. */
  private runValue(
    step: Step & { kind: "field" | "unused" },
    fields: readonly RunField[],
    local: string,
    source: string,
    path: string,
    offset: (f: RunField) => string,
  ): void {
    const f = fields[0]!;
    if (step.kind === "unused") {
      this.lines.push(runWrite(f, offset(f), "", f.path));
      return;
    }
    if (step.value.kind === "scalar") {
      this.lines.push(`const ${local} = ${source};`);
      this.lines.push(runWrite(f, offset(f), local, path));
      return;
    }
    this.lines.push(`const ${local} = ${writerCall("tuple", source, fields.length, str(path))};`);
    fields.forEach((e, i) => this.lines.push(runWrite(e, offset(e), `${local}[${i}]!`, e.path)));
  }

  /**
   * The elements of a loop of a run, each at `base + i * stride`: a scalar written in place, a
   * struct's fields from the element (`i$s`) as its writer takes them. A SaveError inside names
   * the element, as the element-by-element loop does.
   */
  private runLoop(offset: string, loop: RunLoop, base: string, prefix: string): void {
    const { step, value } = loop;
    const i = value.index;
    const items = `${i}$items`;
    const path = fieldPath(step, prefix);
    this.lines.push(`const ${step.local} = ${this.sourceOf(step, base, path)};`);
    this.lines.push(`const ${items} = ${writerCall("array", step.local, loop.count, str(path))};`);
    this.lines.push(`let ${i} = 0;`);
    this.lines.push("try {");
    this.lines.push(`for (; ${i} < ${loop.count}; ${i}++) {`);
    const at = (f: RunField): string => loopOffsetCode(offset, loop, f);
    if (!loop.struct) {
      const f = loop.element[0]!;
      this.lines.push(runWrite(f, at(f), `${items}[${i}]!`, loop.path));
    } else {
      const element = `${i}$s`;
      this.lines.push(
        `const ${element} = ${writerCall("object", `${items}[${i}]!`, str(loop.path))};`,
      );
      for (const part of loop.struct.run.parts) {
        if (part.kind !== "fields") continue;
        const inner = part.step;
        const local = inner.kind === "field" ? `${i}$${inner.local}` : "";
        const source = inner.kind === "field" ? access(element, inner.path) : "";
        const innerPath = inner.kind === "field" ? inner.path.join(".") : "";
        this.runValue(inner, part.fields, local, source, innerPath, at);
      }
    }
    this.lines.push("}");
    this.lines.push(elementCatch(this.runtime, i, loop.struct ? loop.path : undefined));
  }

  /** Where a field's value is in the state. */
  private sourceOf(step: Step & { kind: "field" }, base: string, path: string): string {
    const merged = step.field.merge && this.mergedAccess(step.field.merge);
    // A merged field is optional in the type (other elements lack it): one that is always on the
    // wire must be there.
    if (!merged) return access(base, step.path);
    return step.condition ? merged : writerCall("present", merged, str(path));
  }

  private field(
    step: Step & { kind: "field" },
    subsection: SubsectionModel | undefined,
    base: string,
    prefix: string,
  ): void {
    const path = fieldPath(step, prefix);
    const env = exprEnv(this.fn, subsection, "w", path, this.runtime);
    const again = step.field.again;
    if (again) {
      // The second copy of a value sent twice: written again from the first copy's value.
      if (step.value.kind !== "scalar") throw new Error("'again' of a value that is not a scalar");
      const same = writerCall("same", equalsCode(again, env, step.value), str(path));
      const write = `${writerCall(wireMethod(step.value), same, str(path))};`;
      this.lines.push(step.condition ? `if (${boolCode(step.condition, env)}) ${write}` : write);
      return;
    }
    this.lines.push(`const ${step.local} = ${this.sourceOf(step, base, path)};`);
    if (!step.condition) {
      this.write(step.local, step, path, env);
      return;
    }
    this.lines.push(`if (${boolCode(step.condition, env)}) {`);
    this.write(writerCall("present", step.local, str(path)), step, path, env);
    this.lines.push(`} else ${writerCall("absent", step.local, str(path))};`);
  }

  private write(
    value: string,
    step: Step & { kind: "field" },
    path: string,
    env: ReturnType<typeof exprEnv>,
  ): void {
    const plan = step.value;
    if (plan.kind === "scalar" && step.equals) {
      this.lines.push(
        `${writerCall(wireMethod(plan), writerCall("equal", value, equalsCode(step.equals, env, plan), str(path)), str(path))};`,
      );
      return;
    }
    this.writeValue(value, plan, path, env, 0);
  }

  private writeValue(
    value: string,
    plan: ValuePlan,
    path: string,
    env: ReturnType<typeof exprEnv>,
    depth: number,
  ): void {
    switch (plan.kind) {
      case "scalar":
        this.lines.push(`${writerCall(wireMethod(plan), value, str(path))};`);
        return;
      case "bytes":
      case "text":
        this.lines.push(
          `${writerCall(plan.kind, value, countCode(plan.count, env, "w", path), str(path))};`,
        );
        return;
      case "struct":
      case "custom": {
        const args = plan.args.map((a) => emitExpr(a, env).code);
        const name = plan.kind === "struct" ? plan.callee.saveName : plan.codec.saveName;
        // An imported struct that reads no parameter has Params of its own (none).
        const params =
          plan.kind === "struct" && plan.callee.importedFrom?.readsParams === false ? "{}" : "p";
        const call = `${name}(${["w", writerCall("object", value, str(path)), params, ...args].join(", ")})`;
        if (depth === 0) this.lines.push(withPath(this.runtime, `${call};`, path));
        else this.lines.push(`${call};`);
        return;
      }
      case "array": {
        const n = `${plan.index}$n`;
        const items = `${plan.index}$items`;
        this.lines.push(`const ${n} = ${countCode(plan.count, env, "w", path)};`);
        this.lines.push(`const ${items} = ${writerCall("array", value, n, str(path))};`);
        this.lines.push(`let ${plan.index} = 0;`);
        this.lines.push("try {");
        this.lines.push(`for (; ${plan.index} < ${n}; ${plan.index}++) {`);
        this.writeValue(`${items}[${plan.index}]!`, plan.element, `${path}[]`, env, depth + 1);
        this.lines.push("}");
        const isStruct = plan.element.kind === "struct" || plan.element.kind === "custom";
        this.lines.push(elementCatch(this.runtime, plan.index, isStruct ? `${path}[]` : undefined));
        return;
      }
    }
  }

  /** `s.channels?.[0]?.irq_disabled`: where a merged field's value is in the state. */
  private mergedAccess(merge: MergeModel): string {
    const route = merge.route.map((r) => (typeof r === "number" ? `?.[${r}]` : `?.${r}`));
    return `${access(this.baseOf(merge.anchor.subsection), merge.anchor.path)}${route.join("")}?.${merge.key}`;
  }

  /** The state object of a level: the section's or struct's (`s`), or a subsection's local. */
  private baseOf(subsection: SubsectionModel | undefined): string {
    if (!subsection) return "s";
    return findArm(this.fn.steps, subsection)!.local;
  }

  private subsections(arms: readonly SubsectionArm[], base: string, prefix: string): void {
    for (const arm of arms) {
      const sub = arm.subsection;
      const path = joinPath(prefix, arm.key);
      const env = exprEnv(this.fn, sub.subsection, "w", path, this.runtime);
      const state = `${base}.${arm.key}`;
      const own = sub.needed ? ownFields(sub.needed, sub) : [];
      if (sub.needed && own.length > 0) {
        // `needed` reads the subsection's own fields: from its object in the state. A state
        // without the subsection has no values to decide with, so it does not send it.
        const fields = new Map(this.fn.locals.fields);
        // A field it merges into the owner's values is read from there, and must be there.
        const tests = [`${arm.local} !== undefined`];
        this.lines.push(`const ${arm.local} = ${state};`);
        for (const f of own) {
          if (!f.merge) {
            fields.set(f, `${arm.local}.${f.path.join(".")}`);
            continue;
          }
          const local = `${this.fn.locals.fields.get(f)!}$needed`;
          this.lines.push(`const ${local} = ${this.mergedAccess(f.merge)};`);
          tests.push(`${local} !== undefined`);
          fields.set(f, local);
        }
        const ownEnv = { ...env, locals: { ...env.locals, fields } };
        tests.push(parenthesized(boolCode(sub.needed, ownEnv)));
        this.lines.push(`if (${tests.join(" && ")}) {`);
        this.lines.push(`${writerCall("object", arm.local, str(path))};`);
      } else if (sub.needed) {
        // A `needed` the checker folded to a constant is written as a boolean, not a literal:
        // TypeScript reads no narrowing in a branch it takes as unreachable (`if (false)`), and
        // lint refuses a constant condition.
        const needed = boolCode(sub.needed, env);
        const test = needed === "true" || needed === "false" ? `(${needed} as boolean)` : needed;
        this.lines.push(`if (${test}) {`);
        this.lines.push(
          `const ${arm.local} = ${writerCall("object", writerCall("present", state, str(path)), str(path))};`,
        );
      } else {
        this.lines.push(`const ${arm.local} = ${state};`);
        this.lines.push(`if (${arm.local} !== undefined) {`);
        this.lines.push(`${writerCall("object", arm.local, str(path))};`);
      }
      const header = `${writerCall("subsection", str(sub.qemuName), sub.version)};`;
      this.lines.push(
        subsectionReadsVersion(this.fn, arm) ? `const ${arm.versionLocal} = ${header}` : header,
      );
      this.steps(arm.steps, sub, arm.local, path);
      // A subsection not sent takes the fields it merges into its owner's values along: they
      // must be absent too, or they would be lost.
      const mergedAbsent = sub.members
        .filter((m): m is FieldModel => m.kind === "field" && m.merge !== undefined)
        .map((m) => `${writerCall("absent", this.mergedAccess(m.merge!), str(m.path.join(".")))};`);
      const absent = sub.needed
        ? [`${writerCall("absent", own.length > 0 ? arm.local : state, str(path))};`]
        : [];
      const otherwise = [...absent, ...mergedAbsent];
      this.lines.push(
        otherwise.length === 0
          ? "}"
          : otherwise.length === 1
            ? `} else ${otherwise[0]}`
            : `} else { ${otherwise.join(" ")} }`,
      );
    }
  }
}

/** The fields of `sub` itself that its `needed` reads. */
function ownFields(needed: IrExpr, sub: SubsectionModel): FieldModel[] {
  const out = new Set<FieldModel>();
  for (const ref of references(needed))
    if (ref.target.kind === "field" && ref.target.field.subsection === sub)
      out.add(ref.target.field);
  return [...out];
}

/** `code` as one operand of `&&`. */
function parenthesized(code: string): string {
  return /^[\w.$!]+$/.test(code) ? code : `(${code})`;
}

/** `s.mac_table?.in_use`: groups may be missing in a state built by hand, and a missing value is a SaveError. */
function access(base: string, path: readonly string[]): string {
  return [base, ...path.map((key, i) => (i === 0 ? `.${key}` : `?.${key}`))].join("");
}

export type { FieldType };

/** A run's write of one field at `at`: its value by the method of its type, padding as zeroes. */
function runWrite(f: RunField, at: string, value: string, path: string): string {
  return f.what === "unused"
    ? `${writerCall("zeroAt", at, f.width, str(path))};`
    : `${writerCall(`${f.what}At`, at, value, str(path))};`;
}
