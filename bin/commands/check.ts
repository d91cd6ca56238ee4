// `vmstate check FILE|DIR…`: every diagnostic of every schema; exit status 1 on any error.

import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { printDiagnostics, type OutputFormat } from "../report.js";
import { schemaInputs } from "../io.js";
import { planSchemaFiles } from "../schemas.js";

export async function runCheck(files: readonly string[], format: OutputFormat): Promise<number> {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  await planSchemaFiles(schemaInputs(files), sources, diagnostics);
  printDiagnostics(diagnostics, sources, format);
  return hasErrors(diagnostics) ? 1 : 0;
}
