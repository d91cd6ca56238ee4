// Schema text → diagnostics and, when clean, the checked model: parsing and checking only, without
// the emitter (ts-morph) and the formatter (prettier), for the stream tools and the fuzzer.
// Hand-written codecs are verified only when the caller passes the verifier (generator/index.ts
// does): it needs ts-morph.

import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { parseSchema } from "../grammar/index.js";
import { checkSchema } from "./check/index.js";
import type { SchemaModel } from "./model.js";

export interface CheckResult {
  readonly diagnostics: Diagnostic[];
  readonly model: SchemaModel | undefined;
  /** Texts of the hand-written codec modules read, for code frames. */
  readonly modules: Map<string, string>;
}

export interface CheckOptions {
  /** Verifies the schema's hand-written codecs, filling `modules` with the texts it read. */
  readonly verifyCodecs?: (model: SchemaModel, modules: Map<string, string>) => Diagnostic[];
}

/** Parses and checks one schema. */
export function checkText(text: string, file: string, options: CheckOptions = {}): CheckResult {
  const modules = new Map<string, string>();
  const parsed = parseSchema(text, file);
  if (!parsed.schema)
    return { diagnostics: sortDiagnostics(parsed.diagnostics), model: undefined, modules };
  const checked = checkSchema(parsed.schema);
  const diagnostics = [...parsed.diagnostics, ...checked.diagnostics];
  if (options.verifyCodecs && !hasErrors(diagnostics))
    diagnostics.push(...options.verifyCodecs(checked.model, modules));
  return { diagnostics: sortDiagnostics(diagnostics), model: checked.model, modules };
}
