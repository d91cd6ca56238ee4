// Doc comments: which comment of a schema documents which declaration. A declaration's doc is the
// block of comments on the lines right above it (each on a line of its own, no blank line in
// between) and a `//` comment after it on its last line. The generator turns them into JSDoc and
// code comments (generator/emit), so that generated code says what the schema says.

import type { Span } from "../diagnostics/span.js";
import type { Item, Member, Schema } from "./ast.js";

/** A comment as written: `// …` or `/* … *\/`, with its span. */
export interface Comment {
  readonly text: string;
  readonly span: Span;
}

/** The words of a comment without its markers: `// a` is `a`, a block loses `/*`, `*\/` and leading `*`s. */
export function commentBody(comment: Comment): string {
  if (comment.text.startsWith("//")) return comment.text.slice(2).replace(/^ /, "").trimEnd();
  return comment.text
    .slice(2, -2)
    .split("\n")
    .map((line) => line.replace(/^\s*\*? ?/, "").trimEnd())
    .join("\n")
    .trim();
}

/** Everything that can carry a doc, with the span from its first token to its last. */
function declarations(schema: Pick<Schema, "items">): Span[] {
  const spans: Span[] = [];
  const member = (m: Member): void => {
    spans.push(m.span);
    if (m.kind === "subsection") m.members.forEach(member);
  };
  const item = (i: Item): void => {
    spans.push(i.span);
    if (i.kind === "features") for (const bit of i.bits) spans.push(bit.span);
    if (i.kind === "struct" || i.kind === "section") i.members.forEach(member);
  };
  schema.items.forEach(item);
  return spans;
}

/**
 * The doc of each declaration, keyed by the line it starts on (every model keeps a span on that
 * line). `text` is the schema, to tell a comment on a line of its own from one after code.
 */
export function docComments(
  schema: Pick<Schema, "items">,
  comments: readonly Comment[],
  text: string,
): Map<number, string> {
  const ownLine = (c: Comment): boolean => {
    const lineStart = text.lastIndexOf("\n", c.span.start - 1) + 1;
    return text.slice(lineStart, c.span.start).trim() === "";
  };
  /** The comment that ends on each line, and the line comments that start on each line. */
  const endingOn = new Map<number, Comment>();
  const trailingOn = new Map<number, Comment>();
  for (const c of comments) {
    endingOn.set(c.span.endLine, c);
    if (c.text.startsWith("//") && !ownLine(c)) trailingOn.set(c.span.line, c);
  }
  const docs = new Map<number, string>();
  for (const span of declarations(schema)) {
    if (docs.has(span.line)) continue;
    const parts: string[] = [];
    for (let line = span.line - 1; ;) {
      const c = endingOn.get(line);
      if (!c || !ownLine(c) || c.span.end > span.start) break;
      parts.unshift(commentBody(c));
      line = c.span.line - 1;
    }
    const trailing = trailingOn.get(span.endLine);
    if (
      trailing &&
      trailing.span.start >= span.end &&
      text.slice(span.end, trailing.span.start).trim() === ""
    )
      parts.push(commentBody(trailing));
    if (parts.length > 0) docs.set(span.line, parts.join("\n"));
  }
  return docs;
}

/** The comments at the top of the file before anything else, when a blank line parts them from it. */
export function fileComment(comments: readonly Comment[], text: string): string | undefined {
  const first = comments[0];
  if (!first || text.slice(0, first.span.start).trim() !== "") return undefined;
  const block = [first];
  for (const c of comments.slice(1)) {
    const gap = text.slice(block[block.length - 1]!.span.end, c.span.start);
    if (gap.trim() !== "" || gap.split("\n").length > 2) break;
    block.push(c);
  }
  const after = text.slice(block[block.length - 1]!.span.end);
  const blank = /^[ \t]*\n[ \t]*\n/.test(after) || after.trim() === "";
  return blank ? block.map(commentBody).join("\n") : undefined;
}
