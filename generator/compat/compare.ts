// The comparison of one level in one direction: what the writer of one version puts on the wire
// against what the reader of the other version expects there. Every difference that makes the
// reader misread or refuse some stream is a finding.

import { Related } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import { scalarName } from "../ir/scalars.js";
import { align, type Alignment, type Pair } from "./align.js";
import { literalOf, namedConstants, render, TRUE, type Canon, type Side } from "./canon.js";
import { finding, type Direction, type Finding, type Place } from "./finding.js";
import type { RuleArgs, RuleName } from "./rules.js";
import { checkpoints, type Arm, type Item, type Level } from "./wire.js";

export interface NamedValue {
  readonly kind: "constant" | "feature bit";
  readonly value: bigint | boolean;
  readonly span: Span;
}

/** What a comparison needs beyond the two levels; shared by all levels of one section. */
export interface Context {
  readonly direction: Direction;
  readonly findings: Finding[];
  /** The source text of a span. */
  readonly text: (span: Span) => string;
  readonly constants: Record<Side, ReadonlyMap<string, NamedValue>>;
  /** Matched items of the two sides under one key. */
  readonly pairKeys: Map<string, string>;
  /** The lowest stream version both readers accept: where a gate difference starts to matter. */
  readonly lowestVersion: number;
}

const other: Record<Side, Side> = { old: "new", new: "old" };

export class LevelComparison {
  private readonly writer: Side;
  private readonly alignments = new Map<Level, Alignment>();

  constructor(private readonly ctx: Context) {
    this.writer = ctx.direction === "forward" ? "old" : "new";
  }

  private refs = (side: Side, id: number): string =>
    this.ctx.pairKeys.get(`${side}:${id}`) ?? `${side}:${id}`;

  private key(c: Canon): string {
    return render(c, this.refs);
  }

  /** Aligns two levels (and the elements of their matched arrays), so expressions can be compared. */
  private aligned(o: Level, n: Level): Alignment {
    let a = this.alignments.get(o);
    if (a) return a;
    a = align(o.items, n.items);
    this.alignments.set(o, a);
    for (const p of a.pairs) {
      if (p.how === "retired") continue;
      const k = `p${this.ctx.pairKeys.size}`;
      this.ctx.pairKeys.set(`old:${p.old.id}`, k);
      this.ctx.pairKeys.set(`new:${p.new.id}`, k);
      if (p.old.kind === "array" && p.new.kind === "array")
        this.aligned(p.old.element, p.new.element);
    }
    return a;
  }

  level(o: Level, n: Level): void {
    const a = this.aligned(o, n);
    for (const p of a.pairs) this.pair(p, o, n);
    for (const item of a.oldOnly) this.unmatched(item, o, n, a);
    for (const item of a.newOnly) this.unmatched(item, n, o, a);
    this.validations(o, n);
  }

  private pair(p: Pair, o: Level, n: Level): void {
    if (p.how === "retired") {
      // The reader skips padding wherever the writer put a field; the other way it reads zeros.
      if (p.padding.side !== this.writer) return;
      const names = p.fields.map((f) => f.name).join("', '");
      const field = p.fields[0]!;
      const places = { [field.side]: place(field), [p.padding.side]: place(p.padding) } as Record<
        Side,
        Place
      >;
      this.report(
        "FIELD_RETIRED",
        [names, String(literalOf(p.padding.count.canon))],
        places.old,
        places.new,
      );
      return;
    }
    if (p.how === "moved") {
      if (isAbsent(p.old) && isAbsent(p.new)) return;
      this.report(
        "FIELD_MOVED",
        [p.new.name, this.after(p.old, o), this.after(p.new, n)],
        place(p.old),
        place(p.new),
      );
      return;
    }
    this.items(p.old, p.new);
  }

  /** "after 'x'", or "first", for where a moved item sits in its level. */
  private after(item: Item, level: Level): string {
    const i = level.items.indexOf(item);
    const before = level.items
      .slice(0, i)
      .reverse()
      .find((x) => x.kind !== "unused");
    if (!before) return "first";
    return before.kind === "subsections"
      ? `after the subsections of "${before.owner}"`
      : `after '${before.name}'`;
  }

