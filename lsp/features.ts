// The answers of the language server, computed from an Analysis (lsp/analysis.ts): hover,
// completion, symbols, semantic tokens, code actions, inlay hints, rename. Plain functions of LSP
// types, so that the benchmark can call them as the server does.

import {
  CodeActionKind,
  CompletionItemKind,
  DiagnosticSeverity,
  SymbolKind,
  type CodeAction,
  type CompletionItem,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type Hover,
  type InlayHint,
  type Location,
  type Position,
  type Range,
  type TextEdit,
} from "vscode-languageserver";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Span } from "../diagnostics/span.js";
import type * as A from "../grammar/ast.js";
import { scalarTypeNames } from "../generator/ir/scalars.js";
import { builtins } from "../generator/ir/builtins.js";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Formatter } from "../format/format.js";
import {
  describePlacement,
  fixedOffset,
  type Analysis,
  type Def,
  type DefKind,
  type Scope,
} from "./analysis.js";

export function rangeOf(span: Span): Range {
  return {
    start: { line: span.line - 1, character: span.column - 1 },
    end: { line: span.endLine - 1, character: span.endColumn - 1 },
  };
}

export function offsetOf(a: Analysis, p: Position): number {
  let offset = 0;
  for (let line = 0; line < p.line; line++) {
    const next = a.text.indexOf("\n", offset);
    if (next === -1) return a.text.length;
    offset = next + 1;
  }
  return Math.min(offset + p.character, a.text.length);
}

/** Diagnostics of the compiler as LSP diagnostics: those of other files (codec modules) are shown at line 1. */
export function lspDiagnostics(a: Analysis, uriOf: (file: string) => string): LspDiagnostic[] {
  return a.diagnostics.map((d: Diagnostic) => {
    const here = d.span.file === a.file;
    return {
      range: here
        ? rangeOf(d.span)
        : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: d.severity === "error" ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      code: d.code,
      source: "vmstate",
      message: here ? d.message : `${d.span.file}:${d.span.line}:${d.span.column}: ${d.message}`,
      relatedInformation: d.related.map((r) => ({
        location: { uri: uriOf(r.span.file), range: rangeOf(r.span) },
        message: r.message,
      })),
    };
  });
}

const KIND_WORDS: Record<DefKind, string> = {
  const: "const",
  features: "features",
  bit: "feature bit",
  param: "param",
  struct: "struct",
  codec: "codec",
  import: "imported name",
  section: "section",
  subsection: "subsection",
  field: "field",
  group: "group of fields",
  let: "let",
  arg: "struct argument",
  element: "element",
};

export function hover(a: Analysis, p: Position): Hover | undefined {
  const ref = a.refAt(offsetOf(a, p));
  if (!ref) return undefined;
  return { contents: { kind: "markdown", value: describe(a, ref.def) }, range: rangeOf(ref.span) };
}

function code(text: string): string {
  return "```vmstate\n" + text + "\n```";
}

/** The declaration's first line as written, without its body. */
function header(a: Analysis, def: Def): string {
  const text = a.textOf(def.declSpan);
  const brace = text.indexOf("{");
  return (brace === -1 ? text : `${text.slice(0, brace).trimEnd()} { … }`).replace(/\s+/g, " ");
}

export function describe(a: Analysis, def: Def): string {
  const parts: string[] = [];
  const doc = a.schema?.docs.get(def.declSpan.line);
  switch (def.kind) {
    case "field": {
      const f = def.node as A.FieldDecl;
      parts.push(code(`${f.path.map((s) => s.text).join(".")}: ${a.textOf(f.type.span)}`));
      const lines: string[] = [];
      const placement = a.placements.get(f.span.start);
      const container = def.scope?.owner;
      if (placement)
        lines.push(
          `${describePlacement(placement)} in ${container ? `${KIND_WORDS[container.kind]} '${container.name}'` : "its layout"}`,
        );
      if (f.guard) lines.push(`on the wire only if \`${a.textOf(f.guard.span)}\``);
      if (f.since) lines.push(`on the wire from version ${a.textOf(f.since.span)} (\`since\`)`);
      if (f.equals) lines.push(`must equal \`${a.textOf(f.equals.span)}\``);
      const model = a.fields.get(f.span.start);
      if (model?.optional) lines.push("optional in the state");
      parts.push(lines.join("  \n"));
      break;
    }
    case "const": {
      const c = a.model?.consts.find((k) => k.name === def.name);
      parts.push(code(header(a, def)));
      if (c)
        parts.push(
          `value: \`${String(c.value)}\`${typeof c.value === "bigint" && c.value > 9n ? ` (0x${c.value.toString(16)})` : ""}`,
        );
      break;
    }
    case "bit": {
      const set = def.scope?.owner;
      const bit = a.model?.features.find((f) => f.name === set?.name)?.bits.get(def.name);
      parts.push(code(`${set?.name ?? ""}.${def.name}`));
      if (bit) parts.push(`feature bit ${bit.bit} (mask 0x${(1n << bit.bit).toString(16)})`);
      break;
    }
    default:
      parts.push(
        code(
          def.kind === "arg" || def.kind === "element" || def.kind === "group"
            ? `${KIND_WORDS[def.kind]} ${def.key}`
            : header(a, def),
        ),
      );
  }
  if (doc) parts.push(doc);
  return parts.filter((s) => s !== "").join("\n\n");
}

