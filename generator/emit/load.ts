// Load emission: the reader function of one layout, straight-line from its wire plan.
//
// For `mac_table.in_use: u32;` followed by `mac_table.macs: bytes[mac_table.in_use * 6 max 384] if mac_table.in_use <= 64;`
// it emits:
//
//   const mac_table_in_use = r.u32("mac_table.in_use");
//   let mac_table_macs: Uint8Array | undefined;
//   if (mac_table_in_use <= 64) {
//     mac_table_macs = r.bytes(r.count(mac_table_in_use * 6, 384, "mac_table.macs"), "mac_table.macs");
//   }
//
// and returns the state object built from the locals at the end.

import type { RuntimeSymbols } from "./symbols.js";
import { readerCall } from "./calls.js";
import type {
  FieldModel,
  FieldType,
  IrExpr,
  LayoutModel,
  LetModel,
  StateNode,
  SubsectionModel,
} from "../model.js";
import { allMembers, subexpressions } from "../ir/walk.js";
import type { FunctionPlan, Step, SubsectionArm, ValuePlan } from "../plan/plan.js";
import {
  boolCode,
  boundParams,
  paramLocal,
  countCode,
  elementSize,
  equalsCode,
  exprEnv,
  fieldPath,
  firstCopy,
  joinPath,
  routeCode,
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
import { emitExpr } from "./expressions.js";
import {
  layoutCode,
  loopOffsetCode,
  offsetCode,
  withRuns,
  type Run,
  type RunField,
  type RunLoop,
  isValueField,
} from "./runs.js";
import { extendedTsType, scalarTsType } from "./types.js";
import { scalarSize } from "../ir/scalars.js";

export interface FunctionText {
  readonly name: string;
  readonly parameters: readonly { name: string; type: string; initializer?: string }[];
  readonly returnType: string;
  readonly statements: readonly string[];
  /** The layouts of the function's runs (`RunLayout` constants of the module), loaders only. */
  readonly runLayouts: readonly { readonly name: string; readonly code: string }[];
}

export class LoadEmitter {
  private readonly lines: string[] = [];
  private readonly runLayouts: { name: string; code: string }[] = [];
  /** Fields a validation names: their start is kept (`x$at`) so a failed check points at them. */
  private readonly startKept = new Set<FieldModel>();
  /** The lets the loader needs: one only a subsection's `needed` reads is the writer's alone. */
  private readonly loaderLets: ReadonlySet<LetModel>;

  constructor(
    private readonly fn: FunctionPlan,
    private readonly structTypeName: (t: Extract<FieldType, { kind: "struct" }>) => string,
    private readonly paramsOptional: boolean,
    private readonly runtime: RuntimeSymbols,
  ) {
    this.loaderLets = letsTheLoaderReads(fn.layout);
  }

  emit(): FunctionText {
    const { fn } = this;
    const layout = fn.layout;
    const parameters: FunctionText["parameters"][number][] = [
      { name: "r", type: this.runtime.type("Reader") },
      {
        name: paramsName(fn, "load"),
        type: "Params",
        ...(this.paramsOptional && layout.kind === "section" ? { initializer: "{}" } : {}),
      },
    ];
    if (layout.kind === "section") {
      parameters.push({ name: "version", type: "number", initializer: String(layout.version) });
      this.lines.push(
        `${readerCall("version", "version", layout.minimum, layout.version, str(layout.qemuName ?? layout.name))};`,
      );
    } else {
      for (const [arg, local] of fn.locals.args)
        parameters.push({
          name: local,
          type: scalarTsType(arg.type),
        });
      if (readsVersion(fn)) this.lines.push(`const version: number = ${layout.version};`);
    }
    for (const [param, local] of boundParams(fn, "load")) {
      this.lines.push(paramLocal(param, local));
    }
    this.findValidatedFields(fn.steps);
    this.steps(fn.steps, undefined, "");
    this.lines.push(`return ${this.objectLiteral(layout.state)};`);
    return {
      name: fn.loadName,
      parameters,
      returnType: fn.typeName,
      statements: this.lines,
      runLayouts: this.runLayouts,
    };
  }

  private findValidatedFields(steps: readonly Step[]): void {
    for (const step of steps) {
      // The first copy of an `again` value: its start is in the error of copies that differ.
      const first = step.kind === "field" && step.field.again && firstCopy(step.field.again);
      if (first && this.fn.locals.fields.has(first.root)) this.startKept.add(first.root);
      if (step.kind === "validate") {
        const field = step.subjectField;
        if (field && this.fn.locals.fields.has(field)) this.startKept.add(field);
      }
      if (step.kind === "subsections")
        for (const arm of step.arms) this.findValidatedFields(arm.steps);
    }
  }

  /** The offset argument of a validation's check: where its field (or element) starts. */
  private checkOffset(step: Step & { kind: "validate" }): string | undefined {
    const field = step.subjectField;
    if (!field || !this.startKept.has(field)) return undefined;
    const at = `${this.fn.locals.fields.get(field)}$at`;
    if (!step.each) return at;
    const size = elementSize(field.type);
    return size === undefined ? at : `${at} + ${step.each.index}${size === 1 ? "" : ` * ${size}`}`;
  }

  private steps(
    steps: readonly Step[],
    subsection: SubsectionModel | undefined,
    prefix: string,
  ): void {
    for (const step of withRuns(steps, prefix)) {
      switch (step.kind) {
        case "run":
          this.run(step);
          break;
        case "field":
          this.field(step, subsection, prefix);
          break;
        case "unused": {
          const env = exprEnv(this.fn, subsection, "r", joinPath(prefix, "unused"), this.runtime);
          this.lines.push(...unusedLines(step, this.fn, env));
          break;
        }
        case "let": {
          if (!this.loaderLets.has(step.binding)) break;
          const path = joinPath(prefix, step.binding.name);
          this.lines.push(
            ...letLines(step, this.fn, exprEnv(this.fn, subsection, "r", path, this.runtime)),
          );
          break;
        }
        case "validate": {
          this.lines.push(...lineComments(this.fn.docs.get(step.span.line)));
          const path = joinPath(prefix, step.subject);
          const env = exprEnv(this.fn, subsection, "r", path, this.runtime);
          this.lines.push(...validationLines(step, env, "r", path, this.checkOffset(step)));
          break;
        }
        case "subsections":
          this.subsections(step.owner, step.arms, prefix);
          break;
      }
    }
  }

  /**
   * A run: one bounds check (`r.run`, with the layout its error needs), then each value read at
   * its constant offset. Padding is only skipped over.
   */
  private run(run: Run): void {
    const k = this.runLayouts.length;
    const base = `run$${k}`;
    const layout = `${this.fn.loadName}$run${k}`;
    this.runLayouts.push({ name: layout, code: layoutCode(run.parts) });
    this.lines.push(`const ${base} = ${readerCall("run", run.size, layout)};`);
    for (const part of run.parts) {
      const step = part.step;
      if (step.kind === "unused") {
        this.lines.push(...lineComments(this.fn.docs.get(step.span.line)));
        continue;
      }
      const at = part.kind === "loop" ? part.at : part.fields[0]!.at;
      if (this.startKept.has(step.field))
        this.lines.push(`const ${step.local}$at = ${offsetCode(base, at)};`);
      if (part.kind === "loop") this.runLoop(base, part);
      else
        this.lines.push(
          this.runValue(step, part.fields, step.local, (f) => offsetCode(base, f.at)),
        );
      this.merges(step);
    }
  }

  /** `const x = r.u16At(…)`, or an unrolled array `const x: number[] = [r.u32At(…), …]`. */
  private runValue(
    step: Step & { kind: "field" },
    fields: readonly RunField[],
    local: string,
    offset: (f: RunField) => string,
  ): string {
    const reads = fields
      .filter(isValueField)
      .map((f) => readerCall(`${f.what}At`, offset(f), str(f.path)));
    if (step.value.kind === "scalar") return `const ${local} = ${reads[0]};`;
    return `const ${local}: ${extendedTsType(step.field, this.structTypeName)} = [${reads.join(", ")}];`;
  }

  /**
   * The elements of a loop of a run: each at `base + i * stride`, a scalar read in place, a
   * struct's fields read into locals of the element (`i$num`) and put together as its loader does.
   */
  private runLoop(base: string, loop: RunLoop): void {
    const { step, value } = loop;
    const i = value.index;
    const type = elementTsType(value.element, this.structTypeName);
    const declared = extendedTsType(step.field, this.structTypeName);
    this.lines.push(`const ${step.local}: ${declared} = new Array<${type}>(${loop.count});`);
    this.lines.push(`for (let ${i} = 0; ${i} < ${loop.count}; ${i}++) {`);
    const offset = (f: RunField): string => loopOffsetCode(base, loop, f);
    if (!loop.struct) {
      const f = loop.element.filter(isValueField)[0]!;
      this.lines.push(
        `${step.local}[${i}] = ${readerCall(`${f.what}At`, offset(f), str(loop.path))};`,
      );
    } else {
      const locals = new Map<FieldModel, string>();
      for (const part of loop.struct.run.parts) {
        if (part.kind !== "fields" || part.step.kind === "unused") continue;
        const local = `${i}$${part.step.local}`;
        locals.set(part.step.field, local);
        this.lines.push(this.runValue(part.step, part.fields, local, offset));
      }
      this.lines.push(
        `${step.local}[${i}] = ${structLiteral(loop.struct.fn.layout.state, locals)};`,
      );
    }
    this.lines.push("}");
  }

  private field(
    step: Step & { kind: "field" },
    subsection: SubsectionModel | undefined,
    prefix: string,
  ): void {
    const path = fieldPath(step, prefix);
    const env = exprEnv(this.fn, subsection, "r", path, this.runtime);
    if (step.field.again) {
      this.again(step, step.field.again, path, env);
      return;
    }
    this.read(step, path, env);
    this.merges(step);
  }

  /**
   * Merged fields go into their anchor's value once both are read: after the merged field when
   * the anchor came first (a subsection's `parent_obj.queue.cwptr`), after the anchor otherwise
   * (`channels[0].irq_disabled` before `channels`).
   */
  private merges(step: Step & { kind: "field" }): void {
    const field = step.field;
    const due = [
      ...(field.merge && field.merge.anchor.order < field.order ? [field.merge] : []),
      ...field.extensions.filter((m) => m.field.order < field.order),
    ];
    for (const m of due) {
      const value = this.fn.locals.fields.get(m.field)!;
      const anchor = this.fn.locals.fields.get(m.anchor)!;
      const assign = `${anchor}${routeCode(m.route)}.${m.key} = ${value};`;
      this.lines.push(m.field.optional ? `if (${value} !== undefined) ${assign}` : assign);
    }
  }

  /** The second copy of a value sent twice: read, and checked against the first. */
  private again(
    step: Step & { kind: "field" },
    first: IrExpr,
    path: string,
    env: ReturnType<typeof exprEnv>,
  ): void {
    const value = step.value;
    if (value.kind !== "scalar") throw new Error("'again' of a value that is not a scalar");
    const copy = firstCopy(first);
    const at = copy && this.fn.locals.fields.get(copy.root);
    const offset =
      copy && at !== undefined ? [`${at}$at${copy.offset === 0 ? "" : ` + ${copy.offset}`}`] : [];
    const read = readerCall(wireMethod(value), str(path));
    const same = readerCall(
      "same",
      read,
      equalsCode(first, env, value),
      str(path),
      scalarSize(value.type),
      ...offset,
    );
    const check = `${same};`;
    this.lines.push(step.condition ? `if (${boolCode(step.condition, env)}) ${check}` : check);
  }

  private read(
    step: Step & { kind: "field" },
    path: string,
    env: ReturnType<typeof exprEnv>,
  ): void {
    if (this.startKept.has(step.field)) this.lines.push(`const ${step.local}$at = r.pos;`);
    const type = extendedTsType(step.field, this.structTypeName);
    if (!step.condition) {
      if (
        step.value.kind === "scalar" ||
        step.value.kind === "bytes" ||
        step.value.kind === "text"
      ) {
        this.lines.push(`const ${step.local} = ${this.readExpr(step, path, env)};`);
      } else if (step.value.kind === "array") {
        this.readArray(`const ${step.local}: ${type}`, step.local, step.value, path, env, 0);
      } else {
        this.lines.push(`let ${step.local}: ${type};`);
        this.readInto(step.local, step.value, path, env, 0);
      }
      return;
    }
    this.lines.push(`let ${step.local}: ${type} | undefined;`);
    this.lines.push(`if (${boolCode(step.condition, env)}) {`);
    if (step.value.kind === "scalar" || step.value.kind === "bytes" || step.value.kind === "text")
      this.lines.push(`${step.local} = ${this.readExpr(step, path, env)};`);
    else this.readInto(step.local, step.value, path, env, 0);
    this.lines.push("}");
  }

  /** The read of a scalar or bytes field as one expression, with its `equals` check. */
  private readExpr(
    step: Step & { kind: "field" },
    path: string,
    env: ReturnType<typeof exprEnv>,
  ): string {
    const value = step.value;
    if (value.kind === "bytes" || value.kind === "text")
      return readerCall(value.kind, countCode(value.count, env, "r", path), str(path));
    if (value.kind !== "scalar") throw new Error("not a scalar");
    const read = readerCall(wireMethod(value), str(path));
    if (!step.equals) return read;
    const size = scalarSize(value.type);
    return readerCall("equal", read, equalsCode(step.equals, env, value), str(path), size);
  }

  /** Statements that read one value into `target` (a local or an array element). */
  private readInto(
    target: string,
    value: ValuePlan,
    path: string,
    env: ReturnType<typeof exprEnv>,
    depth: number,
  ): void {
    switch (value.kind) {
      case "scalar":
        this.lines.push(`${target} = ${readerCall(wireMethod(value), str(path))};`);
        return;
      case "bytes":
      case "text":
        this.lines.push(
          `${target} = ${readerCall(value.kind, countCode(value.count, env, "r", path), str(path))};`,
        );
        return;
      case "struct":
      case "custom": {
        const call = this.structCall(value, env);
        if (depth === 0) this.lines.push(withPath(this.runtime, `${target} = ${call};`, path));
        else this.lines.push(`${target} = ${call};`);
        return;
      }
      case "array":
        this.readArray(target, target, value, path, env, depth);
        return;
    }
  }

  /** Reads an array into `target`; `declaration` is what the new array is assigned to (`const x: T` or `x`). */
  private readArray(
    declaration: string,
    target: string,
    value: ValuePlan & { kind: "array" },
    path: string,
    env: ReturnType<typeof exprEnv>,
    depth: number,
  ): void {
    const n = `${value.index}$n`;
    const elementType = elementTsType(value.element, this.structTypeName);
    this.lines.push(`const ${n} = ${countCode(value.count, env, "r", path)};`);
    this.lines.push(`${declaration} = new Array<${elementType}>(${n});`);
    this.lines.push(`let ${value.index} = 0;`);
    this.lines.push(`try {`);
    this.lines.push(`for (; ${value.index} < ${n}; ${value.index}++) {`);
    const element = `${target}[${value.index}]`;
    if (value.element.kind === "array") {
      const item = `${value.index}$item`;
      this.readArray(
        `const ${item}: ${elementType}`,
        item,
        value.element,
        `${path}[]`,
        env,
        depth + 1,
      );
      this.lines.push(`${element} = ${item};`);
    } else this.readInto(element, value.element, `${path}[]`, env, depth + 1);
    this.lines.push("}");
    const isStruct = value.element.kind === "struct" || value.element.kind === "custom";
    this.lines.push(elementCatch(this.runtime, value.index, isStruct ? `${path}[]` : undefined));
  }

  private structCall(
    value: ValuePlan & { kind: "struct" | "custom" },
    env: ReturnType<typeof exprEnv>,
  ): string {
    const args = value.args.map((a) => emitExpr(a, env).code);
    const name = value.kind === "struct" ? value.callee.loadName : value.codec.loadName;
    // An imported struct that reads no parameter has Params of its own (none).
    const params =
      value.kind === "struct" && value.callee.importedFrom?.readsParams === false ? "{}" : "p";
    return `${name}(${["r", params, ...args].join(", ")})`;
  }

  private subsections(owner: string, arms: readonly SubsectionArm[], prefix: string): void {
    for (const arm of arms) this.lines.push(`let ${arm.local}: ${arm.typeName} | undefined;`);
    this.lines.push(
      `for (let $name = ${readerCall("subsection", str(owner))}; $name !== undefined; $name = ${readerCall("subsection", str(owner))}) {`,
    );
    arms.forEach((arm, i) => {
      const sub = arm.subsection;
      const path = joinPath(prefix, arm.key);
      this.lines.push(`${i === 0 ? "" : "} else "}if ($name === ${str(sub.qemuName)}) {`);
      this.lines.push(
        `if (${arm.local} !== undefined) ${readerCall("duplicateSubsection", "$name", str(path))};`,
      );
      const header = `${readerCall("subsectionVersion", "$name", sub.minimum, sub.version, str(path))};`;
      this.lines.push(
        subsectionReadsVersion(this.fn, arm) ? `const ${arm.versionLocal} = ${header}` : header,
      );
      this.steps(arm.steps, sub, path);
      const node = findNode(this.fn.layout.state, sub);
      this.lines.push(
        `${arm.local} = ${this.objectLiteral(node?.children ?? new Map<string, StateNode>())};`,
      );
    });
    this.lines.push(`} else ${readerCall("unknownSubsection", "$name", str(owner))};`);
    this.lines.push("}");
  }

  /** The state object from the locals: `{ mac, mac_table: { in_use: mac_table_in_use }, rss }`. */
  private objectLiteral(state: Map<string, StateNode>): string {
    const parts = [...state.values()].map((node) => {
      switch (node.kind) {
        case "field":
          return property(node.key, this.fn.locals.fields.get(node.field)!);
        case "group":
          return `${node.key}: ${this.objectLiteral(node.children)}`;
        case "subsection": {
          const arm = findArm(this.fn.steps, node.subsection);
          return property(node.key, arm!.local);
        }
      }
    });
    return `{ ${parts.join(", ")} }`;
  }
}

/** The value of a struct without subsections from the locals of its fields. */
function structLiteral(
  state: Map<string, StateNode>,
  locals: ReadonlyMap<FieldModel, string>,
): string {
  const parts = [...state.values()].map((node) => {
    if (node.kind === "field") return property(node.key, locals.get(node.field)!);
    if (node.kind === "group") return `${node.key}: ${structLiteral(node.children, locals)}`;
    throw new Error("a struct of one run has no subsections");
  });
  return `{ ${parts.join(", ")} }`;
}

function property(key: string, local: string): string {
  return key === local ? key : `${key}: ${local}`;
}

export function elementTsType(
  value: ValuePlan,
  structTypeName: (t: Extract<FieldType, { kind: "struct" }>) => string,
): string {
  switch (value.kind) {
    case "scalar":
      return scalarTsType(value.type);
    case "bytes":
      return "Uint8Array";
    case "text":
      return "string";
    case "struct":
      return value.callee.typeName;
    case "custom":
      return `ReturnType<typeof ${value.codec.loadName}>`;
    case "array": {
      const inner = elementTsType(value.element, structTypeName);
      return `${inner}[]`;
    }
  }
}

export function findArm(steps: readonly Step[], sub: SubsectionModel): SubsectionArm | undefined {
  for (const s of steps) {
    if (s.kind !== "subsections") continue;
    for (const arm of s.arms) {
      if (arm.subsection === sub) return arm;
      const inner = findArm(arm.steps, sub);
      if (inner) return inner;
    }
  }
  return undefined;
}

export function findNode(
  state: Map<string, StateNode>,
  sub: SubsectionModel,
): (StateNode & { kind: "subsection" }) | undefined {
  for (const node of state.values()) {
    if (node.kind !== "subsection") continue;
    if (node.subsection === sub) return node;
    const inner = findNode(node.children, sub);
    if (inner) return inner;
  }
  return undefined;
}

/**
 * The lets a loader evaluates: those its own expressions read (guards, counts, checks, other such
 * lets), not those only the writer's `needed` reads.
 */
function letsTheLoaderReads(layout: LayoutModel): Set<LetModel> {
  const lets = allMembers(layout.members).filter((m): m is LetModel => m.kind === "let");
  const values = new Set<IrExpr>(lets.map((l) => l.value));
  const read = (e: IrExpr): LetModel[] =>
    [...subexpressions(e)].flatMap((x) => (x.kind === "let" ? [x.binding] : []));
  const used = new Set<LetModel>();
  const queue: LetModel[] = [];
  for (const site of layout.sites)
    if (!site.writerOnly && !values.has(site.expr)) queue.push(...read(site.expr));
  while (queue.length > 0) {
    const l = queue.pop()!;
    if (used.has(l)) continue;
    used.add(l);
    queue.push(...read(l.value));
  }
  return used;
}
