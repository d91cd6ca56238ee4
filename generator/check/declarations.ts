// Check pass 1: top-level declarations. Collects constants, feature sets, parameters, structs and
// sections; reports duplicates; evaluates constants and checks that they fit their types.

import { codecModulePath } from "../codec-modules.js";
import { Diagnostics, Related, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import type * as A from "../../grammar/ast.js";
import type {
  CodecModel,
  ConstModel,
  FeaturesModel,
  ImportedName,
  ImportModel,
  LayoutModel,
  ParamModel,
  ScalarType,
  SchemaModel,
  StructArgModel,
} from "../model.js";
import {
  checkConstInt,
  checkValue,
  isError,
  type ExprContext,
  type ScopeEntry,
} from "./expressions.js";
import { constantOf } from "../ir/constants.js";
import { fits, scalarByName, scalarName, scalarTypeNames } from "../ir/scalars.js";
import { didYouMean, typeHint } from "../../diagnostics/hints.js";
import { paramsReadBy } from "../ir/walk.js";

export interface Declarations {
  readonly consts: Map<string, ConstModel>;
  readonly features: Map<string, FeaturesModel>;
  readonly params: Map<string, ParamModel>;
  readonly structs: Map<string, A.StructDecl>;
  /** Structs of other files, checked there. */
  readonly importedStructs: Map<string, LayoutModel>;
  readonly codecs: Map<string, CodecModel>;
  readonly imports: ImportModel[];
  readonly sections: A.SectionDecl[];
  /** Names visible in every expression; a field or let may not reuse them. */
  lookupGlobal(name: string): ScopeEntry | undefined;
  /** Those names, for hints. */
  globalNames(): string[];
  /** The type names a field may use, for hints. */
  typeNames(): string[];
}

/** The built-in type names. */
export const builtinTypes = [
  "bool",
  "bytes",
  "text",
  ...scalarTypeNames().filter((name) => name !== "bool"),
];

const scalarTypeNamesOnly = builtinTypes.filter((t) => t !== "bytes" && t !== "text");

/**
 * The scalar type a parameter, argument or typed constant names; an unknown one is reported, with
 * the scalar type it is closest to.
 */
export function scalarTypeOf(
  ref: A.NamedTypeRef,
  diagnostics: Diagnostic[],
): ScalarType | undefined {
  const type = scalarByName(ref.name.text);
  if (!type)
    diagnostics.push(
      Diagnostics.UnknownType(ref.name.text, typeHint(ref.name.text, scalarTypeNamesOnly)).at(
        ref.name.span,
      ),
    );
  return type;
}

/** A schema file an `import` names, checked without errors. */
export interface ResolvedImport {
  readonly decl: A.ImportDecl;
  /** Its path as seen from the working folder. */
  readonly file: string;
  readonly model: SchemaModel;
}

export function collectDeclarations(
  schema: A.Schema,
  resolved: readonly ResolvedImport[],
  diagnostics: Diagnostic[],
): Declarations {
  const valueNames = new Map<string, Span>();
  const typeNames = new Map<string, Span>();
  const claim = (names: Map<string, Span>, name: A.Name): boolean => {
    const first = names.get(name.text);
    if (first) {
      diagnostics.push(
        Diagnostics.DuplicateName(name.text).at(name.span, [
          Related.FirstDeclaredHere(name.text).at(first),
        ]),
      );
      return false;
    }
    names.set(name.text, name.span);
    return true;
  };

  const constDecls = new Map<string, A.ConstDecl>();
  const consts = new Map<string, ConstModel>();
  const features = new Map<string, FeaturesModel>();
  const params = new Map<string, ParamModel>();
  const structs = new Map<string, A.StructDecl>();
  const codecs = new Map<string, CodecModel>();
  const sections: A.SectionDecl[] = [];
  const importedStructs = new Map<string, LayoutModel>();
  const importedConsts = new Map<string, ConstModel>();
  const imports = resolved.map((r) =>
    importNames(r, diagnostics, (name, kind) =>
      claim(kind === "value" ? valueNames : typeNames, name),
    ),
  );
  for (const i of imports)
    for (const n of i.names) {
      if (n.kind === "struct") importedStructs.set(n.name, n.layout);
      else if (n.kind === "const") importedConsts.set(n.name, n.model);
      else if (n.kind === "features") features.set(n.name, n.model);
      else codecs.set(n.name, n.model);
    }

  for (const item of schema.items) {
    switch (item.kind) {
      case "const":
        if (claim(valueNames, item.name)) constDecls.set(item.name.text, item);
        break;
      case "features":
        if (claim(valueNames, item.name))
          features.set(item.name.text, {
            name: item.name.text,
            bits: new Map(),
            span: item.name.span,
          });
        break;
      case "param":
        claim(valueNames, item.name);
        break;
      case "struct":
        if (claim(typeNames, item.name)) structs.set(item.name.text, item);
        break;
      case "codec":
        if (claim(typeNames, item.name))
          codecs.set(item.name.text, codecModel(item, schema.file, diagnostics));
        break;
      case "section":
        if (claim(typeNames, item.name)) sections.push(item);
        break;
    }
  }

  // Constants may refer to each other in any order; `evaluating` catches cycles.
  const evaluating = new Set<string>();
  const lookupGlobal = (name: string): ScopeEntry | undefined => {
    const f = features.get(name);
    if (f) return { kind: "features", model: f };
    const p = params.get(name);
    if (p) return { kind: "param", model: p };
    const imported = importedConsts.get(name);
    if (imported) return { kind: "const", model: imported };
    const decl = constDecls.get(name);
    if (!decl) return undefined;
    let c = consts.get(name);
    if (!c && !evaluating.has(name)) {
      evaluating.add(name);
      c = evaluateConst(decl, constContext);
      evaluating.delete(name);
      if (c) consts.set(name, c);
    }
    return c ? { kind: "const", model: c } : undefined;
  };
  const globalNames = (): string[] => [...valueNames.keys()];
  const constContext: ExprContext = {
    lookup: lookupGlobal,
    versionRange: { min: 0n, max: 0n },
    diagnostics,
    names: globalNames,
  };

  function evaluateConst(decl: A.ConstDecl, ctx: ExprContext): ConstModel | undefined {
    const ir = checkValue(decl.value, ctx);
    if (isError(ir)) return undefined;
    const value = constantOf(ir);
    if (value === undefined) {
      diagnostics.push(
        Diagnostics.NotConstant(`the value of const '${decl.name.text}'`).at(decl.value.span),
      );
      return undefined;
    }
    if (decl.type) {
      const type = scalarTypeOf(decl.type, diagnostics);
      if (type && !valueFits(value, type, decl.value.span, diagnostics)) return undefined;
    }
    const written = decl.value.kind === "int" ? decl.value.raw : undefined;
    return { name: decl.name.text, value, written, span: decl.name.span };
  }

  // Feature bits first: constants and parameter defaults may use them.
  for (const item of schema.items) {
    if (item.kind !== "features") continue;
    const model = features.get(item.name.text);
    if (model?.span !== item.name.span) continue;
    if (!model) continue;
    const bitNames = new Map<string, Span>();
    for (const bit of item.bits) {
      if (!claim(bitNames, bit.name)) continue;
      const value = checkConstInt(bit.bit, constContext, `feature bit '${bit.name.text}'`);
      if (value === undefined) continue;
      if (value < 0n || value > 63n)
        diagnostics.push(
          Diagnostics.NamedValueDoesNotFit("bit", value, "a 64-bit feature word").at(bit.bit.span),
        );
      else model.bits.set(bit.name.text, { bit: value, span: bit.name.span });
    }
  }

  for (const item of schema.items) {
    if (item.kind === "const") lookupGlobal(item.name.text);
    if (item.kind !== "param") continue;
    const type = scalarTypeOf(item.type, diagnostics);
    if (!type) continue;
    let value: bigint | boolean | undefined;
    if (item.default) {
      const ir = checkValue(item.default, constContext);
      value = constantOf(ir);
      if (!isError(ir) && value === undefined)
        diagnostics.push(Diagnostics.NotConstant("a parameter's default").at(item.default.span));
      else if (value !== undefined && !valueFits(value, type, item.default.span, diagnostics))
        value = undefined;
    }
    if (item.optional && item.default) {
      diagnostics.push(Diagnostics.DefaultOnOptional().at(item.default.span));
    }
    params.set(item.name.text, {
      name: item.name.text,
      type,
      optional: item.optional,
      default: value,
      span: item.name.span,
    });
  }
  for (const i of imports) checkImportedParams(i, params, diagnostics);

  return {
    consts,
    features,
    params,
    structs,
    importedStructs,
    codecs,
    imports,
    sections,
    lookupGlobal,
    globalNames,
    typeNames: () => [
      ...builtinTypes,
      ...structs.keys(),
      ...importedStructs.keys(),
      ...codecs.keys(),
    ],
  };
}

/**
 * A struct that reads parameters reads the importer's: each must be declared here as it is there
 * (type, `?`, default), so that both modules take the same value the same way.
 */
function checkImportedParams(
  i: ImportModel,
  params: ReadonlyMap<string, ParamModel>,
  diagnostics: Diagnostic[],
): void {
  for (const n of i.names) {
    if (n.kind !== "struct") continue;
    for (const theirs of paramsReadBy(n.layout)) {
      const ours = params.get(theirs.name);
      if (
        ours &&
        scalarName(ours.type) === scalarName(theirs.type) &&
        ours.optional === theirs.optional &&
        ours.default === theirs.default
      )
        continue;
      const written = `param ${theirs.name}${theirs.optional ? "?" : ""}: ${scalarName(theirs.type)}${theirs.default === undefined ? "" : ` = ${String(theirs.default)}`};`;
      diagnostics.push(
        Diagnostics.ImportNeedsParam(n.name, theirs.name, written).at(n.span, [
          Related.DeclaredHere(theirs.name).at(theirs.span),
        ]),
      );
    }
  }
}

/**
 * The names one import takes from its file: structs, constants, feature sets and codecs. A section
 * is decoded by the file that declares it, and a parameter configures that file's sections, so
 * neither is importable (a struct that reads one reads the importer's: checkImportedParams).
 */
function importNames(
  { decl, file, model }: ResolvedImport,
  diagnostics: Diagnostic[],
  claim: (name: A.Name, kind: "value" | "type") => boolean,
): ImportModel {
  const names: ImportedName[] = [];
  const exported = [
    ...model.structs.map((s) => s.name),
    ...model.consts.map((c) => c.name),
    ...model.features.map((f) => f.name),
    ...model.codecs.map((c) => c.name),
  ];
  for (const name of decl.names) {
    const text = name.text;
    const base = { name: text, span: name.span };
    const struct = model.structs.find((s) => s.name === text);
    const constant = model.consts.find((c) => c.name === text);
    const features = model.features.find((f) => f.name === text);
    const codec = model.codecs.find((c) => c.name === text);
    let imported: ImportedName | undefined;
    if (struct) {
      imported = { ...base, kind: "struct", layout: struct };
    } else if (constant) imported = { ...base, kind: "const", model: constant };
    else if (features) imported = { ...base, kind: "features", model: features };
    else if (codec) imported = { ...base, kind: "codec", model: codec };
    else {
      const section = model.sections.find((s) => s.name === text);
      const param = model.params.find((p) => p.name === text);
      if (section || param) {
        diagnostics.push(
          (section ? Diagnostics.ImportOfSection(text) : Diagnostics.ImportOfParam(text)).at(
            name.span,
            [Related.DeclaredHere(text).at(section ? section.nameSpan : param!.span)],
          ),
        );
      } else {
        diagnostics.push(
          Diagnostics.NotDeclaredIn(text, decl.from.value, didYouMean(text, exported)).at(
            name.span,
          ),
        );
      }
      continue;
    }
    if (claim(name, imported.kind === "const" || imported.kind === "features" ? "value" : "type"))
      names.push(imported);
  }
  return { file, model, span: decl.from.span, names };
}

function codecModel(decl: A.CodecDecl, schemaFile: string, diagnostics: Diagnostic[]): CodecModel {
  const args: StructArgModel[] = [];
  const names = new Set<string>();
  for (const p of decl.params) {
    const type = scalarTypeOf(p.type, diagnostics);
    if (type && names.has(p.name.text))
      diagnostics.push(Diagnostics.DuplicateName(p.name.text).at(p.name.span));
    else if (type) args.push({ name: p.name.text, type, span: p.name.span });
    names.add(p.name.text);
  }
  if (!/\.(ts|mts|js|mjs)$/.test(decl.module.value)) {
    diagnostics.push(Diagnostics.CodecModuleKind(decl.module.value).at(decl.module.span));
  }
  const name = decl.name.text;
  return {
    name,
    nameSpan: decl.name.span,
    saveName: `save${name}`,
    loadName: `load${name}`,
    args,
    module: decl.module.value,
    modulePath: codecModulePath(schemaFile, decl.module.value),
    moduleSpan: decl.module.span,
  };
}

/** Whether a constant fits a scalar type; reports VMS3001/VMS3002 when it does not. */
export function valueFits(
  value: bigint | boolean,
  type: ScalarType,
  span: Span,
  diagnostics: Diagnostic[],
): boolean {
  if (type.kind === "bool") {
    if (typeof value === "boolean") return true;
    diagnostics.push(Diagnostics.TypeMismatch("a bool", "an integer").at(span));
    return false;
  }
  if (typeof value === "boolean") {
    diagnostics.push(
      Diagnostics.TypeMismatch(`an integer (${scalarName(type)})`, "a bool").at(span),
    );
    return false;
  }
  if (fits(value, type)) return true;
  diagnostics.push(Diagnostics.DoesNotFit(value, scalarName(type)).at(span));
  return false;
}
