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
    shownText(String(args[Number(i)] ?? "")),
  );
  return { code, severity: entry.severity, message, span, related };
}

/** The longest argument a message shows whole; the rest of a longer one is cut with `…`. */
export const MAX_SHOWN = 400;

/**
 * Text of the schema (a name, a literal, a character) as a message shows it: on one line, with
 * control characters, line and paragraph separators, the byte order mark and bidirectional
 * controls escaped (`\x1b`, `\u{202e}`), so a message can neither span lines nor send a
 * terminal control sequences; and cut after MAX_SHOWN characters.
 */
export function shownText(text: string): string {
  const cut = text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
  return escapeControls(cut);
}

export function escapeControls(text: string): string {
  return text.replace(
    // The ranges of invisible or line-breaking characters are the point of this pattern.
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069]/g,
    (c) => {
      const code = c.charCodeAt(0);
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u{${code.toString(16)}}`;
    },
  );
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
