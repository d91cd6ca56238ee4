// The parser: the syntax tree it builds, operator precedence, and recovery from errors.

import { describe, expect, it } from "vitest";
import type { Expr } from "../grammar/ast.js";
import { parseSchema } from "../grammar/index.js";

function expression(source: string): string {
  const parsed = parseSchema(`section s "s" version 1 { let x = ${source}; }`, "t.vmstate");
  expect(parsed.diagnostics).toEqual([]);
  const section = parsed.schema!.items[0]!;
  const member = section.kind === "section" ? section.members[0] : undefined;
  return show(member?.kind === "let" ? member.value : undefined);
}

function show(e: Expr | undefined): string {
  if (!e) return "?";
  switch (e.kind) {
    case "int":
      return String(e.value);
    case "bool":
      return String(e.value);
    case "name":
      return e.name;
    case "member":
      return `${show(e.object)}.${e.member.text}`;
    case "index":
      return `${show(e.object)}[${show(e.index)}]`;
    case "call":
      return `${e.callee.text}(${e.args.map(show).join(", ")})`;
    case "unary":
      return `(${e.op}${show(e.operand)})`;
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "conditional":
      return `(${show(e.test)} ? ${show(e.then)} : ${show(e.else)})`;
  }
}

describe("expressions", () => {
  it.each([
    ["1 + 2 * 3", "(1 + (2 * 3))"],
    ["1 - 2 - 3", "((1 - 2) - 3)"],
    ["a << 2 + 1", "(a << (2 + 1))"],
    ["a & b == c", "(a & (b == c))"],
    ["a | b ^ c & d", "(a | (b ^ (c & d)))"],
    ["a < b && b <= c || !d", "(((a < b) && (b <= c)) || (!d))"],
    ["x ?? 1 + 2", "(x ?? (1 + 2))"],
    ["-a * ~b", "((-a) * (~b))"],
    ["c ? 1 : d ? 2 : 3", "(c ? 1 : (d ? 2 : 3))"],
    ["q[0].vring.num", "q[0].vring.num"],
    ["has(f, F.BIT) && le16(cfg, 8) > 1", "(has(f, F.BIT) && (le16(cfg, 8) > 1))"],
    ["0x1F + 0b101 + 1_000", "((31 + 5) + 1000)"],
  ])("%s", (source, tree) => {
    expect(expression(source)).toBe(tree);
  });
});

