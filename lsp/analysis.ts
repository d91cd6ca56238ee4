// What the language server knows about one schema text: the compiler's own diagnostics and checked
// model (generator/), and, from the syntax tree, every name's definition and every reference to
// it. Pure functions of the text, so the server, the benchmark and the tests share them.

import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { LineMap, type Span } from "../diagnostics/span.js";
import type * as A from "../grammar/ast.js";
import { readFileSync } from "node:fs";
import { sortDiagnostics } from "../diagnostics/diagnostic.js";
import { readSchemaFile } from "../generator/codec-modules.js";
import { SchemaProgram, type SchemaReader } from "../generator/imports.js";
import { verifyCodecs } from "../generator/verify/codecs.js";
import { IncrementalParser } from "./incremental.js";
import type {
  FieldModel,
  FieldType,
  LayoutModel,
  MemberModel,
  SchemaModel,
} from "../generator/model.js";

export type DefKind =
  | "const"
  | "features"
  | "bit"
  | "param"
  | "struct"
  | "codec"
  /** A name an `import` takes from another file (`importTarget` says where it is declared). */
  | "import"
  | "section"
  | "subsection"
  | "field"
  | "group"
  | "let"
  | "arg"
  | "element";

/** A declared name. */
export interface Def {
  readonly kind: DefKind;
  /** The name as written at the definition (the last segment of a dotted field path). */
  readonly name: string;
  /** Its key in its scope: the name, or the dotted path of a field or group. */
  readonly key: string;
  /** The span of the name at the definition. */
  readonly span: Span;
  /** The whole declaration. */
  readonly declSpan: Span;
  /** Undefined for top-level names. */
  readonly scope: Scope | undefined;
  /** Scope of the names inside: a struct's or subsection's members, a features set's bits. */
  readonly inner: Scope | undefined;
  readonly node: unknown;
}

export interface Ref {
  readonly span: Span;
  readonly def: Def;
  /** The name at its definition. */
  readonly isDef: boolean;
}

export interface Scope {
  readonly names: Map<string, Def>;
  readonly parent: Scope | undefined;
  /** The text the scope covers (a struct's, section's or subsection's body). */
  readonly span: Span;
  readonly owner: Def | undefined;
}

/** Where a field is on the wire within its section, struct or subsection. */
export interface Placement {
  /** Offset range of the first byte (max undefined: unbounded). */
  readonly min: number;
  readonly max: number | undefined;
  /** Size range. */
  readonly sizeMin: number;
  readonly sizeMax: number | undefined;
}

export class Analysis {
  readonly lines: LineMap;
  readonly schema: A.Schema | undefined;
  private readonly parseDiagnostics: Diagnostic[];
  private checked:
    | {
        readonly diagnostics: Diagnostic[];
        readonly model: SchemaModel | undefined;
        readonly fields: Map<number, FieldModel>;
        readonly placements: Map<number, Placement>;
      }
    | undefined;
  readonly globals = new Map<string, Def>();
  readonly defs: Def[] = [];
  /** Every name occurrence, sorted by position. */
  readonly refs: Ref[] = [];
  readonly scopes: Scope[] = [];
  /** Names used as scalar types and builtin calls, for semantic tokens. */
  readonly scalarUses: Span[] = [];
  readonly builtinUses: Span[] = [];

  /** `parser` keeps what it parsed for the next text of the same document. */
  constructor(
    readonly text: string,
    readonly file: string,
    parser: IncrementalParser = new IncrementalParser(file),
    /** Reads the files the schema imports (the server reads open documents first). */
    private readonly readSchema: SchemaReader = readSchemaFile,
  ) {
    this.lines = new LineMap(file, text);
    const parsed = parser.parse(text);
    this.schema = parsed.schema;
    this.parseDiagnostics = parsed.diagnostics;
    if (!parsed.schema) return;
    new Resolver(this).schema(parsed.schema);
    this.refs.sort((a, b) => a.span.start - b.span.start);
  }

