// The checked model: what the check passes produce from the AST and the plan is built from.
// Names are resolved, expressions typed, constants folded; spans point back into the schema.

import type { Span } from "../diagnostics/span.js";
import type * as A from "../grammar/ast.js";
import type { CallBuiltin } from "./ir/builtins.js";

// ----------------------------------------------------------------- wire types

export interface IntType {
  readonly kind: "int";
  readonly signed: boolean;
  readonly bits: 8 | 16 | 32 | 64;
  readonly endian: "be" | "le";
}

export interface BoolType {
  readonly kind: "bool";
}

export type ScalarType = IntType | BoolType;

/** A length or element count: a constant, or an expression over available values with a maximum. */
export interface Count {
  readonly expr: IrExpr;
  /** The constant value when the count is constant. */
  readonly constant: bigint | undefined;
  /** The declared `max`; the bounds check requires one unless the count is constant. */
  readonly max: bigint | undefined;
  /** Where the `max` is written, when it is. */
  readonly maxSpan: Span | undefined;
}

export type FieldType =
  | ScalarType
  | { readonly kind: "bytes"; readonly count: Count }
  /** A C string in `count` bytes: one character per byte, trailing NULs dropped (`text[N]`). */
  | { readonly kind: "text"; readonly count: Count }
  | { readonly kind: "array"; readonly element: FieldType; readonly count: Count }
  | { readonly kind: "struct"; readonly struct: LayoutModel; readonly args: readonly IrExpr[] }
  | { readonly kind: "custom"; readonly codec: CodecModel; readonly args: readonly IrExpr[] };

// ----------------------------------------------------------------- expressions

/** The type of an expression. `int` carries the range of values it can take. */
export type ExprType =
  | { readonly kind: "int"; readonly min: bigint; readonly max: bigint }
  | { readonly kind: "bool" }
  /** Not a value: only usable through `.member`, `[index]` or as a builtin's argument. */
  | { readonly kind: "bytes" }
  /** A string (`text`): only something to save and load; expressions cannot compute with it. */
  | { readonly kind: "text" }
  | { readonly kind: "array"; readonly element: FieldType }
  | { readonly kind: "object"; readonly node: StateNode }
  | { readonly kind: "features"; readonly features: FeaturesModel }
  /** The type of an expression that already failed to check: silences follow-up errors. */
  | { readonly kind: "error" };

interface ExprBase {
  readonly type: ExprType;
  readonly span: Span;
  /** True when the value may be absent at run time (a guarded or version-gated field). */
  readonly optional: boolean;
}

export type IrExpr = ExprBase &
  (
    | {
        readonly kind: "literal";
        readonly value: bigint | boolean;
        readonly constName: string | undefined;
      }
    | { readonly kind: "field"; readonly field: FieldModel }
    | { readonly kind: "group"; readonly node: StateNode }
    | { readonly kind: "member"; readonly object: IrExpr; readonly node: StateNode }
    | { readonly kind: "index"; readonly object: IrExpr; readonly index: IrExpr }
    | { readonly kind: "param"; readonly param: ParamModel }
    | { readonly kind: "arg"; readonly arg: StructArgModel }
    | { readonly kind: "let"; readonly binding: LetModel }
    | { readonly kind: "element"; readonly element: ElementModel }
    | { readonly kind: "version" }
    | { readonly kind: "call"; readonly builtin: CallBuiltin; readonly args: readonly IrExpr[] }
    | { readonly kind: "unary"; readonly op: A.UnaryOp; readonly operand: IrExpr }
    | {
        readonly kind: "binary";
        readonly op: A.BinaryOp;
        readonly left: IrExpr;
        readonly right: IrExpr;
      }
    | {
        readonly kind: "conditional";
        readonly test: IrExpr;
        readonly then: IrExpr;
        readonly else: IrExpr;
      }
  );

// ----------------------------------------------------------------- state shape

/**
 * The state object of a layout as a tree: dotted field paths make groups, subsections make
 * optional objects. Wire order is kept separately, in `LayoutModel.members`.
 */
