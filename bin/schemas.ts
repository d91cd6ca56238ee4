// The schema files a command works on: read, checked (hand-written codecs verified) and planned,
// with every text read kept for code frames.

import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { checkText, codecCheckingProgram } from "../generator/index.js";
import type { SchemaFile } from "../generator/compat/index.js";
import { planSchema } from "../generator/plan/plan.js";
import { readText } from "./io.js";

/**
 * Checks each file, adding its diagnostics to `diagnostics` and its text (and those of its codec
 * modules) to `sources`; returns the plans of the files without errors.
 */
export function planSchemaFiles(
  files: readonly string[],
  sources: Map<string, string>,
  diagnostics: Diagnostic[],
): SchemaFile[] {
  const planned: SchemaFile[] = [];
  // One program: a file that several schemas import is checked, and reported, once.
  const program = codecCheckingProgram();
  for (const file of files) {
    const text = readText(file);
    sources.set(file, text);
    const checked = checkText(text, file, undefined, program);
    diagnostics.push(...checked.diagnostics);
    for (const [path, moduleText] of checked.modules) sources.set(path, moduleText);
    if (checked.model && checked.clean)
      planned.push({ file, text, plan: planSchema(checked.model) });
  }
  return planned;
}