  private unmatched(item: Item, level: Level, otherLevel: Level, a: Alignment): void {
    if (isAbsent(item)) return;
    const where = this.where(item, level, otherLevel, a);
    if (item.kind === "subsections") {
      // A reader takes any subset of the subsections it knows: only the writer's can break.
      if (item.side !== this.writer) return;
      for (const arm of item.arms) this.armMissing(arm, item, where);
      return;
    }
    const when =
      literalOf(item.present) === true
        ? ""
        : ` when ${guardText(item, this.ctx.text).replace(/^if /, "")} holds`;
    if (item.side === "old")
      this.report("FIELD_REMOVED", [item.name, when], place(item), where, "old");
    else this.report("FIELD_ADDED", [item.name, when], where, place(item));
  }

  /** Where an item the other version lacks would be there: after the counterpart of the item before it. */
  private where(item: Item, level: Level, otherLevel: Level, a: Alignment): Place {
    const side = other[item.side];
    const i = level.items.indexOf(item);
    for (let k = i - 1; k >= 0; k--) {
      const before = level.items[k]!;
      const p = a.pairs.find((x) => x.how !== "retired" && x[before.side] === before) as
        (Pair & { how: "same" }) | undefined;
      if (p)
        return {
          span: p[side].span,
          note: Related.NoSuchItemAfter(side, item.name, this.after(item, level)),
        };
    }
    return { span: otherLevel.span, note: Related.NoSuchItem(side, item.name) };
  }

  private items(o: Item, n: Item): void {
    if (isAbsent(o) && isAbsent(n)) return;
    if (o.gateOn !== n.gateOn) {
      this.report(
        "FIELD_VERSION_GATE_CHANGED",
        [n.name, gateText(o), gateText(n), this.gateVersions(o, n)],
        place(o),
        place(n),
      );
    } else if (o.gateOn) {
      this.expression(
        o.guard,
        n.guard,
        "FIELD_GUARD_CHANGED",
        `the guard of '${n.name}'`,
        o,
        n,
        guardText(o, this.ctx.text),
        guardText(n, this.ctx.text),
        o.guardSpans,
        n.guardSpans,
      );
    }
    if (o.kind !== n.kind) {
      this.report(
        "FIELD_TYPE_CHANGED",
        [n.name, describe(o, this.ctx.text), describe(n, this.ctx.text)],
        place(o),
        place(n),
      );
      return;
    }
    switch (o.kind) {
      case "scalar":
        this.scalars(o, n as typeof o);
        return;
      case "array":
        this.counts(o, n as typeof o);
        this.level(o.element, (n as typeof o).element);
        return;
      case "unused":
        this.counts(o, n as typeof o);
        return;
      case "subsections":
        this.subsections(o, n as typeof o);
        return;
      case "custom":
        this.codecs(o, n as typeof o);
        return;
    }
  }

  /** Codecs are opaque: another codec, module or argument is another wire format as far as we can tell. */
  private codecs(o: Item & { kind: "custom" }, n: Item & { kind: "custom" }): void {
    const sameArgs =
      o.args.length === n.args.length &&
      o.args.every((a, i) => this.key(a) === this.key(n.args[i]!));
    if (o.codec === n.codec && o.module === n.module && sameArgs) return;
    this.report(
      "FIELD_TYPE_CHANGED",
      [n.name, describe(o, this.ctx.text), describe(n, this.ctx.text)],
      place(o),
      place(n),
    );
  }