export type StateNode =
  | {
      readonly kind: "group";
      readonly key: string;
      readonly children: Map<string, StateNode>;
      readonly span: Span;
    }
  | { readonly kind: "field"; readonly key: string; readonly field: FieldModel }
  | {
      readonly kind: "subsection";
      readonly key: string;
      readonly subsection: SubsectionModel;
      readonly children: Map<string, StateNode>;
    };

// ----------------------------------------------------------------- members

interface MemberBase {
  /** Position in wire order within the layout: fields first, then subsections, depth-first. */
  readonly order: number;
  /** The innermost subsection that contains this member, if any. */
  readonly subsection: SubsectionModel | undefined;
  readonly span: Span;
}

export interface FieldModel extends MemberBase {
  readonly kind: "field";
  /** Path in the state object, relative to the layout (or to the enclosing subsection's object). */
  readonly path: readonly string[];
  readonly type: FieldType;
  readonly guard: IrExpr | undefined;
  /** The version gate: the field is on the wire when the loaded version is at least this. */
  readonly since: IrExpr | undefined;
  readonly equals: IrExpr | undefined;
  /** Guarded, or gated by a version that the minimum does not guarantee. */
  readonly optional: boolean;
  /** Why the field may be absent, for messages. */
  readonly absentWhen: "guard" | "version" | undefined;
  /** `was`: paths the field had in earlier versions of the schema; only `compat` reads them. */
  readonly formerPaths: readonly (readonly string[])[];
  /**
   * A path that names into a struct or array element of another field (`channels[0].irq_disabled`,
   * a subsection's `parent_obj.queue.cwptr`): the value lives in that field's value, not at a key
   * of its own. Undefined for an ordinary field.
   */
  readonly merge: MergeModel | undefined;
  /** `again PATH: T`: the first copy, read earlier, that this second copy repeats. */
  readonly again: IrExpr | undefined;
  /** The fields merged into this field's value. */
  readonly extensions: readonly MergeModel[];
}

/** Where a merged field lives: in `anchor`'s value, down `route`, under `key`. */
export interface MergeModel {
  readonly field: FieldModel;
  /** A field of the same layout, read in the same function, always present. */
  readonly anchor: FieldModel;
  /** Array indexes (numbers) and object keys (strings) from the anchor's value to the object. */
  readonly route: readonly (number | string)[];
  readonly key: string;
}

export interface UnusedModel extends MemberBase {
  readonly kind: "unused";
  readonly count: Count;
  readonly guard: IrExpr | undefined;
  readonly since: IrExpr | undefined;
}

export interface LetModel extends MemberBase {
  readonly kind: "let";
  readonly name: string;
  readonly value: IrExpr;
}

/** The element a `validate each x in array` names. */
export interface ElementModel {
  readonly name: string;
  readonly span: Span;
}

export interface ValidateModel extends MemberBase {
  readonly kind: "validate";
  /** `validate each x in array`: the condition is checked for every element. */
  readonly each: { readonly element: ElementModel; readonly array: IrExpr } | undefined;
  readonly condition: IrExpr;
  readonly message: string;
}

/** A version number as the schema writes it, folded to a constant: the versions pass judges it. */
export interface WrittenVersion {
  readonly value: bigint;
  readonly span: Span;
}

/** The version and minimum a section, struct or subsection declares (absent when not written as a constant). */
export interface WrittenVersions {
  readonly version: WrittenVersion | undefined;
  readonly minimum: WrittenVersion | undefined;
}

export interface SubsectionModel extends MemberBase {
  readonly kind: "subsection";
  /** The key of its object in the owner's state. */
  readonly name: string;
  readonly qemuName: string;
  readonly qemuNameSpan: Span;
  readonly version: number;
  readonly minimum: number;
  readonly written: WrittenVersions;
  readonly needed: IrExpr | undefined;
  readonly members: readonly MemberModel[];
  readonly ownerQemuName: string;
}

export type MemberModel = FieldModel | UnusedModel | LetModel | ValidateModel | SubsectionModel;

// ----------------------------------------------------------------- declarations

