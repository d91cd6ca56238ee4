// Check pass 2: structs and sections. Builds each layout's members in wire order and its state tree,
// resolves field types, and types every expression the reader or writer evaluates (as "sites").

import {
  Diagnostics,
  Related,
  type Diagnostic,
  type Message,
} from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import type * as A from "../../grammar/ast.js";
import type {
  Count,
  ElementModel,
  ExprType,
  ExprSite,
  FieldModel,
  FieldType,
  IrExpr,
  LayoutModel,
  LetModel,
  MemberModel,
  MergeModel,
  StateNode,
  StructArgModel,
  SubsectionModel,
  UnusedModel,
  ValidateModel,
  WrittenVersion,
  WrittenVersions,
} from "../model.js";
import type { Declarations } from "./declarations.js";
import { scalarTypeOf, valueFits } from "./declarations.js";
import { typeHint } from "../../diagnostics/hints.js";
import { printable } from "../../runtime/errors.js";
import {
  checkBool,
  checkConstInt,
  checkExpr,
  checkInt,
  checkValue,
  failedExpr,
  isError,
  requirePresent,
  type ExprContext,
  type ScopeEntry,
} from "./expressions.js";
import { constantOf } from "../ir/constants.js";
import { exprTypeOfField } from "./types.js";
import { usableVersion } from "./versions.js";
import { scalarByName, scalarName } from "../ir/scalars.js";
import { BoundField, BoundSubsection, Later, LaterCount, type FieldChecks } from "./slots.js";

/** How deep structs may contain structs (docs/security.md); QEMU's devices nest a few levels. */
export const MAX_STRUCT_NESTING = 32;

/** One level of names: the layout itself, or a subsection inside it. */
interface Scope {
  readonly state: Map<string, StateNode>;
  readonly lets: Map<string, LetBinding>;
  readonly subsection: SubsectionModel | undefined;
  readonly versionRange: { min: bigint; max: bigint };
}

/** A part of a field's type checked with its level's expressions, as data. */
type PendingShape =
  | {
      readonly kind: "count";
      readonly place: Place;
      readonly name: string;
      readonly ref: Extract<A.TypeRef, { kind: "array" }>;
      readonly count: LaterCount;
      readonly role: string;
    }
  | {
      readonly kind: "args";
      readonly place: Place;
      readonly name: string;
      readonly written: readonly A.Expr[];
      readonly params: readonly StructArgModel[];
      readonly args: Later<readonly IrExpr[]>;
    };

/** Where a member is in wire order, given when it is declared. */
interface Place {
  readonly order: number;
  readonly subsection: SubsectionModel | undefined;
  readonly span: Span;
}

/**
 * A let as its level knows it: its model is made when it is first checked (at its place, or at
 * its first use, so a reference to a later let still gets its type).
 */
interface LetBinding {
  readonly decl: A.LetDecl;
  readonly place: Place;
  model: LetModel | undefined;
  checking: boolean;
}

/**
 * A member after its names are declared, with what checking it needs. Fields and subsections have
 * their models already (expressions refer to them); the others get theirs when they are checked.
 */
type DeclaredMember =
  | { readonly kind: "field"; readonly decl: A.FieldDecl; readonly model: BoundField }
  | { readonly kind: "unused"; readonly decl: A.UnusedDecl; readonly place: Place }
  | {
      readonly kind: "let";
      readonly decl: A.LetDecl;
      readonly place: Place;
      /** Undefined when its name was taken already (reported): it is checked where it stands. */
      readonly binding: LetBinding | undefined;
    }
  | { readonly kind: "validate"; readonly decl: A.ValidateDecl; readonly place: Place }
  | {
      readonly kind: "subsection";
      readonly decl: A.SubsectionDecl;
      readonly model: BoundSubsection;
      readonly level: Scope;
      readonly members: readonly DeclaredMember[];
    };

export function bindLayouts(
  declarations: Declarations,
  diagnostics: Diagnostic[],
): { structs: LayoutModel[]; sections: LayoutModel[] } {
  const done = new Map<string, LayoutModel>();
  const inProgress = new Set<string>();
  const structs: LayoutModel[] = [];
  /** How deep each bound struct nests structs (1: it contains none). */
  const nesting = new Map<string, number>();
  /** For each struct being bound, the deepest struct it contains so far. */
  const deepestInside: number[] = [];
  /** One VMS2014 is enough: the structs around the first too deep are too deep too. */
  let tooDeepReported = false;
  const contains = (depth: number): void => {
    const top = deepestInside.length - 1;
    if (top >= 0 && deepestInside[top]! < depth) deepestInside[top] = depth;
  };

  /** The checked struct `name`, binding it first if needed; undefined on a cycle or an error. */
  function struct(name: string, usedAt: Span): LayoutModel | "unknown" | "cycle" {
    // A struct of another file was checked (and its depth limited) there.
    const imported = declarations.importedStructs.get(name);
    if (imported) return imported;
    const existing = done.get(name);
    if (existing) {
      const depth = nesting.get(name) ?? 1;
      // A struct already too deep is an error where it is used (and is not walked again).
      if (depth > MAX_STRUCT_NESTING) return "cycle";
      contains(depth);
      return existing;
    }
    const decl = declarations.structs.get(name);
    if (!decl) return "unknown";
    // Binding recurses into the structs a struct contains: the depth is limited before it is taken.
    if (inProgress.size >= MAX_STRUCT_NESTING && !inProgress.has(name)) {
      if (!tooDeepReported)
        diagnostics.push(Diagnostics.StructNestedTooDeep(name, MAX_STRUCT_NESTING).at(usedAt));
      tooDeepReported = true;
      return "cycle";
    }
    if (inProgress.has(name)) {
      diagnostics.push(
        Diagnostics.StructContainsItself(name).at(usedAt, [
          Related.StructDeclaredHere(name).at(decl.name.span),
        ]),
      );
      return "cycle";
    }
    inProgress.add(name);
    deepestInside.push(0);
    const model = new LayoutBinder(decl, declarations, diagnostics, struct).bind();
    const depth = deepestInside.pop()! + 1;
    inProgress.delete(name);
    nesting.set(name, depth);
    contains(depth);
    // Bound in another order (the innermost first), a deep chain never recursed: it is measured.
    if (depth === MAX_STRUCT_NESTING + 1 && !tooDeepReported)
      diagnostics.push(
        Diagnostics.StructNestedTooDeep(name, MAX_STRUCT_NESTING).at(decl.name.span),
      );
    if (depth > MAX_STRUCT_NESTING) tooDeepReported = true;
    done.set(name, model);
    structs.push(model);
    return model;
  }

  for (const decl of declarations.structs.values()) struct(decl.name.text, decl.name.span);
  const sections = declarations.sections.map((decl) =>
    new LayoutBinder(decl, declarations, diagnostics, struct).bind(),
  );
  return { structs, sections };
}

