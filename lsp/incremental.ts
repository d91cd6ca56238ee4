// Parsing for the language server: the compiler's own lexer, parser and AST builder (grammar/),
// run one top-level declaration at a time so that an edit re-parses only the declarations it
// touched. A declaration whose text is unchanged is taken from the previous parse, its spans moved
// to where it now is. Whenever anything does not lex or parse, the whole text goes through
// parseSchema, so diagnostics are exactly the CLI's.

import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { AstBuilder } from "../grammar/ast-builder.js";
import type { Item, Schema } from "../grammar/ast.js";
import { docComments, fileComment, type Comment } from "../grammar/docs.js";
import { topLevelDeclarations } from "../grammar/declarations.js";
import { tooDeep } from "../grammar/depth.js";
import { parseSchema } from "../grammar/index.js";
import { parser } from "../grammar/parser.js";
import * as t from "../grammar/tokens.js";
import { LineMap } from "../diagnostics/span.js";

interface Cached {
  readonly items: readonly Item[];
  readonly offset: number;
  readonly line: number;
}

export class IncrementalParser {
  private cache = new Map<string, Cached>();

  constructor(readonly file: string) {}

  parse(text: string): { schema: Schema | undefined; diagnostics: Diagnostic[] } {
    const lexed = t.vmstateLexer.tokenize(text);
    const whole = (): { schema: Schema | undefined; diagnostics: Diagnostic[] } => {
      this.cache.clear();
      return parseSchema(text, this.file);
    };
    // Text nested too deep is refused by parseSchema (VMS1007) before the parser recurses into it.
    if (lexed.errors.length > 0 || tooDeep(lexed.tokens) !== undefined) return whole();
    const chunks = topLevelDeclarations(lexed.tokens);
    if (!chunks) return whole();
    const next = new Map<string, Cached>();
    const items: Item[] = [];
    for (const chunk of chunks) {
      const first = chunk[0]!;
      const last = chunk[chunk.length - 1]!;
      const key = `${first.startColumn}:${text.slice(first.startOffset, last.startOffset + last.image.length)}`;
      let cached = this.cache.get(key) ?? next.get(key);
      if (!cached) {
        parser.input = chunk;
        const cst = parser.schema();
        if (parser.errors.length > 0) return whole();
        const builder = new AstBuilder(this.file);
        const built = builder.schema(cst).items;
        if (builder.diagnostics.length > 0) return whole();
        cached = { items: built, offset: first.startOffset, line: first.startLine ?? 1 };
      }
      next.set(key, cached);
      const dOffset = first.startOffset - cached.offset;
      const dLine = (first.startLine ?? 1) - cached.line;
      items.push(
        ...(dOffset === 0 && dLine === 0
          ? cached.items
          : (moved(cached.items, dOffset, dLine) as Item[])),
      );
    }
    this.cache = next;
    const lines = new LineMap(this.file, text);
    const comments = (lexed.groups["comments"] ?? []).map((c): Comment => ({
      text: c.image,
      span: lines.span(c.startOffset, c.startOffset + c.image.length),
    }));
    return {
      schema: {
        file: this.file,
        items,
        comments,
        docs: docComments({ items }, comments, text),
        fileDoc: fileComment(comments, text),
      },
      diagnostics: [],
    };
  }
}

/**
 * A copy of a syntax tree with every span moved by `dOffset` characters and `dLine` lines. By an
 * explicit stack: a chain of binary operators is a tree as deep as the chain is long.
 */
function moved(value: unknown, dOffset: number, dLine: number): unknown {
  const pending: [unknown, Record<string, unknown>, string][] = [];
  const copy = (v: unknown): unknown => {
    if (typeof v !== "object" || v === null) return v;
    const o = v as Record<string, unknown>;
    if (
      typeof o["start"] === "number" &&
      typeof o["endLine"] === "number" &&
      typeof o["file"] === "string"
    )
      return {
        ...o,
        start: o["start"] + dOffset,
        end: (o["end"] as number) + dOffset,
        line: (o["line"] as number) + dLine,
        endLine: o["endLine"] + dLine,
      };
    const out = (Array.isArray(v) ? new Array<unknown>(v.length) : {}) as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      out[k] = undefined; // the copy keeps the order of the keys
      pending.push([o[k], out, k]);
    }
    return out;
  };
  const root = copy(value);
  for (let task = pending.pop(); task !== undefined; task = pending.pop())
    task[1][task[2]] = copy(task[0]);
  return root;
}
