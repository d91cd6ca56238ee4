// The formatter: one canonical layout for .vmstate text (docs/language.md, "Layout"). It works on
// the tokens of the compiler's own lexer and parser, so it keeps every token as written (literals,
// parentheses, names) and every comment, and changes only the white space between them: the
// formatted text parses to the same syntax tree and has the same doc comments.

import type { CstElement, CstNode, ILexingResult, IToken, TokenType } from "chevrotain";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { topLevelDeclarations } from "../grammar/declarations.js";
import { tooDeep } from "../grammar/depth.js";
import { parseSchema } from "../grammar/index.js";
import { parser } from "../grammar/parser.js";
import * as t from "../grammar/tokens.js";

export interface FormatResult {
  /** The formatted text; absent when the text has a syntax error (see `diagnostics`). */
  readonly text: string | undefined;
  readonly diagnostics: Diagnostic[];
}

/** How one token is used, where its spacing depends on it. */
interface Roles {
  /** `!x`, `~x`, `-x`: no space after. */
  readonly prefix: Set<number>;
  /** `c ? a : b`: spaces on both sides of `?` and `:`. */
  readonly conditional: Set<number>;
  /** `has(x)`, `Queue(msix)`, `struct S(a: u8)`: no space before the `(`. */
  readonly callParen: Set<number>;
  /** `if`, `since`, `equals`, `was` after a field's type: a long line may break before them. */
  readonly clause: Set<number>;
  /** The braces of `import { A, B } from "…";`: a list on the line, not a block. */
  readonly inlineBraces: Set<number>;
}

type Element =
  | { readonly kind: "token"; readonly token: IToken; readonly start: number; readonly end: number }
  | {
      readonly kind: "comment";
      readonly text: string;
      readonly line: boolean;
      readonly start: number;
      readonly end: number;
    };

const INDENT = "  ";
/** A statement longer than this is broken at its top-level `&&`, `||`, `??`, `?`, `:`, clauses and `,`. */
export const WIDTH = 100;
/** A statement that a line comment breaks goes on with this much more indentation. */
const CONTINUATION = "    ";

/**
 * Formats text, keeping what it learnt of each top-level declaration for the next text: the
 * language server formats a document after every edit, and an edit changes one declaration.
 */
export class Formatter {
  /** The roles of each declaration's tokens, by its text, at offsets from its first token. */
  private cache = new Map<string, Roles>();

  /** The text in the canonical layout, or the syntax errors that prevent formatting it. */
  format(text: string, file = "<input>"): FormatResult {
    const lexed = t.vmstateLexer.tokenize(text);
    const broken =
      lexed.errors.length > 0 ||
      lexed.tokens.some(
        (tok) => tok.tokenType === t.UnterminatedString || tok.tokenType === t.UnterminatedComment,
      );
    // Text nested too deep is refused by parseSchema (VMS1007) before the parser recurses into it.
    if (broken || tooDeep(lexed.tokens) !== undefined)
      return { text: undefined, diagnostics: parseSchema(text, file).diagnostics };
    const roles = this.roles(text, lexed.tokens);
    if (!roles) return { text: undefined, diagnostics: parseSchema(text, file).diagnostics };
    return { text: layout(text, elementsOf(lexed), roles), diagnostics: [] };
  }

  /** The roles of every token, declaration by declaration; undefined on a syntax error. */
  private roles(text: string, tokens: IToken[]): Roles | undefined {
    const whole = (): Roles | undefined => {
      this.cache.clear();
      return rolesOf(tokens, 0);
    };
    const chunks = topLevelDeclarations(tokens);
    if (!chunks) return whole();
    const all = noRoles();
    const next = new Map<string, Roles>();
    for (const chunk of chunks) {
      const first = chunk[0]!;
      const last = chunk[chunk.length - 1]!;
      const base = first.startOffset;
      const key = text.slice(base, last.startOffset + last.image.length);
      const roles = this.cache.get(key) ?? next.get(key) ?? rolesOf(chunk, base);
      // Whatever a declaration alone does not parse as, the whole text decides.
      if (!roles) return whole();
      next.set(key, roles);
      for (const k of ROLE_KINDS) for (const at of roles[k]) all[k].add(at + base);
    }
    this.cache = next;
    return all;
  }
}

/** The text in the canonical layout, or the syntax errors that prevent formatting it. */
export function formatSchema(text: string, file = "<input>"): FormatResult {
  return new Formatter().format(text, file);
}

function noRoles(): Roles {
  return {
    prefix: new Set(),
    conditional: new Set(),
    callParen: new Set(),
    clause: new Set(),
    inlineBraces: new Set(),
  };
}