type StructLookup = (name: string, usedAt: Span) => LayoutModel | "unknown" | "cycle";

class LayoutBinder {
  private order = 0;
  private readonly sites: ExprSite[] = [];
  private readonly args: StructArgModel[] = [];
  private readonly root: Scope;
  private readonly version: number;
  private readonly minimum: number;
  private readonly written: WrittenVersions;
  private readonly qemuName: string | undefined;

  constructor(
    private readonly decl: A.StructDecl | A.SectionDecl,
    private readonly declarations: Declarations,
    private readonly diagnostics: Diagnostic[],
    private readonly structLookup: StructLookup,
  ) {
    const globalCtx = this.context([]);
    if (decl.kind === "section") {
      this.written = {
        version: this.writtenVersion(decl.version, "a section version", globalCtx),
        minimum: this.writtenVersion(decl.minimum, "a minimum version", globalCtx),
      };
      this.version = usableVersion(this.written.version);
      this.minimum = decl.minimum ? usableVersion(this.written.minimum) : this.version;
      this.qemuName = decl.qemuName.value;
      this.checkQemuName(decl.qemuName);
    } else {
      this.written = {
        version: this.writtenVersion(decl.version, "a struct version", globalCtx),
        minimum: undefined,
      };
      this.version = usableVersion(this.written.version);
      this.minimum = this.version;
      this.qemuName = decl.qemuName?.value;
    }
    this.root = {
      state: new Map(),
      lets: new Map(),
      subsection: undefined,
      versionRange: { min: BigInt(this.minimum), max: BigInt(this.version) },
    };
  }

  /** A name that goes on the wire (a section's idstr, a subsection's name) must fit QEMU's format. */
  private checkQemuName(name: { readonly value: string; readonly span: Span }): void {
    const problem = qemuNameProblem(name.value);
    if (problem !== undefined) this.diagnostics.push(problem.at(name.span));
  }

  bind(): LayoutModel {
    const decl = this.decl;
    if (decl.kind === "struct") {
      for (const p of decl.params) {
        const type = scalarTypeOf(p.type, this.diagnostics);
        if (type && this.claimValueName(p.name, []))
          this.args.push({ name: p.name.text, type, span: p.name.span });
      }
    }
    const declared = this.declareMembers(decl.members, this.root, [this.root]);
    const members = this.checkMembers(declared, [this.root]);
    return {
      kind: decl.kind,
      name: decl.name.text,
      nameSpan: decl.name.span,
      qemuName: this.qemuName,
      version: this.version,
      minimum: this.minimum,
      written: this.written,
      args: this.args,
      members,
      state: this.root.state,
      sites: this.sites,
      span: decl.span,
    };
  }

  /** A version as written, folded to a constant; whether QEMU can carry it is the versions pass's to say. */
  private writtenVersion(
    e: A.Expr | undefined,
    what: string,
    ctx: ExprContext,
  ): WrittenVersion | undefined {
    const value = e && checkConstInt(e, ctx, what);
    return value === undefined ? undefined : { value, span: e!.span };
  }

  // ------------------------------------------------------------- phase 1: declare names and wire order

  /** Two fields of one level cannot both have been `x`: compat would not know which one is. */
  private claimFormerPaths(field: A.FieldDecl, owners: Map<string, A.FieldDecl>): void {
    for (const former of field.formerPaths) {
      const text = former.path.map((n) => n.text).join(".");
      const first = owners.get(text);
      if (!first) {
        owners.set(text, field);
        continue;
      }
      const name = (f: A.FieldDecl): string => f.path.map((n) => n.text).join(".");
      this.diagnostics.push(
        Diagnostics.FormerNameTwice(text, name(first), name(field)).at(former.span, [
          Related.FormerNameToo(name(first), text).at(first.span),
        ]),
      );
    }
  }

