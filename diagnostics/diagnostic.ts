// The one Diagnostic type used from the lexer to the verifier.

import {
  messages,
  relatedMessages,
  type Arg,
  type ArgsOf,
  type Code,
  type MessageName,
  type RelatedName,
  type Severity,
} from "./catalog.js";
import type { Span } from "./span.js";

declare const relatedBrand: unique symbol;
/** A related place's text: made by `Related`, from the catalog only. */
export type RelatedText = string & { readonly [relatedBrand]: true };

export interface RelatedInfo {
  readonly span: Span;
  readonly message: RelatedText;
}

export interface Diagnostic {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly related: readonly RelatedInfo[];
}

/** A message of the catalog with its arguments filled, not yet placed. */
export interface Message {
  readonly code: Code;
  readonly severity: Severity;
  readonly message: string;
  at(span: Span, related?: readonly RelatedInfo[]): Diagnostic;
}

/** A related place's text, not yet placed. */
export interface RelatedMessage {
  readonly message: RelatedText;
  at(span: Span): RelatedInfo;
}

/** An argument as the message shows it (text escaped and cut: shownText). */
function shown(args: readonly Arg[]): Arg[] {
  return args.map((a) => (typeof a === "string" ? shownText(a) : a));
}

function message(name: MessageName, args: readonly Arg[]): Message {
  const entry = messages[name];
  const text = (entry.text as (...a: readonly Arg[]) => string)(...shown(args));
  return {
    code: entry.code,
    severity: entry.severity,
    message: text,
    at: (span, related = []) => ({
      code: entry.code,
      severity: entry.severity,
      message: text,
      span,
      related,
    }),
  };
}

/** `Diagnostics.NoBound("the count of 'x'").at(span)`: one builder per message of the catalog. */
export const Diagnostics = Object.fromEntries(
  Object.keys(messages).map((name) => [
    name,
    (...args: Arg[]) => message(name as MessageName, args),
  ]),
) as unknown as { readonly [N in MessageName]: (...args: ArgsOf<N>) => Message };

/** `Related.DeclaredHere("x").at(span)`: one builder per related text of the catalog. */
export const Related = Object.fromEntries(
  Object.entries(relatedMessages).map(([name, text]) => [
    name,
    (...args: Arg[]) => {
      const message = (text as (...a: readonly Arg[]) => string)(...shown(args)) as RelatedText;
      return { message, at: (span: Span) => ({ span, message }) };
    },
  ]),
) as unknown as {
  readonly [N in RelatedName]: (...args: Parameters<(typeof relatedMessages)[N]>) => RelatedMessage;
};

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