describe("declarations", () => {
  it("reads every kind of declaration with spans", () => {
    const text = [
      "// a comment",
      "const N: u8 = 4; /* a block comment */",
      "features F { A = 1; }",
      "param p?: u16;",
      'struct Q(w: bool) "q" version 2 { a.b: u8[N] if w since 1 equals 3; unused[2]; }',
      'section s "s" version 3 minimum 2 { q: Q(true); let k = 1; validate k > 0, "k"; subsection x "s/x" version 1 needed true { y: u8; } }',
    ].join("\n");
    const { schema, diagnostics } = parseSchema(text, "t.vmstate");
    expect(diagnostics).toEqual([]);
    expect(schema!.items.map((i) => i.kind)).toEqual([
      "const",
      "features",
      "param",
      "struct",
      "section",
    ]);
    const struct = schema!.items[3]!;
    expect(struct.kind === "struct" && struct.qemuName?.value).toBe("q");
    const field = struct.kind === "struct" ? struct.members[0] : undefined;
    expect(field?.kind === "field" && field.path.map((n) => n.text)).toEqual(["a", "b"]);
    expect(field?.span).toMatchObject({ line: 5 });
    expect(text.slice(field!.span.start, field!.span.end)).toBe(
      "a.b: u8[N] if w since 1 equals 3;",
    );
    const param = schema!.items[2]!;
    expect(param.kind === "param" && param.optional).toBe(true);
  });

  it("reads `validate each`, and `each` and `in` as names elsewhere", () => {
    const { schema, diagnostics } = parseSchema(
      'section s "s" version 1 { t: u8[4]; each: u8; validate each x in t: x < each, "m"; validate each > 0, "n"; }',
      "t.vmstate",
    );
    expect(diagnostics).toEqual([]);
    const section = schema!.items[0]!;
    const members = section.kind === "section" ? section.members : [];
    expect(members[2]?.kind === "validate" && members[2].each?.element.text).toBe("x");
    expect(members[3]?.kind === "validate" && members[3].each).toBeUndefined();
  });

  it("gives a parenthesised expression and the expressions it starts the span of their text, parentheses included", () => {
    const text = 'section s "s" version 1 { a: u8; b: u8 if (a & 1) != 0 && ((a)); }';
    const { schema, diagnostics } = parseSchema(text, "t.vmstate");
    expect(diagnostics).toEqual([]);
    const section = schema!.items[0]!;
    const b = section.kind === "section" ? section.members[1] : undefined;
    const guard = b?.kind === "field" ? b.guard : undefined;
    const slice = (e: { span: { start: number; end: number } }): string =>
      text.slice(e.span.start, e.span.end);
    expect(slice(guard!)).toBe("(a & 1) != 0 && ((a))");
    expect(guard?.kind === "binary" && [slice(guard.left), slice(guard.right)]).toEqual([
      "(a & 1) != 0",
      "((a))",
    ]);
  });

  it("reads `was` clauses as former paths, repeated or dotted, and refuses anything else after `was`", () => {
    const { schema, diagnostics } = parseSchema(
      'section s "s" version 2 { was: u8; a: u16 was b was mac_table.in_use if was > 0; }',
      "t.vmstate",
    );
    expect(diagnostics).toEqual([]);
    const section = schema!.items[0]!;
    const a = section.kind === "section" ? section.members[1] : undefined;
    expect(
      a?.kind === "field" && a.formerPaths.map((f) => f.path.map((n) => n.text).join(".")),
    ).toEqual(["b", "mac_table.in_use"]);
    expect(a?.kind === "field" && a.guard?.kind).toBe("binary");
    const bad = parseSchema(
      'section s "s" version 1 { a: u8 was b + 1; unused[2] was c; }',
      "t.vmstate",
    ).diagnostics;
    expect(bad.map((d) => `${d.code} ${d.span.column} ${d.message}`)).toEqual([
      "VMS1009 37 'was' takes the name the field had before, such as 'old_name' or 'mac_table.in_use'",
      "VMS1010 58 padding has no name: 'was' belongs to fields",
    ]);
  });

  it("lets soft keywords name fields", () => {
    const { diagnostics } = parseSchema(
      'section s "s" version 1 { features: u32; version: u8; max: u8; since: u8; t: u8[max max 4]; }',
      "t.vmstate",
    );
    expect(diagnostics).toEqual([]);
  });
});

describe("syntax errors", () => {
  it("reports several errors in one file, recovering after each", () => {
    const text =
      'section s "s" version 1 {\n  a: u8\n  b: u16;\n  c u8;\n  d: u8 if;\n  e: u8;\n}\n';
    const { schema, diagnostics } = parseSchema(text, "t.vmstate");
    expect(schema).toBeUndefined();
    expect(
      diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column} ${d.message}`),
    ).toEqual([
      "VMS1002 3:3 expected ';' but found 'b'",
      "VMS1002 4:5 expected ':' but found 'u8': a field is written name: type, as in 'c: u8;'",
      "VMS1002 5:11 expected an expression but found ';'",
    ]);
  });

  it("reports lexical errors with the rest of the file still parsed", () => {
    const { diagnostics } = parseSchema(
      'section s "s" version 1 {\n  a: u8 #;\n  b u8;\n}',
      "t.vmstate",
    );
    expect(diagnostics.map((d) => d.code)).toEqual(["VMS1001", "VMS1002"]);
  });
});