  /**
   * Gives each member its wire order (non-subsection members first, then each subsection with its
   * own members), and enters fields, lets and subsections into the level's names.
   */
  private declareMembers(
    decls: readonly A.Member[],
    level: Scope,
    levels: Scope[],
  ): DeclaredMember[] {
    const models: DeclaredMember[] = [];
    const formerOwners = new Map<string, A.FieldDecl>();
    for (const m of decls) {
      if (m.kind === "subsection") continue;
      const base = { order: this.order++, subsection: level.subsection, span: m.span };
      switch (m.kind) {
        case "field": {
          const path = m.path.map((n) => n.text);
          // A version gate that the minimum version already guarantees leaves the field always present.
          const gate =
            m.since && constantOf(checkValue(m.since, { ...this.context([]), diagnostics: [] }));
          const guaranteed = typeof gate === "bigint" && gate <= level.versionRange.min;
          // The shape now, so expressions anywhere in the layout can see the field's type; the
          // counts and struct arguments are checked with the other expressions.
          // A type that failed (reported) is taken as a bool, so that the rest of the layout is
          // still checked; nothing is generated from a schema with errors.
          const type = this.fieldShape(m.type, base, path.join("."), levels) ?? { kind: "bool" };
          const mergesIntoAnother = m.again === undefined && this.namesIntoField(m, levels);
          const field = new BoundField(
            {
              ...base,
              path,
              type,
              optional: m.guard !== undefined || (m.since !== undefined && !guaranteed),
              absentWhen:
                m.guard !== undefined
                  ? "guard"
                  : m.since !== undefined && !guaranteed
                    ? "version"
                    : undefined,
              formerPaths: m.formerPaths.map((f) => f.path.map((n) => n.text)),
            },
            mergesIntoAnother,
          );
          this.claimFormerPaths(m, formerOwners);
          // A second copy (`again`) and a field merged into another one's value have no key of
          // their own in the state.
          if (mergesIntoAnother) {
            const list = this.pendingMerges.get(level) ?? [];
            list.push({ decl: m, field });
            this.pendingMerges.set(level, list);
          } else if (m.again === undefined) this.enterField(level, m, field, levels);
          models.push({ kind: "field", decl: m, model: field });
          break;
        }
        case "unused":
          models.push({ kind: "unused", decl: m, place: base });
          break;
        case "let": {
          let binding: LetBinding | undefined;
          if (this.claimValueName(m.name, levels)) {
            binding = { decl: m, place: base, model: undefined, checking: false };
            level.lets.set(m.name.text, binding);
          }
          models.push({ kind: "let", decl: m, place: base, binding });
          break;
        }
        case "validate":
          models.push({ kind: "validate", decl: m, place: base });
          break;
      }
    }
    const seenQemuNames = new Map<string, Span>();
    for (const m of decls) {
      if (m.kind !== "subsection") continue;
      const first = seenQemuNames.get(m.qemuName.value);
      if (first) {
        this.diagnostics.push(
          Diagnostics.DuplicateSubsection(m.qemuName.value).at(m.qemuName.span, [
            Related.ItIsFirstDeclaredHere().at(first),
          ]),
        );
      } else seenQemuNames.set(m.qemuName.value, m.qemuName.span);
      this.checkQemuName(m.qemuName);
      const ctx = this.context(levels);
      const written: WrittenVersions = {
        version: this.writtenVersion(m.version, "a subsection version", ctx),
        minimum: this.writtenVersion(m.minimum, "a minimum version", ctx),
      };
      const version = usableVersion(written.version);
      const minimum = m.minimum ? usableVersion(written.minimum) : version;
      const sub = new BoundSubsection({
        order: this.order++,
        subsection: level.subsection,
        span: m.span,
        name: m.name.text,
        qemuName: m.qemuName.value,
        qemuNameSpan: m.qemuName.span,
        version,
        minimum,
        written,
        ownerQemuName: level.subsection?.qemuName ?? this.qemuName ?? "",
      });
      const children = new Map<string, StateNode>();
      if (this.claimStateKey(level.state, m.name, levels)) {
        level.state.set(m.name.text, {
          kind: "subsection",
          key: m.name.text,
          subsection: sub,
          children,
        });
      }
      const inner: Scope = {
        state: children,
        lets: new Map(),
        subsection: sub,
        versionRange: { min: BigInt(minimum), max: BigInt(version) },
      };
      const members = this.declareMembers(m.members, inner, [...levels, inner]);
      models.push({ kind: "subsection", decl: m, model: sub, level: inner, members });
    }
    return models;
  }

  /** Fields whose paths name into another field's value, resolved when the level is checked. */
  private readonly pendingMerges = new Map<Scope, { decl: A.FieldDecl; field: BoundField }[]>();

  /**
   * Whether a path goes into the value of a field: it has an index (`channels[0].x`), or its first
   * name is a field visible here (`parent_obj.queue.cwptr` in a subsection, or after `parent_obj`).
   */
  private namesIntoField(decl: A.FieldDecl, levels: Scope[]): boolean {
    if (decl.segments.some((s) => s.kind === "index")) return true;
    if (decl.segments.length < 2) return false;
    const first = decl.segments[0]!;
    if (first.kind !== "name") return false;
    for (let i = levels.length - 1; i >= 0; i--) {
      const node = levels[i]!.state.get(first.name.text);
      // Into a struct or an array of them; a scalar keeps its prefix clash (VMS2009).
      if (node)
        return (
          node.kind === "field" &&
          (node.field.type.kind === "struct" || node.field.type.kind === "array")
        );
    }
    return false;
  }

