// AST builder: turns a clean Chevrotain CST into the AST of ast.ts, applying operator precedence.

import type { CstElement, CstNode, IToken } from "chevrotain";
import { Diagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import type * as A from "./ast.js";

type Children = Record<string, CstElement[] | undefined>;

/** Binding strength of each binary operator; higher binds tighter. */
const precedence: Record<A.BinaryOp, number> = {
  "??": 1,
  "||": 2,
  "&&": 3,
  "|": 4,
  "^": 5,
  "&": 6,
  "==": 7,
  "!=": 7,
  "<": 8,
  "<=": 8,
  ">": 8,
  ">=": 8,
  "<<": 9,
  ">>": 9,
  "+": 10,
  "-": 10,
  "*": 11,
  "/": 11,
  "%": 11,
};

export class AstBuilder {
  /** Problems the grammar cannot express: repeated clauses, malformed integers. */
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly file: string) {}

  schema(node: CstNode): Pick<A.Schema, "items"> {
    return { items: this.nodes(node, "item").map((item) => this.item(item)) };
  }

  // ------------------------------------------------------------- helpers

  private spanOfToken(token: IToken): Span {
    return {
      file: this.file,
      start: token.startOffset,
      end: (token.endOffset ?? token.startOffset) + 1,
      line: token.startLine ?? 1,
      column: token.startColumn ?? 1,
      endLine: token.endLine ?? token.startLine ?? 1,
      endColumn: (token.endColumn ?? token.startColumn ?? 0) + 1,
    };
  }

  private spanOfNode(node: CstNode): Span {
    const l = node.location!;
    return {
      file: this.file,
      start: l.startOffset,
      end: (l.endOffset ?? l.startOffset) + 1,
      line: l.startLine ?? 1,
      column: l.startColumn ?? 1,
      endLine: l.endLine ?? l.startLine ?? 1,
      endColumn: (l.endColumn ?? l.startColumn ?? 0) + 1,
    };
  }

  private between(a: Span, b: Span): Span {
    return { ...a, end: b.end, endLine: b.endLine, endColumn: b.endColumn };
  }

  private nodes(node: CstNode, key: string): CstNode[] {
    return ((node.children as Children)[key] ?? []) as CstNode[];
  }

  private node(node: CstNode, key: string, index = 0): CstNode {
    return this.nodes(node, key)[index]!;
  }

  private maybeNode(node: CstNode, key: string): CstNode | undefined {
    return this.nodes(node, key)[0];
  }

  private tokens(node: CstNode, key: string): IToken[] {
    return ((node.children as Children)[key] ?? []) as IToken[];
  }

  private token(node: CstNode, key: string, index = 0): IToken {
    return this.tokens(node, key)[index]!;
  }

  private name(token: IToken): A.Name {
    return { text: token.image, span: this.spanOfToken(token) };
  }

  /** A string literal's value; a control character or an escape JSON does not know is reported. */
  private string(token: IToken): A.StringValue {
    const span = this.spanOfToken(token);
    try {
      return { value: JSON.parse(token.image) as string, span };
    } catch {
      this.diagnostics.push(
        Diagnostics.InvalidString(
          token.image.length > 40 ? `${token.image.slice(0, 40)}…` : token.image,
        ).at(span),
      );
      return { value: "", span };
    }
  }

  // ------------------------------------------------------------- declarations

  private item(node: CstNode): A.Item {
    const [key, child] = Object.entries(node.children)[0]! as [string, CstNode[]];
    const inner = child[0]!;
    switch (key) {
      case "constDecl":
        return this.constDecl(inner);
      case "featuresDecl":
        return this.featuresDecl(inner);
      case "paramDecl":
        return this.paramDecl(inner);
      case "structDecl":
        return this.structDecl(inner);
      case "importDecl":
        return {
          kind: "import",
          names: this.tokens(inner, "Name").map((token) => this.name(token)),
          from: this.string(this.token(inner, "StringLiteral")),
          span: this.spanOfNode(inner),
        };
      case "codecDecl":
        return {
          kind: "codec",
          name: this.name(this.token(inner, "Name")),
          params: this.params(inner),
          module: this.string(this.token(inner, "StringLiteral")),
          span: this.spanOfNode(inner),
        };
      default:
        return this.sectionDecl(inner);
    }
  }

  private constDecl(node: CstNode): A.ConstDecl {
    const type = this.maybeNode(node, "namedType");
    return {
      kind: "const",
      name: this.name(this.token(node, "Name")),
      type: type && this.namedType(type),
      value: this.expression(this.node(node, "expression")),
      span: this.spanOfNode(node),
    };
  }

  private featuresDecl(node: CstNode): A.FeaturesDecl {
    return {
      kind: "features",
      name: this.name(this.token(node, "Name")),
      bits: this.nodes(node, "featureBit").map((bit) => ({
        name: this.name(this.token(bit, "Name")),
        bit: this.expression(this.node(bit, "expression")),
        span: this.spanOfNode(bit),
      })),
      span: this.spanOfNode(node),
    };
  }

  private paramDecl(node: CstNode): A.ParamDecl {
    const value = this.maybeNode(node, "expression");
    return {
      kind: "param",
      name: this.name(this.token(node, "Name")),
      optional: this.tokens(node, "Question").length > 0,
      type: this.namedType(this.node(node, "namedType")),
      default: value && this.expression(value),
      span: this.spanOfNode(node),
    };
  }

  /** `(name: type, …)` of a struct or a codec. */
  private params(node: CstNode): A.StructDecl["params"] {
    return this.nodes(node, "structParam").map((p) => ({
      name: this.name(this.token(p, "Name")),
      type: this.namedType(this.node(p, "namedType")),
    }));
  }

  private structDecl(node: CstNode): A.StructDecl {
    const qemuName = this.tokens(node, "StringLiteral")[0];
    const version = this.maybeNode(node, "expression");
    return {
      kind: "struct",
      name: this.name(this.token(node, "Name")),
      qemuName: qemuName && this.string(qemuName),
      params: this.params(node),
      version: version && this.expression(version),
      members: this.body(this.node(node, "body")),
      span: this.spanOfNode(node),
    };
  }

  private versions(node: CstNode): { version: A.Expr; minimum: A.Expr | undefined } {
    const minimum = this.maybeNode(node, "minimum");
    return {
      version: this.expression(this.node(node, "version")),
      minimum: minimum && this.expression(minimum),
    };
  }

  private sectionDecl(node: CstNode): A.SectionDecl {
    return {
      kind: "section",
      name: this.name(this.token(node, "Name")),
      qemuName: this.string(this.token(node, "StringLiteral")),
      ...this.versions(this.node(node, "versions")),
      members: this.body(this.node(node, "body")),
      span: this.spanOfNode(node),
    };
  }

  private body(node: CstNode): A.Member[] {
    return this.nodes(node, "member").map((m) => this.member(m));
  }

  private member(node: CstNode): A.Member {
    const [key, child] = Object.entries(node.children)[0]! as [string, CstNode[]];
    const inner = child[0]!;
    switch (key) {
      case "fieldDecl":
        return this.fieldDecl(inner);
      case "unusedDecl":
        return this.unusedDecl(inner);
      case "letDecl":
        return {
          kind: "let",
          name: this.name(this.token(inner, "Name")),
          value: this.expression(this.node(inner, "expression")),
          span: this.spanOfNode(inner),
        };
      case "validateDecl": {
        const element = this.tokens(inner, "element")[0];
        const array = this.maybeNode(inner, "array");
        return {
          kind: "validate",
          each:
            element && array
              ? { element: this.name(element), array: this.expression(array) }
              : undefined,
          condition: this.expression(this.node(inner, "expression")),
          message: this.string(this.token(inner, "StringLiteral")),
          span: this.spanOfNode(inner),
        };
      }
      default:
        return this.subsectionDecl(inner);
    }
  }

  private fieldDecl(node: CstNode): A.FieldDecl {
    const { was, ...clauses } = this.clauses(this.node(node, "clauses"));
    const again = this.tokens(node, "Again")[0];
    const closes = this.tokens(node, "RBracket");
    const placed: { at: number; segment: A.PathSegment }[] = [
      ...this.tokens(node, "Name").map((tok) => ({
        at: tok.startOffset,
        segment: { kind: "name" as const, name: this.name(tok) },
      })),
      ...this.nodes(node, "index").map((e, i) => {
        const open = this.tokens(node, "LBracket")[i]!;
        return {
          at: open.startOffset,
          segment: {
            kind: "index" as const,
            index: this.expression(e),
            span: this.between(this.spanOfToken(open), this.spanOfToken(closes[i]!)),
          },
        };
      }),
    ];
    const segments = placed.sort((a, b) => a.at - b.at).map((s) => s.segment);
    const path: A.Name[] = [];
    for (const s of segments) {
      if (s.kind === "name") path.push(s.name);
      else {
        const last = path.pop()!;
        const index =
          s.index.kind === "int" ? s.index.raw : s.index.kind === "name" ? s.index.name : "…";
        path.push({ text: `${last.text}[${index}]`, span: this.between(last.span, s.span) });
      }
    }
    return {
      kind: "field",
      path,
      segments,
      again: again && this.spanOfToken(again),
      type: this.typeRef(this.node(node, "typeRef")),
      ...clauses,
      formerPaths: was.flatMap((e) => this.formerPath(e)),
      span: this.spanOfNode(node),
    };
  }

  /** The operand of `was`: a name or a dotted path such as `mac_table.in_use`. */
  private formerPath(e: A.Expr): A.FormerPath[] {
    const path: A.Name[] = [];
    let at = e;
    while (at.kind === "member") {
      path.unshift(at.member);
      at = at.object;
    }
    if (at.kind !== "name") {
      this.diagnostics.push(Diagnostics.WasNotAName().at(e.span));
      return [];
    }
    path.unshift({ text: at.name, span: at.span });
    return [{ path, span: e.span }];
  }

  private unusedDecl(node: CstNode): A.UnusedDecl {
    const { count, max } = this.dimension(this.node(node, "dimension"));
    const { was, ...clauses } = this.clauses(this.node(node, "clauses"));
    for (const e of was) this.diagnostics.push(Diagnostics.WasOnPadding().at(e.span));
    return { kind: "unused", count, max, ...clauses, span: this.spanOfNode(node) };
  }

  /**
   * Clauses in source order; a repeated `if`, `since` or `equals` is reported and the first one
   * kept. `was` may be repeated: a field can have had several names.
   */
  private clauses(node: CstNode): A.Clauses & { was: A.Expr[] } {
    const keywords = [
      ...this.tokens(node, "If"),
      ...this.tokens(node, "Since"),
      ...this.tokens(node, "Equals"),
      ...this.tokens(node, "Was"),
    ].sort((a, b) => a.startOffset - b.startOffset);
    const values = this.nodes(node, "expression").map((e) => this.expression(e));
    const out: { guard?: A.Expr; since?: A.Expr; equals?: A.Expr } = {};
    const was: A.Expr[] = [];
    keywords.forEach((kw, i) => {
      if (kw.image === "was") {
        was.push(values[i]!);
        return;
      }
      const key = kw.image === "if" ? "guard" : kw.image === "since" ? "since" : "equals";
      if (out[key] === undefined) out[key] = values[i]!;
      else this.diagnostics.push(Diagnostics.ClauseGivenTwice(kw.image).at(this.spanOfToken(kw)));
    });
    return { guard: out.guard, since: out.since, equals: out.equals, was };
  }

  private subsectionDecl(node: CstNode): A.SubsectionDecl {
    const needed = this.maybeNode(node, "expression");
    return {
      kind: "subsection",
      name: this.name(this.token(node, "Name")),
      qemuName: this.string(this.token(node, "StringLiteral")),
      ...this.versions(this.node(node, "versions")),
      needed: needed && this.expression(needed),
      members: this.body(this.node(node, "body")),
      span: this.spanOfNode(node),
    };
  }

  private typeRef(node: CstNode): A.TypeRef {
    let type: A.TypeRef = this.namedType(this.node(node, "namedType"));
    for (const dim of this.nodes(node, "dimension")) {
      const { count, max } = this.dimension(dim);
      type = {
        kind: "array",
        element: type,
        count,
        max,
        span: this.between(type.span, this.spanOfNode(dim)),
      };
    }
    return type;
  }

  private dimension(node: CstNode): { count: A.Expr; max: A.Expr | undefined } {
    const max = this.maybeNode(node, "max");
    return { count: this.expression(this.node(node, "count")), max: max && this.expression(max) };
  }

  private namedType(node: CstNode): A.NamedTypeRef {
    return {
      kind: "named",
      name: this.name(this.token(node, "Name")),
      args: this.nodes(node, "expression").map((e) => this.expression(e)),
      span: this.spanOfNode(node),
    };
  }

  // ------------------------------------------------------------- expressions

  expression(node: CstNode): A.Expr {
    const test = this.binary(this.node(node, "test"));
    const then = this.maybeNode(node, "then");
    if (!then) return test;
    const otherwise = this.expression(this.node(node, "else"));
    return {
      kind: "conditional",
      test,
      then: this.expression(then),
      else: otherwise,
      span: this.between(test.span, otherwise.span),
    };
  }

  /** Precedence climbing over the flat list `operand (operator operand)*`. All operators are left-associative. */
  private binary(node: CstNode): A.Expr {
    const operands = this.nodes(node, "operands").map((u) => this.unary(u));
    const operators = this.tokens(node, "operators").map((tok) => tok.image as A.BinaryOp);
    let position = 0;
    const climb = (minPrecedence: number): A.Expr => {
      let left = operands[position]!;
      while (position < operators.length && precedence[operators[position]!] >= minPrecedence) {
        const op = operators[position]!;
        position++;
        const right = climb(precedence[op] + 1);
        left = { kind: "binary", op, left, right, span: this.between(left.span, right.span) };
      }
      return left;
    };
    return climb(0);
  }

  private unary(node: CstNode): A.Expr {
    const prefixes = this.tokens(node, "prefix");
    let expr = this.postfix(this.node(node, "postfix"));
    for (let i = prefixes.length - 1; i >= 0; i--) {
      const tok = prefixes[i]!;
      expr = {
        kind: "unary",
        op: tok.image as A.UnaryOp,
        operand: expr,
        span: this.between(this.spanOfToken(tok), expr.span),
      };
    }
    return expr;
  }

  private postfix(node: CstNode): A.Expr {
    let expr = this.primary(this.node(node, "primary"));
    const suffixes = this.tokens(node, "suffix");
    const members = this.tokens(node, "member");
    const indexes = this.nodes(node, "index");
    const closes = this.tokens(node, "close");
    let m = 0;
    let i = 0;
    for (const suffix of suffixes) {
      if (suffix.image === ".") {
        const member = this.name(members[m++]!);
        expr = { kind: "member", object: expr, member, span: this.between(expr.span, member.span) };
      } else {
        const index = this.expression(indexes[i]!);
        const close = this.spanOfToken(closes[i++]!);
        expr = { kind: "index", object: expr, index, span: this.between(expr.span, close) };
      }
    }
    return expr;
  }

  private primary(node: CstNode): A.Expr {
    const span = this.spanOfNode(node);
    const integer = this.tokens(node, "Integer")[0];
    if (integer) {
      const value = parseInteger(integer.image);
      if (value === undefined)
        this.diagnostics.push(Diagnostics.InvalidInteger(integer.image).at(span));
      return { kind: "int", value: value ?? 0n, raw: integer.image, span };
    }
    if (this.tokens(node, "True")[0]) return { kind: "bool", value: true, span };
    if (this.tokens(node, "False")[0]) return { kind: "bool", value: false, span };
    const inner = this.maybeNode(node, "inner");
    // A parenthesised expression spans its parentheses: `(a & 1) != 0` starts at the `(`.
    if (inner) return { ...this.expression(inner), span };
    const id = this.token(node, "Name");
    if (this.tokens(node, "LParen").length > 0) {
      return {
        kind: "call",
        callee: this.name(id),
        args: this.nodes(node, "args").map((a) => this.expression(a)),
        span,
      };
    }
    return { kind: "name", name: id.image, span };
  }
}

/** The value of an integer literal, or undefined when it is malformed (`0x`, `12ab`). */
export function parseInteger(image: string): bigint | undefined {
  const digits = image.replace(/_/g, "");
  if (/^0[xX][0-9a-fA-F]+$/.test(digits) || /^0[bB][01]+$/.test(digits) || /^[0-9]+$/.test(digits))
    return BigInt(digits);
  return undefined;
}