/** An imported name's definition is in its own file: the declaration there, not the import. */
export function definition(
  a: Analysis,
  uri: string,
  p: Position,
  uriOf: (file: string) => string = () => uri,
): Location | undefined {
  const ref = a.refAt(offsetOf(a, p));
  if (!ref) return undefined;
  const target = a.importTarget(ref.def);
  if (target) return { uri: uriOf(target.file), range: rangeOf(target) };
  return { uri, range: rangeOf(ref.def.span) };
}

export function references(
  a: Analysis,
  uri: string,
  p: Position,
  includeDeclaration: boolean,
): Location[] {
  const ref = a.refAt(offsetOf(a, p));
  if (!ref) return [];
  return a
    .occurrences(ref.def)
    .filter((r) => includeDeclaration || !r.isDef)
    .map((r) => ({ uri, range: rangeOf(r.span) }));
}

const RESERVED = new Set(["if", "true", "false", "let", "validate", "unused", "subsection"]);

/** The edits of a rename, or why it is refused. */
export function rename(
  a: Analysis,
  p: Position,
  newName: string,
): { edits: TextEdit[] } | { refused: string } {
  const ref = a.refAt(offsetOf(a, p));
  if (!ref) return { refused: "there is no name here to rename" };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(newName) || RESERVED.has(newName))
    return { refused: `'${newName}' is not a name (letters, digits and _, not a reserved word)` };
  const def = ref.def;
  if (newName === def.name) return { edits: [] };
  const key = def.key.includes(".")
    ? `${def.key.slice(0, def.key.lastIndexOf("."))}.${newName}`
    : newName;
  const taken = def.scope
    ? ((def.kind === "bit" ? def.scope.names.get(key) : a.lookup(key, def.scope)) ??
      (def.kind === "bit" ? undefined : a.globals.get(newName)))
    : (a.globals.get(newName) ??
      a.defs.find((d) => d.scope && d.kind !== "bit" && d.key === newName));
  if (taken)
    return {
      refused: `'${newName}' is taken: ${KIND_WORDS[taken.kind]} at line ${taken.span.line}`,
    };
  return { edits: a.occurrences(def).map((r) => ({ range: rangeOf(r.span), newText: newName })) };
}

const KEYWORDS = [
  "import",
  "const",
  "features",
  "param",
  "struct",
  "codec",
  "from",
  "section",
  "subsection",
  "version",
  "minimum",
  "needed",
  "if",
  "since",
  "equals",
  "was",
  "max",
  "unused",
  "let",
  "validate",
  "each",
  "in",
  "true",
  "false",
];

const COMPLETION_KINDS: Record<DefKind, CompletionItemKind> = {
  const: CompletionItemKind.Constant,
  features: CompletionItemKind.Enum,
  bit: CompletionItemKind.EnumMember,
  param: CompletionItemKind.Variable,
  struct: CompletionItemKind.Struct,
  codec: CompletionItemKind.Class,
  import: CompletionItemKind.Reference,
  section: CompletionItemKind.Module,
  subsection: CompletionItemKind.Module,
  field: CompletionItemKind.Field,
  group: CompletionItemKind.Field,
  let: CompletionItemKind.Variable,
  arg: CompletionItemKind.Variable,
  element: CompletionItemKind.Variable,
};

/**
 * Completion at a position: after `Name.` the members of what `Name` is (a feature set's bits, a
 * group's or struct's fields); elsewhere keywords, scalar types, builtins and the names in scope.
 * `a` may be the analysis of an earlier text (while the current one does not parse).
 */