  /**
   * Resolves a merged field: the anchor field its path starts from (through groups), then the
   * route through the anchor's value (array indexes, struct and group keys) to the object that
   * gets one new key. Reports what to write instead when the path does not fit the values.
   */
  private resolveMerge(
    decl: A.FieldDecl,
    field: BoundField,
    levels: Scope[],
    ctx: ExprContext,
  ): MergeModel | undefined {
    const written = field.path.join(".");
    const fail = (span: Span, problem: Message): void => {
      this.diagnostics.push(problem.at(span));
    };
    const segments = decl.segments;
    // The anchor: the first names through groups of some visible level, up to a field.
    let anchor: FieldModel | undefined;
    let at = 0;
    for (let l = levels.length - 1; l >= 0 && !anchor; l--) {
      let map: Map<string, StateNode> | undefined = levels[l]!.state;
      for (at = 0; map && at < segments.length; at++) {
        const s = segments[at]!;
        if (s.kind !== "name") break;
        const node: StateNode | undefined = map.get(s.name.text);
        if (!node || node.kind === "subsection") break;
        if (node.kind === "field") {
          anchor = node.field;
          at++;
          break;
        }
        map = node.children;
      }
    }
    const head = segments[0]!;
    const headName = head.kind === "name" ? head.name : undefined;
    if (!anchor) {
      fail(
        headName?.span ?? decl.span,
        Diagnostics.PathHeadNotAField(written, headName?.text ?? "?"),
      );
      return undefined;
    }
    if (anchor.optional) {
      fail(
        decl.span,
        Diagnostics.PathIntoAbsent(
          written,
          anchor.path.join("."),
          anchor.absentWhen === "guard" ? "guarded" : "version-gated",
        ),
      );
      return undefined;
    }
    const route: (number | string)[] = [];
    let type: FieldType | undefined = anchor.type;
    let map: Map<string, StateNode> | undefined;
    let what = anchor.path.join(".");
    for (; at < segments.length; at++) {
      const s = segments[at]!;
      const last = at === segments.length - 1;
      if (type?.kind === "array") {
        if (s.kind !== "index") {
          fail(s.name.span, Diagnostics.PathNameInArray(written, what, s.name.text));
          return undefined;
        }
        const i = checkConstInt(s.index, ctx, "an index in a field path");
        if (i === undefined) return undefined;
        const n = type.count.constant;
        if (n === undefined) {
          fail(s.span, Diagnostics.PathIndexUncounted(written, what));
          return undefined;
        }
        if (i < 0n || i >= n) {
          fail(s.span, Diagnostics.PathIndexOutOfRange(written, i, what, n));
          return undefined;
        }
        route.push(Number(i));
        what = `${what}[${i}]`;
        type = type.element;
        map = undefined;
        if (last) {
          fail(s.span, Diagnostics.PathEndsAtElement(written, what));
          return undefined;
        }
        continue;
      }
      if (type?.kind === "struct") map = type.struct.state;
      else if (type !== undefined) {
        fail(
          s.kind === "name" ? s.name.span : s.span,
          Diagnostics.PathIntoScalar(written, what, describeFieldType(type)),
        );
        return undefined;
      }
      if (!map) return undefined;
      if (s.kind === "index") {
        fail(s.span, Diagnostics.PathIndexNotArray(written, what));
        return undefined;
      }
      const node = map.get(s.name.text);
      if (!node) {
        if (!last) {
          fail(s.name.span, Diagnostics.PathNameNotIn(written, s.name.text, what));
          return undefined;
        }
        const owner = anchor;
        const key = s.name.text;
        const clash = owner.extensions.find(
          (x) => x.key === key && x.route.join("/") === route.join("/"),
        );
        if (clash) {
          this.diagnostics.push(
            Diagnostics.DuplicateName(written).at(s.name.span, [
              Related.DeclaredHere(clash.field.path.join(".")).at(clash.field.span),
            ]),
          );
          return undefined;
        }
        // Every field of this layout's levels is bound here.
        if (!(owner instanceof BoundField)) throw new Error("an anchor of another layout");
        const merge = { field, anchor: owner, route, key };
        owner.extendedBy(merge);
        return merge;
      }
      if (node.kind === "subsection") {
        fail(s.name.span, Diagnostics.PathIntoSubsection(written, s.name.text, what));
        return undefined;
      }
      route.push(s.name.text);
      what = `${what}.${s.name.text}`;
      if (node.kind === "group") {
        type = undefined;
        map = node.children;
        if (last) {
          fail(s.name.span, Diagnostics.PathIsGroup(written, what));
          return undefined;
        }
        continue;
      }
      if (last) {
        fail(s.name.span, Diagnostics.PathIsField(written, what));
        return undefined;
      }
      type = node.field.type;
      map = undefined;
    }
    return undefined;
  }

