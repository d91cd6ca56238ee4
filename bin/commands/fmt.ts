// `vmstate fmt FILE|DIR... [--check]`: schemas in the canonical layout (format/format.ts). Files
// are rewritten in place, each atomically, only when their text changes; with --check nothing is
// written and every file not in the layout is named. A file with a syntax error is reported with
// its diagnostics and left as it is.

import type { Diagnostic } from "../../diagnostics/diagnostic.js";
import { formatSchema } from "../../format/format.js";
import { readText, schemaInputs, writeAtomically } from "../io.js";
import { printDiagnostics, type OutputFormat } from "../report.js";

export interface FmtOptions {
  readonly files: readonly string[];
  readonly check: boolean;
  readonly format: OutputFormat;
}

export function runFmt(options: FmtOptions): number {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const unformatted: string[] = [];
  for (const file of schemaInputs(options.files)) {
    const text = readText(file);
    sources.set(file, text);
    const result = formatSchema(text, file);
    if (result.text === undefined) {
      diagnostics.push(...result.diagnostics);
      continue;
    }
    if (result.text === text) continue;
    if (options.check) unformatted.push(file);
    else writeAtomically(file, result.text);
  }
  printDiagnostics(diagnostics, sources, options.format);
  for (const file of unformatted) process.stdout.write(`${file}: not formatted\n`);
  return diagnostics.length > 0 || unformatted.length > 0 ? 1 : 0;
}