export function complete(a: Analysis, text: string, p: Position): CompletionItem[] {
  const lineStart = text.split("\n")[p.line] ?? "";
  const before = lineStart.slice(0, p.character);
  const dotted = /([A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*)\.(\w*)$/.exec(before);
  const offset = Math.min(offsetOf(a, p), a.text.length);
  if (dotted) {
    const [head, ...rest] = dotted[1]!.split(".");
    let def = a.lookup(head!, a.scopeAt(offset));
    for (const segment of rest) def = def ? a.member(def, segment) : undefined;
    if (!def) return [];
    return a.membersOf(def).map((d) => item(a, d));
  }
  const seen = new Set<string>();
  const items: CompletionItem[] = [];
  for (const d of a.visible(offset)) {
    const label = d.key.split(".")[0]!;
    if (d.kind === "bit" || seen.has(label)) continue;
    seen.add(label);
    items.push(
      label === d.key
        ? item(a, d)
        : { label, kind: CompletionItemKind.Field, detail: "group of fields" },
    );
  }
  for (const k of KEYWORDS) items.push({ label: k, kind: CompletionItemKind.Keyword });
  for (const s of [...scalarTypeNames(), "bytes", "text"])
    items.push({ label: s, kind: CompletionItemKind.TypeParameter, detail: "scalar type" });
  for (const [name, b] of Object.entries(builtins))
    items.push({
      label: name,
      kind: CompletionItemKind.Function,
      detail: `built-in function ${b.signature}`,
      documentation: b.summary,
    });
  return items;
}

function item(a: Analysis, d: Def): CompletionItem {
  return {
    label: d.name,
    kind: COMPLETION_KINDS[d.kind],
    detail: d.kind === "bit" ? describeBit(a, d) : KIND_WORDS[d.kind],
  };
}

/** From the syntax tree, so that completing `Set.` does not wait for the checker. */
function describeBit(a: Analysis, d: Def): string {
  const bit = (d.node as A.FeatureBit).bit;
  return `feature bit ${bit.kind === "int" ? String(bit.value) : a.textOf(bit.span)}`;
}

const SYMBOL_KINDS: Record<DefKind, SymbolKind> = {
  const: SymbolKind.Constant,
  features: SymbolKind.Enum,
  bit: SymbolKind.EnumMember,
  param: SymbolKind.Variable,
  struct: SymbolKind.Struct,
  codec: SymbolKind.Class,
  import: SymbolKind.Package,
  section: SymbolKind.Module,
  subsection: SymbolKind.Namespace,
  field: SymbolKind.Field,
  group: SymbolKind.Field,
  let: SymbolKind.Variable,
  arg: SymbolKind.TypeParameter,
  element: SymbolKind.Variable,
};

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const symbol = (d: Def, children: DocumentSymbol[] = []): DocumentSymbol => ({
    name: d.kind === "field" ? d.key : d.name,
    kind: SYMBOL_KINDS[d.kind],
    range: rangeOf(d.declSpan),
    selectionRange: rangeOf(d.span),
    children,
  });
  const byScope = new Map<Scope | undefined, Def[]>();
  for (const d of a.defs) {
    if (d.kind === "group" || d.kind === "arg") continue;
    const list = byScope.get(d.scope);
    if (list) list.push(d);
    else byScope.set(d.scope, [d]);
  }
  const inside = (scope: Scope | undefined): DocumentSymbol[] =>
    (byScope.get(scope) ?? []).map((d) => symbol(d, d.inner ? inside(d.inner) : []));
  return inside(undefined);
}

export const TOKEN_TYPES = [
  "type",
  "struct",
  "enum",
  "enumMember",
  "parameter",
  "variable",
  "property",
  "function",
  "namespace",
  "class",
];
export const TOKEN_MODIFIERS = ["declaration", "readonly", "defaultLibrary"];

const SEMANTIC: Record<DefKind, [string, number]> = {
  const: ["variable", 2],
  features: ["enum", 0],
  bit: ["enumMember", 2],
  param: ["parameter", 0],
  struct: ["struct", 0],
  codec: ["class", 0],
  import: ["type", 0],
  section: ["namespace", 0],
  subsection: ["namespace", 0],
  field: ["property", 0],
  group: ["property", 0],
  let: ["variable", 0],
  arg: ["parameter", 0],
  element: ["variable", 0],
};

