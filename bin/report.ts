// Printing diagnostics in the format the user asked for.

import type { Diagnostic } from "../diagnostics/diagnostic.js";
import {
  formatDiagnosticsJson,
  formatDiagnosticsText,
  type SourceTexts,
} from "../diagnostics/format.js";

export type OutputFormat = "text" | "json";

export function printDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: SourceTexts,
  format: OutputFormat,
): void {
  if (format === "json") {
    process.stdout.write(formatDiagnosticsJson(diagnostics));
    return;
  }
  const text = formatDiagnosticsText(diagnostics, sources);
  if (text) process.stdout.write(text);
}
