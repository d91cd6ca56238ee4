// The wire plan: per struct and section, one ordered list of wire steps with every name settled.
// Both emitters (save and load) and the run-time interpreter walk the same plan.

import { runtimeNames } from "../ir/runtime-names.js";
import type { Span } from "../../diagnostics/span.js";
import type {
  CodecModel,
  Count,
  ElementModel,
  FieldModel,
  FieldType,
  IrExpr,
  LayoutModel,
  LetModel,
  MemberModel,
  ParamModel,
  ScalarType,
  SchemaModel,
  StructArgModel,
  SubsectionModel,
  UnusedModel,
} from "../model.js";
import { constantOf } from "../ir/constants.js";
import { paramsReadBy, references, subexpressions } from "../ir/walk.js";
import { Namer, pascalCase } from "./names.js";

export interface CountPlan {
  readonly expr: IrExpr;
  readonly constant: bigint | undefined;
  readonly max: bigint;
  /** Where the `max` is written, when it is. */
  readonly maxSpan: Span | undefined;
}

/** How one value of a field type goes on the wire. */
export type ValuePlan =
  | { readonly kind: "scalar"; readonly type: ScalarType }
  | { readonly kind: "bytes"; readonly count: CountPlan }
  /** A C string (`text[N]`): `r.text`/`w.text`, a string in the state. */
  | { readonly kind: "text"; readonly count: CountPlan }
  | {
      readonly kind: "array";
      readonly count: CountPlan;
      readonly element: ValuePlan;
      readonly index: string;
    }
  | { readonly kind: "struct"; readonly callee: FunctionPlan; readonly args: readonly IrExpr[] }
  /** A hand-written codec: `save<Name>`/`load<Name>` of its module. */
  | { readonly kind: "custom"; readonly codec: CodecModel; readonly args: readonly IrExpr[] };

export type Step =
  | {
      readonly kind: "field";
      readonly field: FieldModel;
      /** The local variable that holds the value in both functions. */
      readonly local: string;
      /** The property path from the state object that holds it (the layout's or a subsection's). */
      readonly path: readonly string[];
      /** Guard and version gate combined; undefined when the field is always present. */
      readonly condition: IrExpr | undefined;
      readonly value: ValuePlan;
      readonly equals: IrExpr | undefined;
    }
  | {
      readonly kind: "unused";
      readonly unused: UnusedModel;
      readonly count: CountPlan;
      readonly condition: IrExpr | undefined;
      readonly span: Span;
    }
  | { readonly kind: "let"; readonly binding: LetModel; readonly local: string }
  | {
      readonly kind: "validate";
      readonly condition: IrExpr;
      readonly message: string;
      readonly span: Span;
      /** What its error names: the array it goes over, or the first field or let its condition reads ("" for none). */
      readonly subject: string;
      /** That field, when it is one: the loader keeps where it starts, for the error's offset. */
      readonly subjectField: FieldModel | undefined;
      /** `validate each`: the array, and the locals of the loop's index and of the element. */
      readonly each:
        | {
            readonly array: IrExpr;
            readonly index: string;
            readonly element: string;
            readonly model: ElementModel;
          }
        | undefined;
    }
  | {
      readonly kind: "subsections";
      readonly owner: string;
      readonly arms: readonly SubsectionArm[];
    };

export interface SubsectionArm {
  readonly subsection: SubsectionModel;
  /** Key of the subsection's object in its owner's state object. */
  readonly key: string;
  /** Local holding the subsection's state object. */
  readonly local: string;
  /** Local holding the version the subsection is read at. */
  readonly versionLocal: string;
  readonly typeName: string;
  readonly steps: readonly Step[];
}

export interface FunctionPlan {
  readonly layout: LayoutModel;
  /**
   * A struct of another schema file: its functions and type are imported from that file's module,
   * where they have the names in `exported` (here they are `typeName`, `saveName`, `loadName`).
   */
  readonly importedFrom: ImportedFunctions | undefined;
  readonly typeName: string;
  readonly saveName: string;
  readonly loadName: string;
  /** Set once the steps are planned (a struct may be referenced before its own plan is built). */
  steps: readonly Step[];
  /** The local of each value an expression can name. */
  readonly locals: Locals;
  /** Local holding the version the layout is read at: the stream's for a section, fixed for a struct. */
  readonly versionLocal: string;
  /** The section's descriptor (`virtioNetSection`); undefined for a struct. */
  readonly descriptorName: string | undefined;
  /** A struct's state shape, shared by the descriptors that hold it (`virtQueueShape`). */
  readonly shapeName: string | undefined;
  /** The module constant of each schema constant and feature set, by its schema name. */
  readonly constants: ReadonlyMap<string, string>;
  /** The schema's doc comments, by the line their declaration starts on (SchemaModel.docs). */
  readonly docs: ReadonlyMap<number, string>;
}

