// The syntax tree of a .vmstate schema. Every node carries the span of its source text.

import type { Span } from "../diagnostics/span.js";
import type { Comment } from "./docs.js";

export interface Name {
  readonly text: string;
  readonly span: Span;
}

export interface StringValue {
  readonly value: string;
  readonly span: Span;
}

// ----------------------------------------------------------------- expressions

export type BinaryOp =
  | "??"
  | "||"
  | "&&"
  | "|"
  | "^"
  | "&"
  | "=="
  | "!="
  | "<"
  | "<="
  | ">"
  | ">="
  | "<<"
  | ">>"
  | "+"
  | "-"
  | "*"
  | "/"
  | "%";

export type UnaryOp = "!" | "~" | "-";

export type Expr =
  /** `raw` is the literal as written (`0x11`, `1_000`). */
  | { readonly kind: "int"; readonly value: bigint; readonly raw: string; readonly span: Span }
  | { readonly kind: "bool"; readonly value: boolean; readonly span: Span }
  | { readonly kind: "name"; readonly name: string; readonly span: Span }
  | { readonly kind: "member"; readonly object: Expr; readonly member: Name; readonly span: Span }
  | { readonly kind: "index"; readonly object: Expr; readonly index: Expr; readonly span: Span }
  | {
      readonly kind: "call";
      readonly callee: Name;
      readonly args: readonly Expr[];
      readonly span: Span;
    }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly operand: Expr; readonly span: Span }
  | {
      readonly kind: "binary";
      readonly op: BinaryOp;
      readonly left: Expr;
      readonly right: Expr;
      readonly span: Span;
    }
  | {
      readonly kind: "conditional";
      readonly test: Expr;
      readonly then: Expr;
      readonly else: Expr;
      readonly span: Span;
    };

// ----------------------------------------------------------------- types

/** `u32`, `bool`, `VirtQueue(msix)`: a scalar or a struct, with struct arguments if any. */
export interface NamedTypeRef {
  readonly kind: "named";
  readonly name: Name;
  readonly args: readonly Expr[];
  readonly span: Span;
}

/** `T[count]` or `T[count max N]`; `bytes[n]` is raw bytes. */
export interface ArrayTypeRef {
  readonly kind: "array";
  readonly element: TypeRef;
  readonly count: Expr;
  readonly max: Expr | undefined;
  readonly span: Span;
}

export type TypeRef = NamedTypeRef | ArrayTypeRef;

// ----------------------------------------------------------------- members of a struct, section or subsection

/** Clauses that may follow a field's type, in any order. */
export interface Clauses {
  readonly guard: Expr | undefined;
  readonly since: Expr | undefined;
  readonly equals: Expr | undefined;
}

/** One step of a field path: a name, or a constant index into an array (`channels[0]`). */
export type PathSegment =
  | { readonly kind: "name"; readonly name: Name }
  | { readonly kind: "index"; readonly index: Expr; readonly span: Span };

export interface FieldDecl extends Clauses {
  readonly kind: "field";
  /**
   * `mac_table.in_use` is two names: the value lives at that path in the state. A name followed
   * by indexes is one entry written as in the source (`channels[0]`); `segments` has the parts.
   */
  readonly path: readonly Name[];
  /** The path step by step: names and indexes. */
  readonly segments: readonly PathSegment[];
  /** `again PATH: T;`: the second copy of a value sent twice (the keyword's span). */
  readonly again: Span | undefined;
  /** `was old_name`: the paths the field had in earlier versions of the schema, for `compat`. */
  readonly formerPaths: readonly FormerPath[];
  readonly type: TypeRef;
  readonly span: Span;
}

export interface FormerPath {
  readonly path: readonly Name[];
  readonly span: Span;
}

export interface UnusedDecl extends Clauses {
  readonly kind: "unused";
  readonly count: Expr;
  readonly max: Expr | undefined;
  readonly span: Span;
}

export interface LetDecl {
  readonly kind: "let";
  readonly name: Name;
  readonly value: Expr;
  readonly span: Span;
}

export interface ValidateDecl {
  readonly kind: "validate";
  /** `each x in array`: the condition holds for every element, named `x` in it. */
  readonly each: { readonly element: Name; readonly array: Expr } | undefined;
  readonly condition: Expr;
  readonly message: StringValue;
  readonly span: Span;
}

export interface SubsectionDecl {
  readonly kind: "subsection";
  readonly name: Name;
  readonly qemuName: StringValue;
  readonly version: Expr;
  readonly minimum: Expr | undefined;
  readonly needed: Expr | undefined;
  readonly members: readonly Member[];
  readonly span: Span;
}

export type Member = FieldDecl | UnusedDecl | LetDecl | ValidateDecl | SubsectionDecl;

// ----------------------------------------------------------------- top-level items

export interface ConstDecl {
  readonly kind: "const";
  readonly name: Name;
  readonly type: NamedTypeRef | undefined;
  readonly value: Expr;
  readonly span: Span;
}

export interface FeatureBit {
  readonly name: Name;
  readonly bit: Expr;
  readonly span: Span;
}

export interface FeaturesDecl {
  readonly kind: "features";
  readonly name: Name;
  readonly bits: readonly FeatureBit[];
  readonly span: Span;
}

export interface ParamDecl {
  readonly kind: "param";
  readonly name: Name;
  /** `param x?: T`: may be unknown; expressions must say what to use instead (`x ?? …`). */
  readonly optional: boolean;
  readonly type: NamedTypeRef;
  readonly default: Expr | undefined;
  readonly span: Span;
}

export interface StructParam {
  readonly name: Name;
  readonly type: NamedTypeRef;
}

export interface StructDecl {
  readonly kind: "struct";
  readonly name: Name;
  readonly qemuName: StringValue | undefined;
  readonly params: readonly StructParam[];
  readonly version: Expr | undefined;
  readonly members: readonly Member[];
  readonly span: Span;
}

export interface SectionDecl {
  readonly kind: "section";
  readonly name: Name;
  readonly qemuName: StringValue;
  readonly version: Expr;
  readonly minimum: Expr | undefined;
  readonly members: readonly Member[];
  readonly span: Span;
}

/** A type whose save and load functions are hand-written in a TypeScript module. */
export interface CodecDecl {
  readonly kind: "codec";
  readonly name: Name;
  readonly params: readonly StructParam[];
  /** The module, relative to the schema file. */
  readonly module: StringValue;
  readonly span: Span;
}

/** `import { A, B } from "./other.vmstate";` */
export interface ImportDecl {
  readonly kind: "import";
  readonly names: readonly Name[];
  /** The schema file, relative to this one. */
  readonly from: StringValue;
  readonly span: Span;
}

export type Item =
  ImportDecl | ConstDecl | FeaturesDecl | ParamDecl | StructDecl | CodecDecl | SectionDecl;

export interface Schema {
  readonly file: string;
  readonly items: readonly Item[];
  /** Every comment, in order (for tools that keep them, like the formatter). */
  readonly comments: readonly Comment[];
  /** The doc comment of each declaration, by the line it starts on (grammar/docs.ts). */
  readonly docs: ReadonlyMap<number, string>;
  /** The comment that heads the file, when it stands apart from the first declaration. */
  readonly fileDoc: string | undefined;
}
