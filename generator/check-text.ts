// Schema text → diagnostics and, when clean, the checked model: parsing and checking only, without
// the emitter (ts-morph) and the formatter (prettier), for the stream tools and the fuzzer.

import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { parseSchema } from "../grammar/index.js";
import { checkSchema } from "./check/index.js";
import type { SchemaModel } from "./model.js";

export interface CheckResult {
  readonly diagnostics: Diagnostic[];
  readonly model: SchemaModel | undefined;
}

/** Parses and checks one schema. */
export function checkText(text: string, file: string): CheckResult {
  const parsed = parseSchema(text, file);
  if (!parsed.schema) return { diagnostics: sortDiagnostics(parsed.diagnostics), model: undefined };
  const checked = checkSchema(parsed.schema);
  return { diagnostics: sortDiagnostics([...parsed.diagnostics, ...checked.diagnostics]), model: checked.model };
}
