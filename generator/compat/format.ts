// Compatibility diagnostics as text (the compiler format, with the rule and the directions it
// breaks after each message) and as JSON (the check format plus `rule` and `direction`).

import {
  formatDiagnosticsJson,
  formatDiagnosticsText,
  type SourceTexts,
} from "../../diagnostics/format.js";
import { directionText, type CompatDiagnostic } from "./finding.js";

export function formatCompatText(
  diagnostics: readonly CompatDiagnostic[],
  sources: SourceTexts,
): string {
  const shown = diagnostics.map((d) => ({
    ...d,
    message: `${d.message} [${d.rule}, ${d.severity === "error" ? "breaks " : ""}${directionText[d.direction]}]`,
  }));
  return formatDiagnosticsText(shown, sources);
}

export function formatCompatJson(diagnostics: readonly CompatDiagnostic[]): string {
  const plain = JSON.parse(formatDiagnosticsJson(diagnostics)) as Record<string, unknown>[];
  const out = plain.map((d, i) => {
    const { related, ...rest } = d;
    return { ...rest, rule: diagnostics[i]!.rule, direction: diagnostics[i]!.direction, related };
  });
  return JSON.stringify(out, null, 2) + "\n";
}