  private scalars(o: Item & { kind: "scalar" }, n: Item & { kind: "scalar" }): void {
    const [a, b] = [o.type, n.type];
    const args: [string, string, string] = [n.name, scalarName(a), scalarName(b)];
    if (a.kind !== b.kind) this.report("FIELD_TYPE_CHANGED", args, place(o), place(n));
    else if (a.kind === "int" && b.kind === "int") {
      if (a.bits !== b.bits) this.report("FIELD_WIDTH_CHANGED", args, place(o), place(n));
      if (a.signed !== b.signed) this.report("FIELD_SIGNEDNESS_CHANGED", args, place(o), place(n));
      if (a.endian !== b.endian && a.bits > 8 && b.bits > 8)
        this.report("FIELD_ENDIANNESS_CHANGED", args, place(o), place(n));
    }
    // Only the reader checks `equals`: a writer free to send any value breaks it.
    const [w, r] = this.writer === "old" ? [o, n] : [n, o];
    if (!r.equals) return;
    const text = (i: typeof o): string =>
      i.equals && i.equalsSpan ? `equals ${this.ctx.text(i.equalsSpan)}` : "any value";
    if (!w.equals) {
      this.report("FIELD_EQUALS_CHANGED", [n.name, text(o), text(n)], place(o), place(n));
      return;
    }
    this.expression(
      o.equals!,
      n.equals!,
      "FIELD_EQUALS_CHANGED",
      `the required value of '${n.name}'`,
      o,
      n,
      text(o),
      text(n),
      [o.equalsSpan!],
      [n.equalsSpan!],
    );
  }

  private counts(
    o: Item & { kind: "array" | "unused" },
    n: Item & { kind: "array" | "unused" },
  ): void {
    const what = `the count of '${n.name}'`;
    const changed = this.expression(
      o.count.canon,
      n.count.canon,
      "FIELD_COUNT_CHANGED",
      what,
      o,
      n,
      this.ctx.text(o.count.span),
      this.ctx.text(n.count.span),
      [o.count.span],
      [n.count.span],
    );
    // A bound matters where both count the same way and the reader's count is not a constant.
    if (changed || literalOf(n.count.canon) !== undefined) return;
    const [w, r] = this.writer === "old" ? [o, n] : [n, o];
    if (w.count.writes <= r.count.accepts) return;
    const rule: RuleName = r.side === "new" ? "FIELD_BOUND_LOWERED" : "FIELD_BOUND_RAISED";
    const [os, ns] = [o.count.maxSpan, n.count.maxSpan];
    if (os && ns && this.byConstants(os, ns, `the bound of '${n.name}'`)) return;
    this.report(
      rule,
      [n.name, String(o.count.accepts), String(n.count.accepts)],
      place(o, os),
      place(n, ns),
    );
  }

  /**
   * Compares an expression of both versions. A difference that only constants (or feature bits)
   * of other values explain is reported as CONSTANT_CHANGED, at their declarations. Returns
   * whether the two differ.
   */
  private expression(
    o: Canon,
    n: Canon,
    rule: RuleName,
    what: string,
    oi: Item,
    ni: Item,
    oText: string,
    nText: string,
    oSpans: readonly Span[],
    nSpans: readonly Span[],
  ): boolean {
    if (this.key(o) === this.key(n)) return false;
    if (render(o, this.refs, true) === render(n, this.refs, true)) {
      const names = changedConstants(o, n);
      if (names.length > 0) {
        for (const name of names) this.constantChanged(name, what);
        return true;
      }
    }
    if (
      oSpans.length > 0 &&
      oSpans.length === nSpans.length &&
      oSpans.every((s, i) => this.byConstants(s, nSpans[i]!, what))
    )
      return true;
    this.report(rule, [ni.name, oText, nText], place(oi, oSpans[0]), place(ni, nSpans[0]));
    return true;
  }

  /**
   * Whether the same source text (a folded expression such as `MAX >> 5`) differs only because
   * constants it names changed; reports them.
   */
  private byConstants(os: Span, ns: Span, what: string): boolean {
    const [a, b] = [this.ctx.text(os).replace(/\s+/g, " "), this.ctx.text(ns).replace(/\s+/g, " ")];
    if (a !== b) return false;
    const names = [...new Set(a.match(/[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)?/g) ?? [])].map((m) =>
      m.replace(/\s+/g, ""),
    );
    const changed = names.filter((name) => {
      const [x, y] = [this.ctx.constants.old.get(name), this.ctx.constants.new.get(name)];
      return x && y && x.value !== y.value;
    });
    for (const name of changed) this.constantChanged(name, what);
    return changed.length > 0;
  }

  private constantChanged(name: string, what: string): void {
    const [x, y] = [this.ctx.constants.old.get(name), this.ctx.constants.new.get(name)];
    if (!x || !y) return;
    this.report(
      "CONSTANT_CHANGED",
      [y.kind, name, String(x.value), String(y.value), what],
      { span: x.span, note: Related.InVersion(name, "old") },
      { span: y.span },
    );
  }

