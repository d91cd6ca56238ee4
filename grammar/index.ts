// Grammar entry point: text → tokens → CST → AST, with every lexical and syntax error as a diagnostic.

import { Diagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { ParserMessage } from "../diagnostics/catalog.js";
import { LineMap } from "../diagnostics/span.js";
import type { Schema } from "./ast.js";
import { docComments, fileComment, type Comment } from "./docs.js";
import { AstBuilder } from "./ast-builder.js";
import { MAX_NESTING, tooDeep } from "./depth.js";
import { parser } from "./parser.js";
import { UnterminatedComment, UnterminatedString, vmstateLexer } from "./tokens.js";

export interface ParseResult {
  /** Present only when the text has no syntax error: later passes never see a repaired tree. */
  readonly schema: Schema | undefined;
  readonly diagnostics: Diagnostic[];
}

/** The most lexical errors, and the most syntax errors, reported for one text. */
export const MAX_SYNTAX_ERRORS = 20;

export function parseSchema(text: string, file: string): ParseResult {
  const lines = new LineMap(file, text);
  const diagnostics: Diagnostic[] = [];
  const lexed = vmstateLexer.tokenize(text);

  // A file that is not a schema (a binary one) has errors everywhere: the first ones say so.
  for (const error of lexed.errors.slice(0, MAX_SYNTAX_ERRORS)) {
    const char = text.slice(error.offset, error.offset + 1);
    diagnostics.push(
      Diagnostics.UnexpectedCharacter(char).at(
        lines.span(error.offset, error.offset + Math.max(1, error.length)),
      ),
    );
  }
  // Unterminated strings and comments lex as tokens of their own so the message can say what is wrong.
  const tokens = lexed.tokens.filter((tok) => {
    if (tok.tokenType === UnterminatedString) {
      diagnostics.push(
        Diagnostics.UnterminatedString().at(
          lines.span(tok.startOffset, tok.startOffset + tok.image.length),
        ),
      );
      return false;
    }
    if (tok.tokenType === UnterminatedComment) {
      diagnostics.push(
        Diagnostics.UnterminatedComment().at(lines.span(tok.startOffset, tok.startOffset + 2)),
      );
      return false;
    }
    return true;
  });

  // Text nested deeper than the passes may recurse is refused before the parser recurses into it.
  const deep = tooDeep(tokens);
  if (deep !== undefined) {
    const span = lines.span(deep.startOffset, deep.startOffset + deep.image.length);
    diagnostics.push(Diagnostics.NestedTooDeep(MAX_NESTING).at(span));
    return { schema: undefined, diagnostics: diagnostics.slice(0, MAX_SYNTAX_ERRORS) };
  }

  parser.input = tokens;
  const cst = parser.schema();
  for (const error of parser.errors.slice(0, MAX_SYNTAX_ERRORS)) {
    const tok = error.token;
    const start = Number.isNaN(tok.startOffset) ? text.length : tok.startOffset;
    const end = Number.isNaN(tok.startOffset) ? text.length : start + tok.image.length;
    diagnostics.push(
      // The parser's messages come from its error provider (parser.ts), which builds parserMessages.
      Diagnostics.SyntaxError(error.message as ParserMessage).at(
        lines.span(start, Math.max(end, start)),
      ),
    );
  }
  if (diagnostics.length > 0)
    return { schema: undefined, diagnostics: diagnostics.slice(0, MAX_SYNTAX_ERRORS) };

  const builder = new AstBuilder(file);
  const { items } = builder.schema(cst);
  diagnostics.push(...builder.diagnostics);
  if (diagnostics.length > 0) return { schema: undefined, diagnostics };
  const comments = (lexed.groups["comments"] ?? []).map((c): Comment => ({
    text: c.image,
    span: lines.span(c.startOffset, c.startOffset + c.image.length),
  }));
  const schema: Schema = {
    file,
    items,
    comments,
    docs: docComments({ items }, comments, text),
    fileDoc: fileComment(comments, text),
  };
  return { schema, diagnostics };
}