  /**
   * The checker's results, computed when first asked for: names, references and symbols need
   * only the syntax tree, so requests for them do not wait for the checker.
   */
  private check(): NonNullable<Analysis["checked"]> {
    if (this.checked) return this.checked;
    const fields = new Map<number, FieldModel>();
    const placements = new Map<number, Placement>();
    if (!this.schema) {
      this.checked = {
        diagnostics: sortDiagnostics(this.parseDiagnostics),
        model: undefined,
        fields,
        placements,
      };
      return this.checked;
    }
    // As `vmstate check` does (generator/index.ts): the imported files, the checker, then the
    // hand-written codecs. Only this file's diagnostics: an import of a file with errors says so.
    const program = new SchemaProgram(this.readSchema, (model) =>
      model.codecs.length > 0 ? verifyCodecs(model, readModule, new Map()) : [],
    );
    const checked = program.checkParsed(
      { schema: this.schema, diagnostics: this.parseDiagnostics },
      this.text,
      this.file,
    );
    if (checked.model) placeModel(checked.model, fields, placements);
    this.checked = {
      diagnostics: sortDiagnostics(checked.diagnostics),
      model: checked.model,
      fields,
      placements,
    };
    return this.checked;
  }

  get diagnostics(): Diagnostic[] {
    return this.check().diagnostics;
  }

  get model(): SchemaModel | undefined {
    return this.check().model;
  }

  /** Fields of the checked model by the offset their declaration starts at. */
  get fields(): Map<number, FieldModel> {
    return this.check().fields;
  }

  get placements(): Map<number, Placement> {
    return this.check().placements;
  }

  /** The name occurrence at an offset (the end of a name counts, as editors put the cursor there). */
  refAt(offset: number): Ref | undefined {
    let lo = 0;
    let hi = this.refs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.refs[mid]!;
      if (r.span.end < offset) lo = mid + 1;
      else if (r.span.start > offset) hi = mid - 1;
      else return r;
    }
    return undefined;
  }

  /** Every occurrence of a definition, the definition first. */
  occurrences(def: Def): Ref[] {
    return this.refs.filter((r) => r.def === def).sort((a, b) => Number(b.isDef) - Number(a.isDef));
  }

  /** The innermost scope around an offset. */
  scopeAt(offset: number): Scope | undefined {
    let best: Scope | undefined;
    for (const s of this.scopes)
      if (
        s.span.start < offset &&
        offset < s.span.end &&
        (!best || s.span.start >= best.span.start)
      )
        best = s;
    return best;
  }

  /** Names visible at an offset, the innermost first. */
  visible(offset: number): Def[] {
    const out: Def[] = [];
    for (let s = this.scopeAt(offset); s; s = s.parent) out.push(...s.names.values());
    out.push(...this.globals.values());
    return out;
  }

  /** What `name` means in `scope`. */
  lookup(name: string, scope: Scope | undefined): Def | undefined {
    for (let s = scope; s; s = s.parent) {
      const d = s.names.get(name);
      if (d) return d;
    }
    return this.globals.get(name);
  }

  /** The names inside a definition that `def.x` can reach. */
  membersOf(def: Def): Def[] {
    if (def.kind === "features" || def.kind === "subsection")
      return [...(def.inner?.names.values() ?? [])];
    const out: Def[] = [];
    if ((def.kind === "field" || def.kind === "group") && def.scope) {
      const prefix = `${def.key}.`;
      for (const d of def.scope.names.values())
        if (d.key.startsWith(prefix) && !d.key.slice(prefix.length).includes(".")) out.push(d);
    }
    const struct = def.kind === "field" ? this.structOfField(def) : undefined;
    if (struct?.inner)
      for (const d of struct.inner.names.values())
        if (d.kind !== "arg" && !d.key.includes(".")) out.push(d);
    return out;
  }

  member(def: Def, name: string): Def | undefined {
    if (def.kind === "features" || def.kind === "subsection") return def.inner?.names.get(name);
    if ((def.kind === "field" || def.kind === "group") && def.scope) {
      const dotted = def.scope.names.get(`${def.key}.${name}`);
      if (dotted) return dotted;
    }
    const struct = def.kind === "field" ? this.structOfField(def) : undefined;
    const found = struct?.inner?.names.get(name);
    return found && found.kind !== "arg" ? found : undefined;
  }

  /** The struct a field's type names, through arrays. */
  structOfField(def: Def): Def | undefined {
    let type = (def.node as A.FieldDecl).type;
    while (type.kind === "array") type = type.element;
    const d = this.globals.get(type.name.text);
    return d?.kind === "struct" ? d : undefined;
  }

  /** Where an imported name is declared, in its own file; undefined until that file checks. */
  importTarget(def: Def): Span | undefined {
    if (def.kind !== "import") return undefined;
    for (const i of this.model?.imports ?? [])
      for (const n of i.names) {
        if (n.span.start !== def.span.start) continue;
        switch (n.kind) {
          case "struct":
            return n.layout.nameSpan;
          case "codec":
            return n.model.nameSpan;
          default:
            return n.model.span;
        }
      }
    return undefined;
  }

  textOf(span: Span): string {
    return this.text.slice(span.start, span.end);
  }
}

