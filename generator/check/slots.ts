// The parts of a layout's model that are checked after the model exists, as slots filled once:
// expressions point at fields and subsections, so those are made when their names are declared and
// get their own expressions (guards, gates, counts, `needed`, members) when their level is checked.

import type { Span } from "../../diagnostics/span.js";
import type {
  Count,
  FieldModel,
  FieldType,
  IrExpr,
  MemberModel,
  MergeModel,
  SubsectionModel,
  WrittenVersions,
} from "../model.js";

/**
 * A value filled once. Reading it before it is filled is a bug of the binder, and throws rather
 * than giving a made-up value.
 */
export class Later<T> {
  private filled = false;
  private held: T | undefined;

  constructor(private readonly what: string) {}

  fill(value: T): void {
    if (this.filled) throw new Error(`${this.what} is filled once`);
    this.filled = true;
    this.held = value;
  }

  get value(): T {
    if (!this.filled) throw new Error(`${this.what} was read before it was checked`);
    return this.held as T;
  }
}

/** An array's count or a byte string's length, which the field's type holds from the start. */
export class LaterCount implements Count {
  private readonly slot = new Later<Count>("a count");

  fill(count: Count): void {
    this.slot.fill(count);
  }

  get expr(): IrExpr {
    return this.slot.value.expr;
  }
  get constant(): bigint | undefined {
    return this.slot.value.constant;
  }
  get max(): bigint | undefined {
    return this.slot.value.max;
  }
  get maxSpan(): Span | undefined {
    return this.slot.value.maxSpan;
  }
}

/** What a field is when its names are declared. */
export type DeclaredField = Omit<
  FieldModel,
  "kind" | "guard" | "since" | "equals" | "again" | "merge" | "extensions"
>;

/** A field's expressions, checked with what comes before it in wire order. */
export interface FieldChecks {
  readonly guard: IrExpr | undefined;
  readonly since: IrExpr | undefined;
  readonly equals: IrExpr | undefined;
  readonly again: IrExpr | undefined;
}

/**
 * A field's model: made when it is declared; its expressions, and where it merges into another
 * field's value, are filled once when its level is checked. Fields merged into it are added as
 * they are found.
 */
export class BoundField implements FieldModel {
  readonly kind = "field";
  readonly order: number;
  readonly subsection: SubsectionModel | undefined;
  readonly span: Span;
  readonly path: readonly string[];
  readonly type: FieldType;
  readonly optional: boolean;
  readonly absentWhen: "guard" | "version" | undefined;
  readonly formerPaths: readonly (readonly string[])[];
  private readonly checks = new Later<FieldChecks>("a field's expressions");
  private readonly mergeSlot = new Later<MergeModel | undefined>("where a field merges");
  private readonly merged: MergeModel[] = [];

  /** `mergesIntoAnother`: its path names into another field's value, resolved with its level. */
  constructor(declared: DeclaredField, mergesIntoAnother: boolean) {
    this.order = declared.order;
    this.subsection = declared.subsection;
    this.span = declared.span;
    this.path = declared.path;
    this.type = declared.type;
    this.optional = declared.optional;
    this.absentWhen = declared.absentWhen;
    this.formerPaths = declared.formerPaths;
    if (!mergesIntoAnother) this.mergeSlot.fill(undefined);
  }

  checked(checks: FieldChecks): void {
    this.checks.fill(checks);
  }
  mergesAt(merge: MergeModel | undefined): void {
    this.mergeSlot.fill(merge);
  }
  /** A field found to merge into this one's value. */
  extendedBy(merge: MergeModel): void {
    this.merged.push(merge);
  }

  get guard(): IrExpr | undefined {
    return this.checks.value.guard;
  }
  get since(): IrExpr | undefined {
    return this.checks.value.since;
  }
  get equals(): IrExpr | undefined {
    return this.checks.value.equals;
  }
  get again(): IrExpr | undefined {
    return this.checks.value.again;
  }
  get merge(): MergeModel | undefined {
    return this.mergeSlot.value;
  }
  get extensions(): readonly MergeModel[] {
    return this.merged;
  }
}

/** What a subsection is when its names are declared. */
export type DeclaredSubsection = Omit<SubsectionModel, "kind" | "members" | "needed">;

/** A subsection's model: made when it is declared; its members and `needed` filled once. */
export class BoundSubsection implements SubsectionModel {
  readonly kind = "subsection";
  readonly order: number;
  readonly subsection: SubsectionModel | undefined;
  readonly span: Span;
  readonly name: string;
  readonly qemuName: string;
  readonly qemuNameSpan: Span;
  readonly version: number;
  readonly minimum: number;
  readonly written: WrittenVersions;
  readonly ownerQemuName: string;
  private readonly membersSlot = new Later<readonly MemberModel[]>("a subsection's members");
  private readonly neededSlot = new Later<IrExpr | undefined>("a subsection's 'needed'");

  constructor(declared: DeclaredSubsection) {
    this.order = declared.order;
    this.subsection = declared.subsection;
    this.span = declared.span;
    this.name = declared.name;
    this.qemuName = declared.qemuName;
    this.qemuNameSpan = declared.qemuNameSpan;
    this.version = declared.version;
    this.minimum = declared.minimum;
    this.written = declared.written;
    this.ownerQemuName = declared.ownerQemuName;
  }

  /** Its members are checked first: `needed` may read the fields it merges into the owner's. */
  membersChecked(members: readonly MemberModel[]): void {
    this.membersSlot.fill(members);
  }
  neededChecked(needed: IrExpr | undefined): void {
    this.neededSlot.fill(needed);
  }

  get members(): readonly MemberModel[] {
    return this.membersSlot.value;
  }
  get needed(): IrExpr | undefined {
    return this.neededSlot.value;
  }
}