export interface ParamModel {
  readonly name: string;
  readonly type: ScalarType;
  /** Declared `name?:` with no default: absent unless the caller gives it. */
  readonly optional: boolean;
  readonly default: bigint | boolean | undefined;
  readonly span: Span;
}

export interface StructArgModel {
  readonly name: string;
  readonly type: ScalarType;
  readonly span: Span;
}

/** A type whose save and load are hand-written: `save<Name>` and `load<Name>` in a module. */
export interface CodecModel {
  readonly name: string;
  readonly nameSpan: Span;
  /** The module's functions: `save<Name>` and `load<Name>`, imported under these names. */
  readonly saveName: string;
  readonly loadName: string;
  readonly args: StructArgModel[];
  /** The module as written in the schema, relative to the schema file. */
  readonly module: string;
  /** The module's path as seen from the working folder (the schema's folder joined with `module`). */
  readonly modulePath: string;
  readonly moduleSpan: Span;
}

export interface FeaturesModel {
  readonly name: string;
  readonly bits: Map<string, { readonly bit: bigint; readonly span: Span }>;
  readonly span: Span;
}

export interface ConstModel {
  readonly name: string;
  readonly value: bigint | boolean;
  /** The literal as written when the value is one (`0x11`), for generated code to show it so. */
  readonly written: string | undefined;
  readonly span: Span;
}

/** A struct or a section: one function pair in the generated code. */
export interface LayoutModel {
  readonly kind: "struct" | "section";
  readonly name: string;
  readonly nameSpan: Span;
  /** QEMU's VMStateDescription name; required to own subsections. */
  readonly qemuName: string | undefined;
  readonly version: number;
  readonly minimum: number;
  readonly written: WrittenVersions;
  readonly args: StructArgModel[];
  /** Members in declaration order (subsections included). */
  readonly members: MemberModel[];
  readonly state: Map<string, StateNode>;
  /** Every expression the reader or writer evaluates, with where it is evaluated. */
  readonly sites: ExprSite[];
  readonly span: Span;
}

/** One evaluated expression and its context, for the availability analysis. */
export interface ExprSite {
  readonly expr: IrExpr;
  /** "guard of 'curr_guest_offloads'", "count of 'macs'", … */
  readonly role: string;
  /** Wire position at which the reader evaluates it. */
  readonly order: number;
  readonly subsection: SubsectionModel | undefined;
  /**
   * `needed` runs on the writer only, on the whole state: it may read any field outside
   * subsections, and the fields of its own subsection (`neededOf`).
   */
  readonly writerOnly: boolean;
  /** The subsection whose `needed` this is: its own fields are readable there. */
  readonly neededOf?: SubsectionModel | undefined;
}

/** A declaration another schema file provides (`import { Name } from "./other.vmstate";`). */
export type ImportedName = { readonly name: string; readonly span: Span } & (
  | { readonly kind: "struct"; readonly layout: LayoutModel }
  | { readonly kind: "const"; readonly model: ConstModel }
  | { readonly kind: "features"; readonly model: FeaturesModel }
  | { readonly kind: "codec"; readonly model: CodecModel }
);

/** One `import` of a schema: the file, its checked model, and the names taken from it. */
export interface ImportModel {
  /** The imported schema's path as seen from the working folder. */
  readonly file: string;
  readonly model: SchemaModel;
  /** The file's string in the import. */
  readonly span: Span;
  readonly names: readonly ImportedName[];
}

export interface SchemaModel {
  readonly file: string;
  /** The declarations this schema takes from other files; theirs are in those files' models. */
  readonly imports: readonly ImportModel[];
  /** The doc comment of each declaration, by the line it starts on (grammar/docs.ts). */
  readonly docs: ReadonlyMap<number, string>;
  /** The comment heading the schema file. */
  readonly fileDoc: string | undefined;
  readonly consts: ConstModel[];
  readonly features: FeaturesModel[];
  readonly params: ParamModel[];
  readonly codecs: CodecModel[];
  /** Structs in dependency order: a struct comes after every struct it contains. */
  readonly structs: LayoutModel[];
  readonly sections: LayoutModel[];
}
