// JSON with positions: a small parser that keeps the span of every value and every object key,
// so a finding in a QEMU dump can point at its line and column.

import { LineMap, type Span } from "../../diagnostics/span.js";

export type JsonNode =
  | { readonly kind: "object"; readonly entries: readonly JsonEntry[]; readonly span: Span }
  | { readonly kind: "array"; readonly items: readonly JsonNode[]; readonly span: Span }
  | { readonly kind: "string"; readonly value: string; readonly span: Span }
  | { readonly kind: "number"; readonly value: number; readonly span: Span }
  | { readonly kind: "boolean"; readonly value: boolean; readonly span: Span }
  | { readonly kind: "null"; readonly span: Span };

export interface JsonEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: JsonNode;
}

/** Text that is not JSON: where and why. */
export class JsonSyntaxError extends Error {
  constructor(
    readonly span: Span,
    message: string,
  ) {
    super(message);
  }
}

export function parseJson(text: string, file: string): JsonNode {
  return new JsonParser(text, file).document();
}

/** The value of `key` in an object node. */
export function member(node: JsonNode, key: string): JsonEntry | undefined {
  return node.kind === "object" ? node.entries.find((e) => e.key === key) : undefined;
}

/**
 * The deepest nesting of objects and arrays the parser takes (docs/security.md): it recurses, and
 * a QEMU dump nests about four levels per struct inside a struct, a few structs deep.
 */
export const MAX_JSON_DEPTH = 256;

class JsonParser {
  private pos = 0;
  private depth = 0;
  /** The line of `pos` (1-based) and the offset where it starts: kept as whitespace is skipped, since
   * only whitespace holds line breaks in JSON, so a span costs no search. */
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  document(): JsonNode {
    const value = this.value();
    this.space();
    if (this.pos < this.text.length) this.fail("unexpected text after the JSON value");
    return value;
  }

  private value(): JsonNode {
    this.space();
    const start = this.pos;
    const c = this.text[this.pos];
    if (c === "{" || c === "[") {
      if (this.depth >= MAX_JSON_DEPTH)
        this.fail(`objects and arrays nested more than ${MAX_JSON_DEPTH} deep`);
      this.depth++;
      const node = c === "{" ? this.object() : this.array();
      this.depth--;
      return node;
    }
    if (c === '"') return { kind: "string", value: this.string(), span: this.span(start) };
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, node] of [
      ["true", { kind: "boolean", value: true }],
      ["false", { kind: "boolean", value: false }],
      ["null", { kind: "null" }],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return { ...node, span: this.span(start) };
      }
    }
    return this.fail(
      c === undefined ? "unexpected end of the file" : `unexpected character '${c}'`,
    );
  }

  private object(): JsonNode {
    const [line, lineStart] = [this.line, this.lineStart];
    const start = this.pos++;
    const entries: JsonEntry[] = [];
    this.space();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return { kind: "object", entries, span: this.span(start, line, lineStart) };
    }
    for (;;) {
      this.space();
      const keyStart = this.pos;
      if (this.text[this.pos] !== '"') this.fail("expected a string key");
      const key = this.string();
      const keySpan = this.span(keyStart);
      this.space();
      this.expect(":");
      entries.push({ key, keySpan, value: this.value() });
      this.space();
      if (this.text[this.pos] === ",") {
        this.pos++;
        continue;
      }
      this.expect("}");
      return { kind: "object", entries, span: this.span(start, line, lineStart) };
    }
  }

  private array(): JsonNode {
    const [line, lineStart] = [this.line, this.lineStart];
    const start = this.pos++;
    const items: JsonNode[] = [];
    this.space();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return { kind: "array", items, span: this.span(start, line, lineStart) };
    }
    for (;;) {
      items.push(this.value());
      this.space();
      if (this.text[this.pos] === ",") {
        this.pos++;
        continue;
      }
      this.expect("]");
      return { kind: "array", items, span: this.span(start, line, lineStart) };
    }
  }

  private string(): string {
    const start = this.pos;
    // JSON strings hold no raw control characters (U+0000 to U+001F): the range is the point.
    // eslint-disable-next-line no-control-regex
    const end = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
    end.lastIndex = start;
    const m = end.exec(this.text);
    if (!m) {
      this.pos = start;
      return this.fail("a string that is not closed or has a bad escape");
    }
    this.pos = start + m[0].length;
    return m[0].includes("\\") ? (JSON.parse(m[0]) as string) : m[0].slice(1, -1);
  }

  private number(): JsonNode {
    const start = this.pos;
    const re = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    re.lastIndex = start;
    const m = re.exec(this.text);
    if (!m) return this.fail("a malformed number");
    this.pos = start + m[0].length;
    return { kind: "number", value: Number(m[0]), span: this.span(start) };
  }

  private space(): void {
    const text = this.text;
    for (; this.pos < text.length; this.pos++) {
      const c = text.charCodeAt(this.pos);
      if (c === 10) {
        this.line++;
        this.lineStart = this.pos + 1;
      } else if (c !== 32 && c !== 9 && c !== 13) return;
    }
  }

  private expect(c: string): void {
    if (this.text[this.pos] !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  /**
   * From `start` to here. `start` lies on this line unless told (an object or array): strings,
   * numbers and words hold no line break.
   */
  private span(start: number, line = this.line, lineStart = this.lineStart): Span {
    return {
      file: this.file,
      start,
      end: this.pos,
      line,
      column: start - lineStart + 1,
      endLine: this.line,
      endColumn: this.pos - this.lineStart + 1,
    };
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(
      new LineMap(this.file, this.text).span(this.pos, Math.min(this.pos + 1, this.text.length)),
      message,
    );
  }
}