  private validations(o: Level, n: Level): void {
    const [w, r] = this.writer === "old" ? [o, n] : [n, o];
    const written = new Set(w.validations.map((v) => this.key(v.condition)));
    const named = new Map(w.validations.map((v) => [render(v.condition, this.refs, true), v]));
    const readerSide: Side = other[this.writer];
    for (const v of r.validations) {
      if (written.has(this.key(v.condition))) continue;
      const twin = named.get(render(v.condition, this.refs, true));
      if (twin) {
        const names = changedConstants(twin.condition, v.condition);
        for (const name of names) this.constantChanged(name, `the validation "${v.message}"`);
        if (names.length > 0) continue;
      }
      const mine: Place = { span: v.span, note: Related.ValidationIn(readerSide) };
      const theirs: Place = { span: w.span, note: Related.LevelWithout(this.writer) };
      if (readerSide === "new") this.report("VALIDATION_ADDED", [v.message], theirs, mine);
      else this.report("VALIDATION_REMOVED", [v.message], mine, theirs, "old");
    }
  }

  // ------------------------------------------------------------- subsections

  private subsections(o: Item & { kind: "subsections" }, n: Item & { kind: "subsections" }): void {
    const [w, r] = this.writer === "old" ? [o, n] : [n, o];
    const writerNames = new Set(w.arms.map((a) => a.qemuName));
    for (const wa of w.arms) {
      const ra = r.arms.find((a) => a.qemuName === wa.qemuName);
      if (ra) {
        this.arm(wa, ra);
        continue;
      }
      if (!sendable(wa, w)) continue;
      // A rename: an arm the writer does not have, that its own version would send, with the same fields.
      const twin = r.arms.find(
        (a) => !writerNames.has(a.qemuName) && sendable(a, r) && this.sameContent(wa, a),
      );
      if (twin) {
        const [oa, na] = this.writer === "old" ? [wa, twin] : [twin, wa];
        this.report(
          "SUBSECTION_RENAMED",
          [oa.qemuName, na.qemuName],
          { span: oa.span, note: Related.SubsectionInVersion(oa.qemuName, "old") },
          { span: na.span },
        );
        continue;
      }
      this.armMissing(wa, w, {
        span: r.ownerSpan,
        note: Related.NoSuchSubsection(r.owner, r.side, wa.qemuName),
      });
    }
  }

  /** The writer sends an arm the reader does not know. */
  private armMissing(arm: Arm, group: Item & { kind: "subsections" }, theirs: Place): void {
    if (!sendable(arm, group)) return;
    const when =
      arm.needed && arm.neededSpan
        ? ` when 'needed' holds (${this.ctx.text(arm.neededSpan)})`
        : " whenever the state has it";
    const mine: Place = {
      span: arm.span,
      note: Related.SubsectionInVersion(arm.qemuName, group.side),
    };
    if (group.side === "old")
      this.report("SUBSECTION_REMOVED", [arm.qemuName, when], mine, theirs, "old");
    else this.report("SUBSECTION_ADDED", [arm.qemuName, when], theirs, mine);
  }

