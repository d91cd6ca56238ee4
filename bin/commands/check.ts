// `vmstate check FILE|DIR…`: every diagnostic of every schema; exit status 1 on any error.

import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { checkText } from "../../generator/index.js";
import { isDirectory, readText, schemaFiles } from "../io.js";
import { printDiagnostics, type OutputFormat } from "../report.js";

export function runCheck(files: readonly string[], format: OutputFormat): number {
  const sources = new Map<string, string>();
  for (const file of files.flatMap((f) => (isDirectory(f) ? schemaFiles(f) : [f]))) sources.set(file, readText(file));
  const diagnostics: Diagnostic[] = [];
  for (const [file, text] of [...sources]) {
    const result = checkText(text, file);
    diagnostics.push(...result.diagnostics);
    for (const [path, moduleText] of result.modules) sources.set(path, moduleText);
  }
  printDiagnostics(diagnostics, sources, format);
  return hasErrors(diagnostics) ? 1 : 0;
}