/** Semantic tokens, LSP's relative encoding: for every name the kind of what it names. */
export function semanticTokens(a: Analysis): number[] {
  const tokens: { span: Span; type: number; modifiers: number }[] = [];
  for (const r of a.refs) {
    const [type, mods] = SEMANTIC[r.def.kind];
    tokens.push({
      span: r.span,
      type: TOKEN_TYPES.indexOf(type),
      modifiers: mods | (r.isDef ? 1 : 0),
    });
  }
  for (const span of a.scalarUses)
    tokens.push({ span, type: TOKEN_TYPES.indexOf("type"), modifiers: 4 });
  for (const span of a.builtinUses)
    tokens.push({ span, type: TOKEN_TYPES.indexOf("function"), modifiers: 4 });
  tokens.sort((x, y) => x.span.start - y.span.start);
  const data: number[] = [];
  let line = 0;
  let char = 0;
  for (const t of tokens) {
    if (t.span.line !== t.span.endLine) continue;
    const l = t.span.line - 1;
    const c = t.span.column - 1;
    data.push(l - line, l === line ? c - char : c, t.span.end - t.span.start, t.type, t.modifiers);
    line = l;
    char = c;
  }
  return data;
}

/**
 * The whole document in the canonical layout: one edit, or none when it is formatted or does not
 * parse. `formatter` is the document's own, which keeps what it learnt of the previous text.
 */
export function formatting(doc: TextDocument, formatter: Formatter, file: string): TextEdit[] {
  const text = doc.getText();
  const formatted = formatter.format(text, file).text;
  if (formatted === undefined || formatted === text) return [];
  return [
    {
      range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) },
      newText: formatted,
    },
  ];
}

/** Fixes for diagnostics that have one: a bound, a value for an absent one, a known type name. */
export function codeActions(
  a: Analysis,
  uri: string,
  diagnostics: readonly LspDiagnostic[],
): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    const start = offsetOf(a, d.range.start);
    const end = offsetOf(a, d.range.end);
    const text = a.text.slice(start, end);
    const fix = (title: string, newText: string, range: Range = d.range): void => {
      actions.push({
        title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: actions.length === 0,
        edit: { changes: { [uri]: [{ range, newText }] } },
      });
    };
    if (d.code === "VMS5001") {
      const bound = boundFor(a, start);
      fix(`Add 'max ${bound}'`, `${text} max ${bound}`);
    } else if (d.code === "VMS4003") {
      // The value to use instead is of the absent value's type: false for a bool, 0 otherwise.
      const fallback = isBool(a, start) ? "false" : "0";
      fix(`Add '?? ${fallback}'`, `(${text} ?? ${fallback})`);
    } else if (d.code === "VMS2003") {
      const names = [
        ...scalarTypeNames(),
        "bytes",
        "text",
        ...[...a.globals.values()]
          .filter((g) => g.kind === "struct" || g.kind === "codec")
          .map((g) => g.name),
      ];
      const best = nearest(text, names);
      if (best) fix(`Use '${best}'`, best);
    }
  }
  return actions;
}

/** Whether the value named at an offset (a field or a parameter) is a bool. */
function isBool(a: Analysis, offset: number): boolean {
  let ref = a.refAt(offset);
  // `a.b.c`: the last name is the value.
  for (let r = ref; r; r = a.refAt(r.span.end + 1)) {
    ref = r;
    if (a.text[r.span.end] !== ".") break;
  }
  const def = ref?.def;
  if (def?.kind === "field")
    return a.fields.get((def.node as A.FieldDecl).span.start)?.type.kind === "bool";
  if (def?.kind === "param")
    return a.model?.params.find((p) => p.name === def.name)?.type.kind === "bool";
  return false;
}

/** A bound for a count: the largest value of the field it reads when that is a plain field, else 1024. */
function boundFor(a: Analysis, offset: number): string {
  const ref = a.refAt(offset);
  if (ref?.def.kind === "field") {
    const model = a.fields.get((ref.def.node as A.FieldDecl).span.start);
    if (model?.type.kind === "int" && model.type.bits <= 16 && !model.type.signed)
      return String(2 ** model.type.bits - 1);
  }
  return "1024";
}

function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 2)) + 1;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(x: string, y: string): number {
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++)
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[y.length]!;
}

/** `offset N` after each fixed-size field at a fixed offset in the range. */
export function inlayHints(a: Analysis, range: Range): InlayHint[] {
  const hints: InlayHint[] = [];
  for (const d of a.defs) {
    if (d.kind !== "field") continue;
    const f = d.node as A.FieldDecl;
    const line = f.span.endLine - 1;
    if (line < range.start.line || line > range.end.line) continue;
    const offset = fixedOffset(a.placements.get(f.span.start));
    if (offset === undefined) continue;
    hints.push({
      position: { line, character: f.span.endColumn - 1 },
      label: `offset ${offset}`,
      paddingLeft: true,
    });
  }
  return hints;
}