/** The kinds of role, from the one place that lists them. */
const ROLE_KINDS = Object.keys(noRoles()) as (keyof Roles)[];

/** The roles of the tokens of whole declarations, at offsets less `base`; undefined if they do not parse. */
function rolesOf(tokens: IToken[], base: number): Roles | undefined {
  parser.input = tokens;
  const cst = parser.schema();
  if (parser.errors.length > 0) return undefined;
  const roles = noRoles();
  classify(cst, roles, base);
  return roles;
}

/** The tokens and comments of lexed text, in the order of the text. */
function elementsOf(lexed: ILexingResult): Element[] {
  return [
    ...lexed.tokens.map((token): Element => ({
      kind: "token",
      token,
      start: token.startOffset,
      end: token.startOffset + token.image.length,
    })),
    ...(lexed.groups["comments"] ?? []).map((c): Element => ({
      kind: "comment",
      text: c.image,
      line: c.tokenType === t.LineComment,
      start: c.startOffset,
      end: c.startOffset + c.image.length,
    })),
  ].sort((a, b) => a.start - b.start);
}

/** Whether `text` is already in the canonical layout (false also when it cannot be formatted). */
export function isFormatted(text: string): boolean {
  return formatSchema(text).text === text;
}

/** The offsets of the tokens whose spacing depends on their use: one walk of the syntax tree. */
function classify(node: CstNode, roles: Roles, base: number): void {
  const children = node.children as Record<string, CstElement[] | undefined>;
  const mark = (key: string, into: Set<number>): void => {
    const list = children[key];
    if (list) for (const tok of list) into.add((tok as IToken).startOffset - base);
  };
  switch (node.name) {
    case "unary":
      mark("prefix", roles.prefix);
      break;
    case "expression":
      mark("Question", roles.conditional);
      mark("Colon", roles.conditional);
      break;
    case "subsectionDecl":
      mark("Needed", roles.clause);
      break;
    case "clauses":
      for (const key of CLAUSE_KEYWORDS) mark(key, roles.clause);
      break;
    case "importDecl":
      mark("LCurly", roles.inlineBraces);
      mark("RCurly", roles.inlineBraces);
      break;
    case "structDecl":
    case "codecDecl":
    case "namedType":
    case "primary":
      mark("LParen", roles.callParen);
      break;
  }
  // Tokens have no `children`; a rule's children are walked in place (this runs on every edit).
  for (const key in children) {
    const list = children[key]!;
    for (let i = 0; i < list.length; i++) {
      const child = list[i]!;
      if ("children" in child) classify(child, roles, base);
    }
  }
}

const CLAUSE_KEYWORDS = ["If", "Since", "Equals", "Was"] as const;

const BRACED_ITEMS: readonly TokenType[] = [t.Struct, t.Section, t.Features];
const NO_SPACE_BEFORE: readonly TokenType[] = [
  t.Semicolon,
  t.Comma,
  t.RParen,
  t.RBracket,
  t.Dot,
  t.LBracket,
];
const NO_SPACE_AFTER: readonly TokenType[] = [t.LParen, t.LBracket, t.Dot];

/** The space between two tokens on one line. */
function space(prev: IToken, next: IToken, roles: Roles): string {
  const type = next.tokenType;
  if (NO_SPACE_BEFORE.includes(type)) return "";
  if (NO_SPACE_AFTER.includes(prev.tokenType)) return "";
  if (roles.prefix.has(prev.startOffset)) return "";
  if (type === t.LParen) return roles.callParen.has(next.startOffset) ? "" : " ";
  if (type === t.Colon || type === t.Question)
    return roles.conditional.has(next.startOffset) ? " " : "";
  return " ";
}

