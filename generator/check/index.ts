// The checker: runs the check passes in order over one parsed schema.

import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import type * as A from "../../grammar/ast.js";
import type { SchemaModel } from "../model.js";
import { checkAvailability } from "./availability.js";
import { checkBounds } from "./bounds.js";
import { collectDeclarations, type ResolvedImport } from "./declarations.js";
import { bindLayouts } from "./layouts.js";
import { checkSubsections } from "./subsections.js";
import { checkVersions } from "./versions.js";

/** Per-layout passes; each reads the bound model and returns diagnostics. */
const layoutPasses = [checkAvailability, checkBounds, checkVersions, checkSubsections];

export type { ResolvedImport } from "./declarations.js";

/** Checks a parsed schema; `imports` are the files its imports name, already checked. */
export function checkSchema(
  schema: A.Schema,
  imports: readonly ResolvedImport[] = [],
): { model: SchemaModel; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const declarations = collectDeclarations(schema, imports, diagnostics);
  const { structs, sections } = bindLayouts(declarations, diagnostics);
  const imported = new Set(
    declarations.imports.flatMap((i) =>
      i.names.flatMap((n) => (n.kind === "codec" ? [n.model] : [])),
    ),
  );
  for (const layout of [...structs, ...sections]) {
    for (const pass of layoutPasses) diagnostics.push(...pass(layout));
  }
  const model: SchemaModel = {
    file: schema.file,
    imports: declarations.imports,
    docs: schema.docs,
    fileDoc: schema.fileDoc,
    consts: [...declarations.consts.values()],
    features: [...declarations.features.values()],
    params: [...declarations.params.values()],
    codecs: [...declarations.codecs.values()].filter((c) => !imported.has(c)),
    structs,
    sections,
  };
  return { model, diagnostics };
}