export interface ImportedFunctions {
  readonly file: string;
  /** It reads parameters: the importer's, which it is given (check/declarations.ts). */
  readonly readsParams: boolean;
  readonly typeName: string;
  readonly saveName: string;
  readonly loadName: string;
}

/** A name the module imports from the module of another schema: `exported as local`. */
export interface ImportBinding {
  readonly exported: string;
  readonly local: string;
  /** Imported with `type`: the state interface of a struct. */
  readonly isType: boolean;
}

export interface PlannedImport {
  /** The imported schema file; its generated module is where the bindings come from. */
  readonly file: string;
  readonly bindings: readonly ImportBinding[];
}

export interface Locals {
  readonly fields: Map<FieldModel, string>;
  readonly lets: Map<LetModel, string>;
  readonly args: Map<StructArgModel, string>;
  readonly params: Map<ParamModel, string>;
  readonly elements: Map<ElementModel, string>;
  /** Version locals of the subsections, for `stream_version()` and version gates inside them. */
  readonly subsectionVersions: Map<SubsectionModel, string>;
}

export interface SchemaPlan {
  readonly file: string;
  readonly model: SchemaModel;
  readonly params: readonly ParamModel[];
  /** The module constant of each schema constant and feature set, by its schema name. */
  readonly constants: ReadonlyMap<string, string>;
  /** Structs before the sections that use them. */
  readonly functions: readonly FunctionPlan[];
  /** The structs this schema imports: no steps here, their module has them. */
  readonly importedFunctions: readonly FunctionPlan[];
  readonly imports: readonly PlannedImport[];
}

/** The functions of a struct this module has or imports (not those of a struct inside an import). */
export function functionOf(plan: SchemaPlan, layout: LayoutModel): FunctionPlan | undefined {
  return (
    plan.functions.find((f) => f.layout === layout) ??
    plan.importedFunctions.find((f) => f.layout === layout)
  );
}

/** Names the generated functions use for their own parameters; no local may take them. */
export const RESERVED_LOCALS = ["r", "w", "s", "p", "_p", "version", "e"];

/** What generated modules import from the runtime besides types; no module name may take them. */

