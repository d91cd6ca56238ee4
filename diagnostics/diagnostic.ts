// The one Diagnostic type used from the lexer to the verifier.

import { catalog, type Code, type Severity } from "./catalog.js";
import type { Span } from "./span.js";

export interface RelatedInfo {
  readonly span: Span;
  readonly message: string;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly related: readonly RelatedInfo[];
}

/** Builds a diagnostic from the catalog entry `code`, filling `{n}` with `args[n]`. */
export function diagnostic(
  code: Code,
  span: Span,
  args: readonly (string | number | bigint)[] = [],
  related: readonly RelatedInfo[] = [],
): Diagnostic {
  const entry = catalog[code];
  const message = entry.message.replace(/\{(\d+)\}/g, (_, i: string) =>
    String(args[Number(i)] ?? ""),
  );
  return { code, severity: entry.severity, message, span, related };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorted by file, then position, then code: the order in which diagnostics are printed. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.span.file.localeCompare(b.span.file) ||
      a.span.start - b.span.start ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}
