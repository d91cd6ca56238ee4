// `vmstate export-qemu-dump [FILE|DIR...] [-o FILE] [--machine NAME]`: schemas in QEMU's
// -dump-vmstate JSON format, for QEMU's own scripts/vmstate-static-checker.py and `compat --qemu-dump`.

import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { exportDump, printDumpJson } from "../../generator/compat/export-dump.js";
import { schemaInputs, writeAtomically } from "../io.js";
import { printDiagnostics, type OutputFormat } from "../report.js";
import { planSchemaFiles } from "../schemas.js";

export interface ExportOptions {
  readonly files: readonly string[];
  readonly output: string | undefined;
  readonly machine: string | undefined;
  readonly format: OutputFormat;
}

export async function runExportDump(options: ExportOptions): Promise<number> {
  const inputs = schemaInputs(options.files.length === 0 ? ["schemas"] : options.files);
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const plans = (await planSchemaFiles(inputs, sources, diagnostics)).map((s) => s.plan);
  if (hasErrors(diagnostics)) {
    printDiagnostics(diagnostics, sources, options.format);
    return 1;
  }
  const text = `${printDumpJson(exportDump(plans, options.machine))}\n`;
  if (options.output === undefined) process.stdout.write(text);
  else writeAtomically(options.output, text);
  return 0;
}