export function planSchema(model: SchemaModel): SchemaPlan {
  // The codecs' functions are imported under their own names: generated ones must not take them.
  const typeNamer = new Namer([
    ...runtimeNames,
    "LoadError",
    "SaveError",
    "Params",
    // The functions' own parameters: a module constant of these names would be shadowed.
    ...RESERVED_LOCALS,
    ...model.codecs.flatMap((c) => [c.saveName, c.loadName]),
    ...model.imports.flatMap((i) =>
      i.names.flatMap((n) => (n.kind === "codec" ? [n.model.saveName, n.model.loadName] : [])),
    ),
  ]);
  // Imported names first: this module's own declarations give way to them.
  const constants = new Map<string, string>();
  const imports: PlannedImport[] = [];
  const imported: {
    layout: LayoutModel;
    typeName: string;
    saveName: string;
    loadName: string;
    from: ImportedFunctions;
    theirs: FunctionPlan;
  }[] = [];
  for (const i of model.imports) {
    const theirs = planSchema(i.model);
    const bindings: ImportBinding[] = [];
    const bind = (exported: string, isType = false): string => {
      const local = typeNamer.take(exported);
      bindings.push({ exported, local, isType });
      return local;
    };
    for (const n of i.names) {
      if (n.kind === "codec") continue;
      if (n.kind === "const" || n.kind === "features") {
        constants.set(n.name, bind(theirs.constants.get(n.name)!));
        continue;
      }
      const fn = theirs.functions.find((f) => f.layout === n.layout)!;
      imported.push({
        layout: n.layout,
        typeName: bind(fn.typeName, true),
        saveName: bind(fn.saveName),
        loadName: bind(fn.loadName),
        from: {
          file: i.file,
          readsParams: paramsReadBy(n.layout).length > 0,
          typeName: fn.typeName,
          saveName: fn.saveName,
          loadName: fn.loadName,
        },
        theirs: fn,
      });
    }
    if (bindings.length > 0) imports.push({ file: i.file, bindings });
  }
  const named = [...model.structs, ...model.sections].map((layout) => {
    const typeName = typeNamer.take(pascalCase(layout.name));
    return {
      layout,
      typeName,
      saveName: typeNamer.take(`save${typeName}`),
      loadName: typeNamer.take(`load${typeName}`),
    };
  });
  const descriptors = new Map(
    named
      .filter((n) => n.layout.kind === "section")
      .map((n) => [
        n.layout,
        typeNamer.take(`${n.typeName[0]!.toLowerCase()}${n.typeName.slice(1)}Section`),
      ]),
  );
  // Module constants keep the schema's names; a local of a function never shadows one.
  for (const name of [...model.consts, ...model.features].map((c) => c.name))
    constants.set(name, typeNamer.take(name));
  // After the constants, which keep the schema's names.
  const shapes = new Map(
    [...imported, ...named]
      .filter((n) => n.layout.kind === "struct")
      .map((n) => [n.layout, typeNamer.take(`${camelCase(n.typeName)}Shape`)]),
  );
  const reservedLocals = [...RESERVED_LOCALS, ...constants.values(), ...shapes.values()];
  const byLayout = new Map<LayoutModel, FunctionPlan>();
  const functions: FunctionPlan[] = [];
  const importedFunctions: FunctionPlan[] = [];
  for (const { layout, typeName, saveName, loadName, from, theirs } of [
    ...imported,
    ...named.map((n) => ({ ...n, from: undefined, theirs: undefined })),
  ]) {
    // An imported struct keeps the steps its own module has (compat and the interpreter walk
    // them); its functions here are the module's, under the names bound above.
    const plan: FunctionPlan = theirs
      ? {
          ...theirs,
          importedFrom: from,
          typeName,
          saveName,
          loadName,
          shapeName: shapes.get(layout),
        }
      : {
          layout,
          importedFrom: from,
          typeName,
          saveName,
          loadName,
          descriptorName: descriptors.get(layout),
          shapeName: shapes.get(layout),
          constants,
          docs: model.docs,
          steps: [],
          locals: {
            fields: new Map(),
            lets: new Map(),
            args: new Map(),
            params: new Map(),
            elements: new Map(),
            subsectionVersions: new Map(),
          },
          versionLocal: "version",
        };
    byLayout.set(layout, plan);
    (from ? importedFunctions : functions).push(plan);
  }
  for (const plan of functions) {
    const namer = new Namer(reservedLocals);
    for (const arg of plan.layout.args) plan.locals.args.set(arg, namer.take(arg.name));
    plan.steps = new StepPlanner(plan, namer, byLayout, typeNamer).members(
      plan.layout.members,
      undefined,
    );
    for (const param of usedParams(plan.layout))
      plan.locals.params.set(param, namer.take(param.name));
  }
  return {
    file: model.file,
    model,
    params: model.params,
    constants,
    functions,
    importedFunctions,
    imports,
  };
}

class StepPlanner {
  private depth = 0;

  constructor(
    private readonly plan: FunctionPlan,
    private readonly namer: Namer,
    private readonly byLayout: Map<LayoutModel, FunctionPlan>,
    private readonly typeNamer: Namer,
  ) {}