  /** Enters a field at its (possibly dotted) path, creating groups; reports clashes. */
  private enterField(level: Scope, decl: A.FieldDecl, field: FieldModel, levels: Scope[]): void {
    let map = level.state;
    decl.path.forEach((name, i) => {
      const last = i === decl.path.length - 1;
      const existing = map.get(name.text);
      if (i === 0 && !existing && !this.claimValueName(name, levels, map)) return;
      if (last) {
        if (existing) {
          const other = existing.kind === "field" ? existing.field.path.join(".") : existing.key;
          const declared = Related.DeclaredHere(other).at(
            existing.kind === "field"
              ? existing.field.span
              : existing.kind === "group"
                ? existing.span
                : existing.subsection.span,
          );
          const clash =
            existing.kind === "group"
              ? Diagnostics.FieldPrefixClash(field.path.join("."), other)
              : Diagnostics.DuplicateName(field.path.join("."));
          this.diagnostics.push(clash.at(name.span, [declared]));
          return;
        }
        map.set(name.text, { kind: "field", key: name.text, field });
        return;
      }
      if (existing && existing.kind !== "group") {
        const other = existing.kind === "field" ? existing.field : undefined;
        this.diagnostics.push(
          Diagnostics.FieldPrefixClash(
            field.path.join("."),
            other ? other.path.join(".") : existing.key,
          ).at(name.span, other ? [Related.ItIsDeclaredHere().at(other.span)] : []),
        );
        map = new Map();
        return;
      }
      if (!existing) {
        const group: StateNode = {
          kind: "group",
          key: name.text,
          children: new Map(),
          span: name.span,
        };
        map.set(name.text, group);
        map = group.children;
      } else map = existing.children;
    });
  }

  /** A subsection's key in its owner's state must be free. */
  private claimStateKey(map: Map<string, StateNode>, name: A.Name, levels: Scope[]): boolean {
    if (map.has(name.text)) {
      this.diagnostics.push(Diagnostics.DuplicateName(name.text).at(name.span));
      return false;
    }
    return this.claimValueName(name, levels, map);
  }

  /**
   * Fields, lets, subsections and struct arguments may not reuse a name visible at their level
   * (no shadowing: a reader of the schema never has to work out which of two names is meant).
   * `exceptMap` is the state map the caller has already checked.
   */
  private claimValueName(
    name: A.Name,
    levels: Scope[],
    exceptMap?: Map<string, StateNode>,
  ): boolean {
    const span = this.visibleDeclaration(name.text, levels, exceptMap);
    if (!span) return true;
    this.diagnostics.push(
      Diagnostics.DuplicateName(name.text).at(name.span, [
        Related.FirstDeclaredHere(name.text).at(span),
      ]),
    );
    return false;
  }

  private visibleDeclaration(
    name: string,
    levels: Scope[],
    exceptMap: Map<string, StateNode> | undefined,
  ): Span | undefined {
    const global = this.declarations.lookupGlobal(name);
    if (global && global.kind !== "state" && global.kind !== "failed") return global.model.span;
    const arg = this.args.find((a) => a.name === name);
    if (arg) return arg.span;
    const enclosing = new Set(levels.map((l) => l.subsection));
    for (const level of levels) {
      const binding = level.lets.get(name);
      if (binding) return binding.decl.name.span;
      const node = level.state === exceptMap ? undefined : level.state.get(name);
      // A subsection's own key names no value inside it, so its fields may reuse it.
      if (node?.kind === "subsection" && enclosing.has(node.subsection)) continue;
      if (node)
        return node.kind === "field"
          ? node.field.span
          : node.kind === "group"
            ? node.span
            : node.subsection.span;
    }
    return undefined;
  }

  // ------------------------------------------------------------- phase 2: types and expressions

  private context(levels: Scope[]): ExprContext {
    const inner = levels[levels.length - 1];
    return {
      lookup: (name) => this.lookup(name, levels),
      names: () => [
        ...levels.flatMap((l) => [...l.state.keys(), ...l.lets.keys()]),
        ...this.args.map((a) => a.name),
        ...this.declarations.globalNames(),
      ],
      // Before the root level exists (section versions), only constants are in scope.
      versionRange: inner?.versionRange ?? { min: 0n, max: 0n },
      diagnostics: this.diagnostics,
    };
  }