function readModule(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

class Resolver {
  constructor(private readonly a: Analysis) {}

  private define(
    kind: DefKind,
    name: A.Name,
    declSpan: Span,
    scope: Scope | undefined,
    node: unknown,
    key = name.text,
    inner?: Scope,
  ): Def {
    const def: Def = { kind, name: name.text, key, span: name.span, declSpan, scope, inner, node };
    const names = scope ? scope.names : this.a.globals;
    if (!names.has(key)) names.set(key, def);
    this.a.defs.push(def);
    this.a.refs.push({ span: name.span, def, isDef: true });
    return def;
  }

  private ref(span: Span, def: Def | undefined): void {
    if (def) this.a.refs.push({ span, def, isDef: false });
  }

  private newScope(span: Span, parent: Scope | undefined): Scope & { owner: Def | undefined } {
    const scope = {
      names: new Map<string, Def>(),
      parent,
      span,
      owner: undefined as Def | undefined,
    };
    this.a.scopes.push(scope);
    return scope;
  }

  schema(schema: A.Schema): void {
    // Declarations first, so that a use before its declaration still finds it.
    const bodies: (() => void)[] = [];
    for (const item of schema.items) bodies.push(this.declareItem(item));
    for (const body of bodies) body();
  }

  private declareItem(item: A.Item): () => void {
    switch (item.kind) {
      case "const":
        this.define("const", item.name, item.span, undefined, item);
        return () => {
          if (item.type) this.type(item.type, undefined);
          this.expr(item.value, undefined);
        };
      case "param":
        this.define("param", item.name, item.span, undefined, item);
        return () => {
          this.type(item.type, undefined);
          if (item.default) this.expr(item.default, undefined);
        };
      case "features": {
        const inner = this.newScope(item.span, undefined);
        const def = this.define(
          "features",
          item.name,
          item.span,
          undefined,
          item,
          item.name.text,
          inner,
        );
        inner.owner = def;
        for (const bit of item.bits) this.define("bit", bit.name, bit.span, inner, bit);
        return () => {
          for (const bit of item.bits) this.expr(bit.bit, undefined);
        };
      }
      case "import":
        for (const name of item.names) this.define("import", name, item.span, undefined, item);
        return () => {};
      case "codec":
        this.define("codec", item.name, item.span, undefined, item);
        return () => {
          for (const p of item.params) this.type(p.type, undefined);
        };
      case "struct":
      case "section": {
        const inner = this.newScope(item.span, undefined);
        const def = this.define(
          item.kind,
          item.name,
          item.span,
          undefined,
          item,
          item.name.text,
          inner,
        );
        inner.owner = def;
        if (item.kind === "struct")
          for (const p of item.params) this.define("arg", p.name, p.name.span, inner, p);
        const bodies = item.members.map((m) => this.declareMember(m, inner));
        return () => {
          if (item.kind === "struct") for (const p of item.params) this.type(p.type, undefined);
          if (item.version) this.expr(item.version, undefined);
          if (item.kind === "section" && item.minimum) this.expr(item.minimum, undefined);
          for (const body of bodies) body();
        };
      }
    }
  }

  private declareMember(m: A.Member, scope: Scope): () => void {
    switch (m.kind) {
      case "field": {
        let key = "";
        m.path.forEach((segment, i) => {
          key = i === 0 ? segment.text : `${key}.${segment.text}`;
          const last = i === m.path.length - 1;
          const existing = scope.names.get(key);
          if (existing && !last) this.ref(segment.span, existing);
          else this.define(last ? "field" : "group", segment, m.span, scope, m, key);
        });
        return () => {
          this.type(m.type, scope);
          this.clauses(m, scope);
        };
      }
      case "unused":
        return () => {
          this.expr(m.count, scope);
          if (m.max) this.expr(m.max, scope);
          this.clauses(m, scope);
        };
      case "let":
        this.define("let", m.name, m.span, scope, m);
        return () => this.expr(m.value, scope);
      case "validate":
        return () => {
          if (m.each) {
            this.expr(m.each.array, scope);
            const inner = this.newScope(m.span, scope);
            this.define("element", m.each.element, m.span, inner, m);
            this.expr(m.condition, inner);
          } else this.expr(m.condition, scope);
        };
      case "subsection": {
        const inner = this.newScope(m.span, scope);
        const def = this.define("subsection", m.name, m.span, scope, m, m.name.text, inner);
        inner.owner = def;
        const bodies = m.members.map((member) => this.declareMember(member, inner));
        return () => {
          this.expr(m.version, undefined);
          if (m.minimum) this.expr(m.minimum, undefined);
          if (m.needed) this.expr(m.needed, scope);
          for (const body of bodies) body();
        };
      }
    }
  }

  private clauses(c: A.Clauses, scope: Scope): void {
    if (c.guard) this.expr(c.guard, scope);
    if (c.since) this.expr(c.since, scope);
    if (c.equals) this.expr(c.equals, scope);
  }

  private type(t: A.TypeRef, scope: Scope | undefined): void {
    if (t.kind === "array") {
      this.type(t.element, scope);
      this.expr(t.count, scope);
      if (t.max) this.expr(t.max, scope);
      return;
    }
    const def = this.a.globals.get(t.name.text);
    if (def && (def.kind === "struct" || def.kind === "codec" || def.kind === "import"))
      this.ref(t.name.span, def);
    else if (t.name.text !== "bytes") this.a.scalarUses.push(t.name.span);
    for (const arg of t.args) this.expr(arg, scope);
  }

  /** Resolves an expression's names; returns what the expression names, for `.member`. */
  private expr(e: A.Expr, scope: Scope | undefined): Def | undefined {
    switch (e.kind) {
      case "int":
      case "bool":
        return undefined;
      case "name": {
        const def = this.a.lookup(e.name, scope);
        this.ref(e.span, def);
        return def;
      }
      case "member": {
        const object = this.expr(e.object, scope);
        const def = object ? this.a.member(object, e.member.text) : undefined;
        this.ref(e.member.span, def);
        return def;
      }
      case "index": {
        const object = this.expr(e.object, scope);
        this.expr(e.index, scope);
        return object;
      }
      case "call":
        this.a.builtinUses.push(e.callee.span);
        for (const arg of e.args) this.expr(arg, scope);
        return undefined;
      case "unary":
        this.expr(e.operand, scope);
        return undefined;
      case "binary": {
        // Down the left operands by iteration: a chain is a tree as deep as it is long.
        const rights: A.Expr[] = [];
        let leftmost: A.Expr = e;
        for (; leftmost.kind === "binary"; leftmost = leftmost.left) rights.push(leftmost.right);
        this.expr(leftmost, scope);
        for (let i = rights.length - 1; i >= 0; i--) this.expr(rights[i]!, scope);
        return undefined;
      }
      case "conditional":
        this.expr(e.test, scope);
        this.expr(e.then, scope);
        this.expr(e.else, scope);
        return undefined;
    }
  }
}

// ----------------------------------------------------------------- byte offsets

type Range = [number, number | undefined];

const add = (a: Range, b: Range): Range => [
  a[0] + b[0],
  a[1] === undefined || b[1] === undefined ? undefined : a[1] + b[1],
];

function countRange(count: { constant: bigint | undefined; max: bigint | undefined }): Range {
  if (count.constant !== undefined) return [Number(count.constant), Number(count.constant)];
  return [0, count.max === undefined ? undefined : Number(count.max)];
}

function sizeOf(type: FieldType, layouts: Map<LayoutModel, Range>): Range {
  switch (type.kind) {
    case "int":
      return [type.bits / 8, type.bits / 8];
    case "bool":
      return [1, 1];
    case "bytes":
    case "text":
      return countRange(type.count);
    case "array": {
      const e = sizeOf(type.element, layouts);
      const c = countRange(type.count);
      return [e[0] * c[0], e[1] === undefined || c[1] === undefined ? undefined : e[1] * c[1]];
    }
    case "struct":
      return layoutSize(type.struct, layouts);
    case "custom":
      return [0, undefined];
  }
}

/** A struct's size: its fields, and its subsections (any number of bytes) when it has some. */
function layoutSize(layout: LayoutModel, layouts: Map<LayoutModel, Range>): Range {
  const known = layouts.get(layout);
  if (known) return known;
  layouts.set(layout, [0, undefined]);
  let size: Range = [0, 0];
  for (const m of layout.members) size = add(size, memberSize(m, layouts));
  if (layout.members.some((m) => m.kind === "subsection")) size = [size[0], undefined];
  layouts.set(layout, size);
  return size;
}

function memberSize(m: MemberModel, layouts: Map<LayoutModel, Range>): Range {
  if (m.kind === "field") {
    const s = sizeOf(m.type, layouts);
    return m.guard || m.optional ? [0, s[1]] : s;
  }
  if (m.kind === "unused") {
    const s = countRange(m.count);
    return m.guard || m.since ? [0, s[1]] : s;
  }
  return [0, 0];
}

/** The placement of every field, relative to its section, struct or subsection. */
function placeModel(
  model: SchemaModel,
  fields: Map<number, FieldModel>,
  out: Map<number, Placement>,
): void {
  const layouts = new Map<LayoutModel, Range>();
  const place = (members: readonly MemberModel[]): void => {
    let at: Range = [0, 0];
    for (const m of members) {
      if (m.kind === "subsection") {
        place(m.members);
        continue;
      }
      const size = memberSize(m, layouts);
      if (m.kind === "field") {
        fields.set(m.span.start, m);
        const full = sizeOf(m.type, layouts);
        out.set(m.span.start, { min: at[0], max: at[1], sizeMin: full[0], sizeMax: full[1] });
      }
      at = add(at, size);
    }
  };
  for (const layout of [...model.structs, ...model.sections]) place(layout.members);
}

export function describePlacement(p: Placement): string {
  const at =
    p.max === p.min
      ? `${p.min}`
      : p.max === undefined
        ? `${p.min} or later`
        : `${p.min} to ${p.max}`;
  const size =
    p.sizeMax === p.sizeMin
      ? `${p.sizeMin} byte${p.sizeMin === 1 ? "" : "s"}`
      : p.sizeMax === undefined
        ? `at least ${p.sizeMin} bytes`
        : `${p.sizeMin} to ${p.sizeMax} bytes`;
  return `offset ${at}, ${size}`;
}

/** The offset of a fixed-size field at a fixed offset, for inlay hints. */
export function fixedOffset(p: Placement | undefined): number | undefined {
  return p && p.max === p.min && p.sizeMax === p.sizeMin ? p.min : undefined;
}