  members(members: readonly MemberModel[], subsection: SubsectionModel | undefined): Step[] {
    const steps: Step[] = [];
    // Wire order: the fields in declaration order, then the subsections.
    for (const m of members) {
      switch (m.kind) {
        case "field": {
          const local = this.namer.take(m.path.join("_").replace(/\[(\w+)\]/g, "_$1"));
          this.plan.locals.fields.set(m, local);
          steps.push({
            kind: "field",
            field: m,
            local,
            path: m.path,
            condition: this.condition(m.guard, m.since, subsection),
            value: this.value(m.type),
            equals: m.equals,
          });
          break;
        }
        case "unused":
          steps.push({
            kind: "unused",
            unused: m,
            count: countPlan(m.count),
            condition: this.condition(m.guard, m.since, subsection),
            span: m.span,
          });
          break;
        case "let": {
          const local = this.namer.take(m.name);
          this.plan.locals.lets.set(m, local);
          steps.push({ kind: "let", binding: m, local });
          break;
        }
        case "validate": {
          let each: (Step & { kind: "validate" })["each"];
          if (m.each) {
            const element = this.namer.take(m.each.element.name);
            this.plan.locals.elements.set(m.each.element, element);
            each = {
              array: m.each.array,
              index: this.namer.take(`${element}_index`),
              element,
              model: m.each.element,
            };
          }
          const ref = references(m.each?.array ?? m.condition)[0];
          const subjectField = ref?.target.kind === "field" ? ref.target.field : undefined;
          const subject = ref
            ? ref.target.kind === "field"
              ? ref.target.field.path.join(".")
              : ref.target.binding.name
            : "";
          steps.push({
            kind: "validate",
            condition: m.condition,
            message: m.message,
            span: m.span,
            each,
            subject,
            subjectField,
          });
          break;
        }
        case "subsection":
          break;
      }
    }
    const subs = members.filter((m): m is SubsectionModel => m.kind === "subsection");
    if (subs.length > 0) {
      const owner = subsection?.qemuName ?? this.plan.layout.qemuName ?? "";
      const arms = subs.map((sub): SubsectionArm => {
        const local = this.namer.take(sub.name);
        const versionLocal = this.namer.take(`${sub.name}_version`);
        this.plan.locals.subsectionVersions.set(sub, versionLocal);
        const ownerType = subsection ? pascalCase(subsection.name) : this.plan.typeName;
        return {
          subsection: sub,
          key: sub.name,
          local,
          versionLocal,
          typeName: this.typeNamer.take(`${ownerType}${pascalCase(sub.name)}`),
          steps: this.members(sub.members, sub),
        };
      });
      steps.push({ kind: "subsections", owner, arms });
    }
    return steps;
  }

  /**
   * The guard and the version gate as one condition. A gate that always holds (at or below the
   * minimum version, or a gate of a struct's own fields, whose version is fixed) is dropped; a gate
   * in a subsection follows the subsection's version, which the stream sends, in a struct too.
   */
  private condition(
    guard: IrExpr | undefined,
    since: IrExpr | undefined,
    subsection: SubsectionModel | undefined,
  ): IrExpr | undefined {
    const layout = this.plan.layout;
    const minimum = BigInt(subsection ? subsection.minimum : layout.minimum);
    const gate = since && constantOf(since);
    const gateHolds =
      since === undefined ||
      (layout.kind === "struct" && subsection === undefined) ||
      (typeof gate === "bigint" && gate <= minimum);
    if (gateHolds) return guard;
    const version: IrExpr = {
      kind: "version",
      type: {
        kind: "int",
        min: minimum,
        max: BigInt(subsection ? subsection.version : layout.version),
      },
      span: since.span,
      optional: false,
    };
    const gateExpr: IrExpr = {
      kind: "binary",
      op: ">=",
      left: version,
      right: since,
      type: { kind: "bool" },
      span: since.span,
      optional: false,
    };
    if (!guard) return gateExpr;
    return {
      kind: "binary",
      op: "&&",
      left: gateExpr,
      right: guard,
      type: { kind: "bool" },
      span: guard.span,
      optional: false,
    };
  }

  private value(type: FieldType): ValuePlan {
    switch (type.kind) {
      case "int":
      case "bool":
        return { kind: "scalar", type };
      case "bytes":
        return { kind: "bytes", count: countPlan(type.count) };
      case "text":
        return { kind: "text", count: countPlan(type.count) };
      case "array": {
        const index = this.namer.take(["i", "j", "k"][this.depth] ?? `i${this.depth}`);
        this.depth++;
        const element = this.value(type.element);
        this.depth--;
        return { kind: "array", count: countPlan(type.count), element, index };
      }
      case "struct":
        return { kind: "struct", callee: this.byLayout.get(type.struct)!, args: type.args };
      case "custom":
        return { kind: "custom", codec: type.codec, args: type.args };
    }
  }
}

function countPlan(count: Count): CountPlan {
  return {
    expr: count.expr,
    constant: count.constant,
    max: count.max ?? count.constant ?? 0n,
    maxSpan: count.maxSpan,
  };
}

/** Parameters a layout's expressions read, in declaration order of first use. */
function usedParams(layout: LayoutModel): ParamModel[] {
  const seen = new Set<ParamModel>();
  for (const site of layout.sites)
    for (const e of subexpressions(site.expr)) if (e.kind === "param") seen.add(e.param);
  return [...seen];
}

/** A type name as a value's: its leading capital, or leading acronym, in lower case (PCIDevice → pciDevice). */
function camelCase(typeName: string): string {
  return typeName.replace(/^[A-Z]+?(?=[A-Z][a-z]|\d|$)|^[A-Z]/, (head) => head.toLowerCase());
}