  private lookup(name: string, levels: Scope[]): ScopeEntry | undefined {
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i]!;
      const node = level.state.get(name);
      if (node) return { kind: "state", node };
      const binding = level.lets.get(name);
      if (binding?.checking) {
        // The let's value reads the let itself, directly or through the lets it reads.
        const chain = this.checkingLets.slice(this.checkingLets.indexOf(binding));
        const cycle = [...chain, binding].map((b) => b.decl.name.text).join(" → ");
        this.diagnostics.push(Diagnostics.LetReadsItself(name, cycle).at(binding.decl.name.span));
        return { kind: "failed" };
      }
      if (binding) return { kind: "let", model: this.checkedLet(binding, levels.slice(0, i + 1)) };
    }
    const arg = this.args.find((a) => a.name === name);
    if (arg) return { kind: "arg", model: arg };
    return this.declarations.lookupGlobal(name);
  }

  /** The lets whose values are being checked, the outermost first (a cycle is a part of it). */
  private readonly checkingLets: LetBinding[] = [];

  /** A let's model, checked on first use, so a reference to a later let still gets its type. */
  private checkedLet(binding: LetBinding, levels: Scope[]): LetModel {
    if (binding.model) return binding.model;
    binding.checking = true;
    this.checkingLets.push(binding);
    const model = this.letModel(binding.decl, binding.place, this.context(levels));
    this.checkingLets.pop();
    binding.checking = false;
    binding.model = model;
    return model;
  }

  /**
   * `ctx` is the let's level; the value reads what comes before the let in wire order. A let whose
   * name was taken (reported) names nothing, so nothing evaluates its value: it is only checked.
   */
  private letModel(decl: A.LetDecl, place: Place, ctx: ExprContext, named = true): LetModel {
    const value = checkValue(decl.value, { ...ctx, readAt: place.order });
    const model: LetModel = { kind: "let", ...place, name: decl.name.text, value };
    if (named) this.site(value, `value of let '${decl.name.text}'`, model, false);
    return model;
  }

  private site(
    expr: IrExpr,
    role: string,
    at: { order: number; subsection: SubsectionModel | undefined },
    writerOnly: boolean,
    neededOf?: SubsectionModel,
  ): void {
    if (!isError(expr))
      this.sites.push({
        expr,
        role,
        order: at.order,
        subsection: at.subsection,
        writerOnly,
        neededOf,
      });
  }

  /** Checks a level's members, its subsections after the rest, and returns their models in wire order. */
  private checkMembers(declared: readonly DeclaredMember[], levels: Scope[]): MemberModel[] {
    const level = levels[levels.length - 1]!;
    const ctx = this.context(levels);
    this.checkShapes(level, ctx);
    for (const { decl, field } of this.pendingMerges.get(level) ?? [])
      field.mergesAt(this.resolveMerge(decl, field, levels, ctx));
    const models: MemberModel[] = [];
    for (const member of declared) {
      if (member.kind === "subsection") continue;
      // What the member's expressions may read: what comes before it in wire order.
      const at = {
        ...ctx,
        readAt: member.kind === "field" ? member.model.order : member.place.order,
      };
      switch (member.kind) {
        case "field":
          member.model.checked(this.checkField(member.decl, member.model, at));
          models.push(member.model);
          break;
        case "unused":
          models.push(this.unusedModel(member.decl, member.place, at));
          break;
        case "let":
          models.push(
            member.binding
              ? this.checkedLet(member.binding, levels)
              : this.letModel(member.decl, member.place, ctx, false),
          );
          break;
        case "validate":
          models.push(this.validateModel(member.decl, member.place, at, levels));
          break;
      }
    }
    for (const member of declared) {
      if (member.kind !== "subsection") continue;
      const { decl, model: sub, level: inner } = member;
      // Its members first: `needed` may read the fields it merges into the owner's values.
      sub.membersChecked(this.checkMembers(member.members, [...levels, inner]));
      // The writer decides with the whole state: the subsection's own fields are in scope.
      const needed =
        decl.needed && checkBool(decl.needed, this.context([...levels, inner]), "'needed'");
      if (needed) this.site(needed, `'needed' of subsection "${sub.qemuName}"`, sub, true, sub);
      sub.neededChecked(needed);
      models.push(sub);
    }
    return models;
  }

  private validateModel(
    decl: A.ValidateDecl,
    place: Place,
    ctx: ExprContext,
    levels: Scope[],
  ): ValidateModel {
    let each: ValidateModel["each"];
    let condition: IrExpr;
    if (decl.each) {
      const element = this.eachElement(decl.each, ctx, levels, place);
      each = element?.each;
      // Without its element the condition would only repeat the error.
      condition = element
        ? checkBool(decl.condition, element.ctx, "a validation")
        : failedExpr(decl.condition.span);
    } else condition = checkBool(decl.condition, ctx, "a validation");
    const model: ValidateModel = {
      kind: "validate",
      ...place,
      each,
      condition,
      message: decl.message.value,
    };
    this.site(condition, "validation", model, false);
    return model;
  }

  /**
   * `each x in array`: the array must be bytes or an array of scalars that is there; `x` names its
   * element in the condition, and no other visible name.
   */
  private eachElement(
    each: NonNullable<A.ValidateDecl["each"]>,
    ctx: ExprContext,
    levels: Scope[],
    at: Place,
  ): { each: NonNullable<ValidateModel["each"]>; ctx: ExprContext } | undefined {
    const array = checkExpr(each.array, ctx);
    if (isError(array)) return undefined;
    this.site(array, "validation", at, false);
    if (!requirePresent(array, ctx)) return undefined;
    let type: ExprType | undefined;
    if (array.type.kind === "bytes") type = { kind: "int", min: 0n, max: 255n };
    else if (
      array.type.kind === "array" &&
      (array.type.element.kind === "int" || array.type.element.kind === "bool")
    )
      type = exprTypeOfField(array.type.element);
    if (!type) {
      this.diagnostics.push(Diagnostics.EachNeedsArray().at(array.span));
      return undefined;
    }
    if (!this.claimValueName(each.element, levels)) return undefined;
    const element: ElementModel = { name: each.element.text, span: each.element.span };
    const elementType = type;
    const inner: ExprContext = {
      ...ctx,
      lookup: (name) =>
        name === element.name
          ? { kind: "element", model: element, type: elementType }
          : ctx.lookup(name),
    };
    return { each: { element, array }, ctx: inner };
  }

  /** `ctx` reads what comes before the field in wire order. */
  private checkField(decl: A.FieldDecl, field: FieldModel, ctx: ExprContext): FieldChecks {
    const name = field.path.join(".");
    const again = decl.again ? this.checkAgain(decl, field, ctx) : undefined;
    const guard = decl.guard && checkBool(decl.guard, ctx, "a guard");
    if (guard) this.site(guard, `guard of '${name}'`, field, false);
    const since = decl.since && checkInt(decl.since, ctx, "a version gate");
    if (since) this.site(since, `version gate of '${name}'`, field, false);
    return {
      again,
      guard,
      since,
      equals: decl.equals && this.checkEquals(decl.equals, field, ctx),
    };
  }

  /** `equals`: a value of the field's scalar type, that the reader checks. */
  private checkEquals(written: A.Expr, field: FieldModel, ctx: ExprContext): IrExpr | undefined {
    const t = field.type;
    if (t.kind !== "int" && t.kind !== "bool") {
      this.diagnostics.push(Diagnostics.EqualsNeedsScalar().at(written.span));
      return undefined;
    }
    const equals = checkValue(written, ctx);
    if (isError(equals)) return equals;
    if (equals.type.kind !== (t.kind === "bool" ? "bool" : "int")) {
      this.diagnostics.push(
        Diagnostics.TypeMismatch(
          t.kind === "bool" ? "a bool" : "an integer",
          equals.type.kind === "bool" ? "a bool" : "an integer",
        ).at(written.span),
      );
      return equals;
    }
    const c = constantOf(equals);
    if (c !== undefined) valueFits(c, t, written.span, this.diagnostics);
    this.site(equals, `'equals' of '${field.path.join(".")}'`, field, false);
    return equals;
  }

  /**
   * `again PATH: T`: PATH names the first copy, a field read before (through struct members and
   * constant indexes), always present and of the same type.
   */
  private checkAgain(decl: A.FieldDecl, field: FieldModel, ctx: ExprContext): IrExpr | undefined {
    const written = field.path.join(".");
    let expr: A.Expr | undefined;
    for (const s of decl.segments) {
      if (s.kind === "name")
        expr = expr
          ? {
              kind: "member",
              object: expr,
              member: s.name,
              span: {
                ...expr.span,
                end: s.name.span.end,
                endLine: s.name.span.endLine,
                endColumn: s.name.span.endColumn,
              },
            }
          : { kind: "name", name: s.name.text, span: s.name.span };
      else if (expr)
        expr = {
          kind: "index",
          object: expr,
          index: s.index,
          span: {
            ...expr.span,
            end: s.span.end,
            endLine: s.span.endLine,
            endColumn: s.span.endColumn,
          },
        };
    }
    if (!expr) return undefined;
    const ir = checkExpr(expr, ctx);
    if (isError(ir)) return undefined;
    const first = leafType(ir);
    const t = field.type;
    if (!first || (first.kind !== "int" && first.kind !== "bool")) {
      this.diagnostics.push(Diagnostics.AgainNotReadBefore(written).at(expr.span));
      return undefined;
    }
    if ((t.kind !== "int" && t.kind !== "bool") || scalarName(t) !== scalarName(first)) {
      this.diagnostics.push(
        Diagnostics.AgainOtherType(written, scalarName(first)).at(decl.type.span),
      );
      return undefined;
    }
    if (ir.optional) {
      this.diagnostics.push(Diagnostics.AgainFirstMayBeAbsent(written).at(expr.span));
      return undefined;
    }
    this.site(ir, `'again' of '${written}'`, field, false);
    return ir;
  }

  private unusedModel(decl: A.UnusedDecl, place: Place, ctx: ExprContext): UnusedModel {
    const count = this.count(decl.count, decl.max, ctx, place, "length of 'unused'");
    const guard = decl.guard && checkBool(decl.guard, ctx, "a guard");
    if (guard) this.site(guard, "guard of 'unused'", place, false);
    const since = decl.since && checkInt(decl.since, ctx, "a version gate");
    if (since) this.site(since, "version gate of 'unused'", place, false);
    if (decl.equals) this.diagnostics.push(Diagnostics.EqualsOnPadding().at(decl.equals.span));
    return { kind: "unused", ...place, count, guard, since };
  }

  /** `ctx` reads what comes before `at` in wire order. */
  private count(
    expr: A.Expr,
    max: A.Expr | undefined,
    ctx: ExprContext,
    at: Place,
    role: string,
  ): Count {
    const ir = checkInt(expr, ctx, role);
    this.site(ir, role, at, false);
    const constant = constantOf(ir);
    const maxValue = max ? checkConstInt(max, ctx, "a bound") : undefined;
    if (typeof constant === "bigint" && constant < 0n)
      this.diagnostics.push(Diagnostics.NegativeLength("count", constant).at(expr.span));
    if (maxValue !== undefined && maxValue < 0n)
      this.diagnostics.push(Diagnostics.NegativeLength("bound", maxValue).at(max!.span));
    return {
      expr: ir,
      constant: typeof constant === "bigint" ? constant : undefined,
      // A bound that was written but is wrong has been reported already: no "missing bound" too.
      max:
        maxValue ?? (typeof constant === "bigint" ? constant : isError(ir) || max ? 0n : undefined),
      maxSpan: max?.span,
    };
  }

  /** What of field types is checked with the level's other expressions: counts and struct arguments. */
  private readonly pendingShapes = new Map<Scope, PendingShape[]>();

  private later(levels: Scope[], pending: PendingShape): void {
    const level = levels[levels.length - 1]!;
    const list = this.pendingShapes.get(level) ?? [];
    list.push(pending);
    this.pendingShapes.set(level, list);
  }

  /** The level's counts and struct arguments, each reading what comes before its field. */
  private checkShapes(level: Scope, levelCtx: ExprContext): void {
    for (const pending of this.pendingShapes.get(level) ?? []) {
      const { place, name } = pending;
      const ctx = { ...levelCtx, readAt: place.order };
      if (pending.kind === "count") {
        const { ref, count, role } = pending;
        count.fill(this.count(ref.count, ref.max, ctx, place, role));
        continue;
      }
      const args = pending.written.map((a, i) => {
        const param = pending.params[i]!;
        const ir =
          param.type.kind === "bool"
            ? checkBool(a, ctx, `argument '${param.name}'`)
            : checkInt(a, ctx, `argument '${param.name}'`);
        const c = constantOf(ir);
        if (c !== undefined && !isError(ir)) valueFits(c, param.type, a.span, this.diagnostics);
        this.site(ir, `argument '${param.name}' of '${name}'`, place, false);
        return ir;
      });
      pending.args.fill(args);
    }
  }

  /** The type of a field; counts and struct arguments are filled in when the level is checked. */
  private fieldShape(
    ref: A.TypeRef,
    place: Place,
    name: string,
    levels: Scope[],
  ): FieldType | undefined {
    if (ref.kind === "array") {
      const raw =
        ref.element.kind === "named" &&
        (ref.element.name.text === "bytes" || ref.element.name.text === "text")
          ? ref.element.name.text
          : undefined;
      const isBytes = raw !== undefined;
      const role = `${isBytes ? "length" : "count"} of '${name}'`;
      // Filled in when the level's expressions are checked (checkShapes).
      const count = new LaterCount();
      this.later(levels, { kind: "count", place, name, ref, count, role });
      if (isBytes) {
        if (ref.element.kind === "named" && ref.element.args.length > 0) {
          this.diagnostics.push(
            Diagnostics.WrongArgumentCount(raw, 0, ref.element.args.length).at(
              ref.element.name.span,
            ),
          );
        }
        return { kind: raw === "text" ? "text" : "bytes", count };
      }
      const element = this.fieldShape(ref.element, place, name, levels);
      return element && { kind: "array", element, count };
    }
    const typeName = ref.name.text;
    if (typeName === "bytes" || typeName === "text") {
      this.diagnostics.push(Diagnostics.BytesNeedLength(typeName).at(ref.span));
      return undefined;
    }
    const scalar = scalarByName(typeName);
    if (scalar) {
      if (ref.args.length > 0)
        this.diagnostics.push(
          Diagnostics.WrongArgumentCount(typeName, 0, ref.args.length).at(ref.name.span),
        );
      return scalar;
    }
    const codec = this.declarations.codecs.get(typeName);
    const struct = codec ? undefined : this.structLookup(typeName, ref.name.span);
    if (struct === "unknown") {
      this.diagnostics.push(
        Diagnostics.UnknownType(typeName, typeHint(typeName, this.declarations.typeNames())).at(
          ref.name.span,
        ),
      );
      return undefined;
    }
    if (struct === "cycle") return undefined;
    const params = codec ? codec.args : struct!.args;
    if (ref.args.length !== params.length) {
      this.diagnostics.push(
        Diagnostics.WrongArgumentCount(typeName, params.length, ref.args.length).at(ref.name.span),
      );
      return undefined;
    }
    // Filled in when the level's expressions are checked (checkShapes).
    const args = new Later<readonly IrExpr[]>("a type's arguments");
    this.later(levels, { kind: "args", place, name, written: ref.args, params, args });
    return codec
      ? {
          kind: "custom",
          codec,
          get args() {
            return args.value;
          },
        }
      : {
          kind: "struct",
          struct: struct!,
          get args() {
            return args.value;
          },
        };
  }
}