  private arm(wa: Arm, ra: Arm): void {
    const [oa, na] = this.writer === "old" ? [wa, ra] : [ra, wa];
    const places: [Place, Place] = [
      { span: oa.span, note: Related.SubsectionInVersion(oa.qemuName, "old") },
      { span: na.span },
    ];
    // Readers take what comes; but a writer that stops sending a subsection leaves the reader's defaults.
    const needed = (a: Arm): string =>
      a.needed && a.neededSpan
        ? `needed ${this.ctx.text(a.neededSpan)}`
        : "whenever the state has it";
    const neededKey = (a: Arm): string => (a.needed ? this.key(a.needed) : "state");
    if (neededKey(oa) !== neededKey(na))
      this.report(
        "SUBSECTION_NEEDED_CHANGED",
        [na.qemuName, needed(oa), needed(na)],
        { span: oa.neededSpan ?? oa.span, note: Related.SubsectionInVersion(oa.qemuName, "old") },
        { span: na.neededSpan ?? na.span },
      );
    const [ws, rs] = [this.writer, other[this.writer]];
    if (wa.version > ra.version) {
      this.report(
        "SUBSECTION_VERSION_TOO_NEW",
        [wa.qemuName, ws, wa.version, rs, ra.version],
        ...places,
      );
      return;
    }
    if (wa.version < ra.minimum) {
      this.report(
        "SUBSECTION_VERSION_TOO_OLD",
        [wa.qemuName, ws, wa.version, rs, ra.minimum],
        ...places,
      );
      return;
    }
    // Forward, also the older versions both readers accept: the old reader defines how they read.
    const lo = Math.max(wa.minimum, ra.minimum);
    const versions =
      this.ctx.direction === "forward"
        ? checkpoints(lo, wa.version, [...wa.gates, ...ra.gates])
        : [wa.version];
    for (const v of versions) {
      const inner = new LevelComparison({ ...this.ctx, lowestVersion: lo });
      inner.level(oa.at(v), na.at(v));
    }
  }

  /** Whether a writer's arm reads exactly as the reader's (another name, the same fields). */
  private sameContent(wa: Arm, ra: Arm): boolean {
    if (wa.version > ra.version || wa.version < ra.minimum) return false;
    const [oa, na] = this.writer === "old" ? [wa, ra] : [ra, wa];
    const scratch: Finding[] = [];
    new LevelComparison({ ...this.ctx, findings: scratch }).level(
      oa.at(wa.version),
      na.at(wa.version),
    );
    return scratch.length === 0;
  }

  // ------------------------------------------------------------- helpers

  /** The stream versions that carry the item for one side only: from the lower gate up to the higher. */
  private gateVersions(o: Item, n: Item): string {
    const lo = BigInt(this.ctx.lowestVersion);
    const [a, b] = [o.since ?? lo, n.since ?? lo];
    const low = a < b ? a : b;
    const from = low < lo ? lo : low;
    const to = (a > b ? a : b) - 1n;
    return from >= to ? String(from) : `${from} to ${to}`;
  }

  private report<R extends RuleName>(
    rule: R,
    args: RuleArgs<R>,
    old: Place | undefined,
    neu: Place | undefined,
    primary?: Side,
  ): void {
    this.ctx.findings.push(
      finding(rule, args, this.ctx.direction, {
        old,
        new: neu,
        ...(primary ? { primary } : {}),
      }),
    );
  }
}

/** Named constants both expressions show, with another value in each. */
function changedConstants(a: Canon, b: Canon): string[] {
  const [x, y] = [namedConstants(a), namedConstants(b)];
  return [...x.keys()].filter((k) => y.has(k) && x.get(k) !== y.get(k));
}

function isAbsent(item: Item): boolean {
  return literalOf(item.present) === false;
}

function sendable(arm: Arm, group: Item): boolean {
  return literalOf(group.present) !== false && literalOf(arm.needed ?? TRUE) !== false;
}

function place(item: Item, span = item.span): Place {
  return { span, note: Related.InVersion(item.name, item.side) };
}

function gateText(item: Item): string {
  if (!item.gateOn) return item.since === undefined ? "not on the wire" : `since ${item.since}`;
  return item.since === undefined ? "always" : `since ${item.since}`;
}

function guardText(item: Item, text: (s: Span) => string): string {
  const own = literalOf(item.guard);
  if (own === true) return "always";
  if (own === false) return "never";
  return item.guardSpans.length > 0
    ? `if ${item.guardSpans.map(text).join(" && ")}`
    : "if its condition holds";
}

function describe(item: Item, text: (s: Span) => string): string {
  switch (item.kind) {
    case "scalar":
      return scalarName(item.type);
    case "array": {
      const el =
        item.element.items.length === 1 ? describe(item.element.items[0]!, text) : "struct";
      return `${el}[${text(item.count.span)}]`;
    }
    case "unused":
      return `unused[${text(item.count.span)}]`;
    case "subsections":
      return "subsections";
    case "custom":
      return `codec ${item.codec}${item.argSpans.length > 0 ? `(${item.argSpans.map(text).join(", ")})` : ""} from "${item.module}"`;
  }
}
