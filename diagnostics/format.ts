// Prints diagnostics like a compiler: `path:line:col - error VMSnnnn: message` plus a code frame.

import { escapeControls, type Diagnostic } from "./diagnostic.js";
import { LineMap, type Span } from "./span.js";

/** Source texts by file name, for code frames. */
export type SourceTexts = ReadonlyMap<string, string>;

export function formatDiagnosticsText(
  diagnostics: readonly Diagnostic[],
  sources: SourceTexts,
): string {
  const maps = new Map<string, LineMap>();
  const mapFor = (file: string): LineMap | undefined => {
    let map = maps.get(file);
    if (!map) {
      const text = sources.get(file);
      if (text === undefined) return undefined;
      map = new LineMap(file, text);
      maps.set(file, map);
    }
    return map;
  };
  const blocks = diagnostics.map((d) => {
    const lines = [`${location(d.span)} - ${d.severity} ${d.code}: ${d.message}`];
    const frame = codeFrame(d.span, mapFor(d.span.file));
    if (frame) lines.push("", frame);
    for (const r of d.related) {
      lines.push("", `  ${location(r.span)} - ${r.message}`);
      const relatedFrame = codeFrame(r.span, mapFor(r.span.file), "    ");
      if (relatedFrame) lines.push(relatedFrame);
    }
    return lines.join("\n");
  });
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length === 0) return "";
  const summary = [
    errors ? plural(errors, "error") : "",
    warnings ? plural(warnings, "warning") : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `${blocks.join("\n\n")}\n\nFound ${summary}.\n`;
}

export function formatDiagnosticsJson(diagnostics: readonly Diagnostic[]): string {
  const plain = diagnostics.map((d) => ({
    file: d.span.file,
    line: d.span.line,
    column: d.span.column,
    endLine: d.span.endLine,
    endColumn: d.span.endColumn,
    severity: d.severity,
    code: d.code,
    message: d.message,
    related: d.related.map((r) => ({
      file: r.span.file,
      line: r.span.line,
      column: r.span.column,
      endLine: r.span.endLine,
      endColumn: r.span.endColumn,
      message: r.message,
    })),
  }));
  return JSON.stringify(plain, null, 2) + "\n";
}

function location(span: Span): string {
  return `${span.file}:${span.line}:${span.column}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** How much of a long line a code frame shows before and after the span's start. */
const FRAME_BEFORE = 60;
const FRAME_AFTER = 80;

/**
 * The source line of the span's start with `~` under the spanned part (to the line's end at most).
 * A long line is shown around the span, cut with `…`; control characters are escaped (`\x1b`), so
 * a binary file or a line of megabytes gives a frame of one short line.
 */
function codeFrame(span: Span, map: LineMap | undefined, indent = ""): string | undefined {
  if (!map) return undefined;
  const whole = map.lineText(span.line);
  const gutter = String(span.line);
  const at = span.column - 1;
  const width =
    span.endLine === span.line
      ? Math.max(1, span.endColumn - span.column)
      : Math.max(1, whole.length - span.column + 1);
  const from = Math.max(0, at - FRAME_BEFORE);
  const to = Math.min(whole.length, at + Math.max(width, 1) + FRAME_AFTER, at + FRAME_AFTER * 2);
  // Tabs stay, for the underline to line up with them.
  const shown = (text: string): string => text.split("\t").map(escapeControls).join("\t");
  const raw = whole.slice(at, Math.min(at + width, to));
  const before = (from > 0 ? "…" : "") + shown(whole.slice(from, at));
  const spanned = shown(raw);
  const after = shown(whole.slice(at + raw.length, to)) + (to < whole.length ? "…" : "");
  const text = before + spanned + after;
  const pad = " ".repeat(gutter.length);
  const under = before.replace(/[^\t]/g, " ") + "~".repeat(Math.max(1, spanned.length));
  return `${indent}${gutter} ${text}\n${indent}${pad} ${under}`;
}