/** The declared type of the field a reference path ends on (`channels[0].next_transition_time`). */
function leafType(ir: IrExpr): FieldType | undefined {
  if (ir.kind === "field") return ir.field.type;
  if (ir.kind === "member") return ir.node.kind === "field" ? ir.node.field.type : undefined;
  if (ir.kind === "index") {
    const t = leafType(ir.object);
    if (t?.kind === "array") return t.element;
    if (t?.kind === "bytes") return { kind: "int", signed: false, bits: 8, endian: "be" };
  }
  return undefined;
}

function describeFieldType(type: FieldType): string {
  switch (type.kind) {
    case "int":
    case "bool":
      return `a ${scalarName(type)}`;
    case "bytes":
      return "bytes";
    case "text":
      return "text";
    case "array":
      return "an array";
    case "struct":
      return `a ${type.struct.name}`;
    case "custom":
      return `a ${type.codec.name}, written by hand`;
  }
}

/**
 * What keeps a name from QEMU's stream, if anything: the stream writes it as a length byte and one
 * byte per character, and QEMU compares it as a C string.
 */
export function qemuNameProblem(name: string): Message | undefined {
  const shown = printable(name).slice(0, 60);
  if (name.length === 0) return Diagnostics.QemuNameEmpty(shown);
  const wide = [...name].find((c) => c.codePointAt(0)! > 0xff);
  if (wide !== undefined)
    return Diagnostics.QemuNameWideCharacter(
      shown,
      `U+${wide.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`,
    );
  if (name.includes("\u0000")) return Diagnostics.QemuNameNul(shown);
  if (name.length > 255) return Diagnostics.QemuNameTooLong(shown, name.length);
  return undefined;
}