function layout(text: string, elements: readonly Element[], roles: Roles): string {
  const lines: string[] = [];
  let current = "";
  let depth = 0;
  /** The last token written, and whether the last element written was a comment. */
  let last: IToken | undefined;
  let lastWasComment = false;
  let lastWasOpen = false;
  /** After `;`, `{`, `}` or a line comment, the next element starts a line. */
  let mustBreak = false;
  /** A top-level `}` was written: a blank line follows it. */
  let afterBlock = false;
  /** The line being written starts with a comment of its own. */
  let commentLine = false;
  let previousEnd = 0;
  /** Offsets in `current` of the spaces where a long line may break, and the bracket nesting. */
  let breaks: number[] = [];
  let nesting = 0;
  let afterComma = false;
  /** The line being written already continues a statement (after a comment inside it). */
  let statementContinues = false;

  const flush = (): void => {
    if (current.length <= WIDTH || breaks.length === 0 || current.includes("\n")) {
      lines.push(current);
      return;
    }
    const continuation = /^ */.exec(current)![0] + (statementContinues ? "" : CONTINUATION);
    let line = current.slice(0, breaks[0]);
    for (let k = 0; k < breaks.length; k++) {
      const chunk = current.slice(breaks[k]! + 1, breaks[k + 1] ?? current.length);
      if (line.length + 1 + chunk.length > WIDTH && line.trim() !== "") {
        lines.push(line);
        line = continuation + chunk;
      } else line += ` ${chunk}`;
    }
    lines.push(line);
  };

  /** A `{` or `}` that opens or closes a block (not an import's list). */
  const isBlock = (tok: IToken, type: TokenType): boolean =>
    tok.tokenType === type && !roles.inlineBraces.has(tok.startOffset);

  const atStatementStart = (): boolean =>
    last === undefined ||
    last.tokenType === t.Semicolon ||
    isBlock(last, t.LCurly) ||
    isBlock(last, t.RCurly);

  /** Whether `elements[i]`, or the comments it heads, start a struct, section or features block. */
  const headsBlock = (i: number): boolean => {
    for (let j = i; j < elements.length; j++) {
      const e = elements[j]!;
      if (j > i && newlines(text, elements[j - 1]!.end, e.start) !== 1) return false;
      if (e.kind === "token") return BRACED_ITEMS.includes(e.token.tokenType);
    }
    return false;
  };

  const startLine = (i: number, closing: boolean): void => {
    const e = elements[i]!;
    const gap = newlines(text, previousEnd, e.start);
    const statementStart = atStatementStart();
    let blank = false;
    if (lines.length > 0 || current !== "") {
      if (closing || !statementStart) blank = false;
      // After `/* … */ struct S {`, a blank line keeps that comment from documenting what follows.
      else if (gap >= 2 && (commentLine || !lastWasOpen)) blank = true;
      else if (lastWasOpen) blank = false;
      // A comment that opens the line before (`/* … */ }`) documents what comes next: no blank.
      else if (commentLine) blank = false;
      else if (afterBlock) blank = true;
      else if (depth === 0 && !lastWasComment && headsBlock(i)) blank = true;
    }
    if (current !== "" || lines.length > 0) flush();
    if (blank) lines.push("");
    current = INDENT.repeat(depth) + (statementStart ? "" : CONTINUATION);
    statementContinues = !statementStart;
    breaks = [];
    afterBlock = false;
    commentLine = e.kind === "comment";
  };

  elements.forEach((e, i) => {
    const gap = newlines(text, previousEnd, e.start);
    if (e.kind === "comment") {
      const trailing = (current.trim() !== "" || lines.length > 0) && gap === 0 && i > 0;
      if (trailing) current += ` ${e.text}`;
      else {
        startLine(i, false);
        current += e.text;
      }
      if (e.line) mustBreak = true;
      else if (!trailing) mustBreak = false;
      lastWasComment = true;
      lastWasOpen = false;
    } else {
      const tok = e.token;
      const closing = isBlock(tok, t.RCurly);
      if (closing) depth--;
      const first = lines.length === 0 && current === "";
      if (first) current = "";
      else if (mustBreak || (lastWasComment && gap > 0)) startLine(i, closing);
      else if (closing && !(lastWasComment && commentLine)) startLine(i, closing);
      else if (lastWasComment) current += " ";
      else {
        const gapText = space(last!, tok, roles);
        if (gapText === " " && nesting === 0 && (afterComma || breaksBefore(tok, roles)))
          breaks.push(current.length);
        current += gapText;
      }
      if (atStatementStart()) nesting = 0;
      current += tok.image;
      if (tok.tokenType === t.LParen || tok.tokenType === t.LBracket) nesting++;
      if (tok.tokenType === t.RParen || tok.tokenType === t.RBracket) nesting--;
      afterComma = tok.tokenType === t.Comma && nesting === 0;
      const opening = isBlock(tok, t.LCurly);
      if (opening) depth++;
      mustBreak = opening || tok.tokenType === t.Semicolon || closing;
      afterBlock = closing && depth === 0;
      last = tok;
      lastWasComment = false;
      lastWasOpen = opening;
    }
    previousEnd = e.end;
  });
  if (current !== "" || lines.length > 0) flush();
  const out = lines.map((line) => line.trimEnd()).join("\n");
  return out === "" ? "" : `${out}\n`;
}

const BREAK_BEFORE: readonly TokenType[] = [t.AndAnd, t.OrOr, t.QuestionQuestion];

/** Whether a long line may break before `tok` (at the top level of its statement). */
function breaksBefore(tok: IToken, roles: Roles): boolean {
  return (
    BREAK_BEFORE.includes(tok.tokenType) ||
    roles.clause.has(tok.startOffset) ||
    roles.conditional.has(tok.startOffset)
  );
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}
