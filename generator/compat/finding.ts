// A compatibility finding: one rule broken in one direction, with a place in each version. The
// findings of both directions are merged into diagnostics (the project's one Diagnostic type, plus
// the rule's name and the directions it breaks).

import {
  sortDiagnostics,
  type Diagnostic,
  type Message,
  type RelatedInfo,
  type RelatedMessage,
} from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import { ruleMessage, type RuleArgs, type RuleName } from "./rules.js";

/** forward: the old writer feeds the new reader (migrating to a newer QEMU); backward: the reverse. */
export type Direction = "forward" | "backward";
export type Directions = Direction | "both";

export interface Place {
  readonly span: Span;
  /** What the span shows, for the related-location line ("'x' in the old version"). */
  readonly note?: RelatedMessage;
}

export interface Finding {
  readonly rule: RuleName;
  readonly direction: Direction;
  readonly message: Message;
  /** Where the change shows in each version; at least one is present. */
  readonly old: Place | undefined;
  readonly new: Place | undefined;
  /** Which place the diagnostic is at (the other is related): the new one unless said. */
  readonly primary?: "old" | "new";
}

export interface CompatDiagnostic extends Diagnostic {
  readonly rule: RuleName;
  readonly direction: Directions;
}

/** A finding of rule `rule`, its message typed by the catalog. */
export function finding<R extends RuleName>(
  rule: R,
  args: RuleArgs<R>,
  direction: Direction,
  places: { old: Place | undefined; new: Place | undefined; primary?: "old" | "new" },
): Finding {
  return { rule, direction, message: ruleMessage(rule, args), ...places };
}

/** The same change seen from both directions is one diagnostic that breaks both. */
export function mergeFindings(findings: readonly Finding[]): CompatDiagnostic[] {
  const merged = new Map<string, { finding: Finding; directions: Set<Direction> }>();
  for (const f of findings) {
    const key = JSON.stringify([
      f.rule,
      f.message.message,
      spanKey(f.old?.span),
      spanKey(f.new?.span),
    ]);
    const entry = merged.get(key);
    if (entry) entry.directions.add(f.direction);
    else merged.set(key, { finding: f, directions: new Set([f.direction]) });
  }
  const out = [...merged.values()].map(({ finding, directions }) =>
    toDiagnostic(finding, directions.size === 2 ? "both" : finding.direction),
  );
  return sortDiagnostics(out) as CompatDiagnostic[];
}

/** Only the findings that break one of the directions asked for. */
export function inDirections(
  diagnostics: readonly CompatDiagnostic[],
  asked: Directions,
): CompatDiagnostic[] {
  return diagnostics.filter(
    (d) => asked === "both" || d.direction === "both" || d.direction === asked,
  );
}

function toDiagnostic(f: Finding, direction: Directions): CompatDiagnostic {
  const [primary, other] =
    (f.primary === "old" && f.old) || !f.new ? [f.old!, f.new] : [f.new, f.old];
  const related: RelatedInfo[] = other?.note ? [other.note.at(other.span)] : [];
  const base = f.message.at(primary.span, related);
  return { ...base, rule: f.rule, direction };
}

function spanKey(span: Span | undefined): string {
  return span ? `${span.file}:${span.start}:${span.end}` : "";
}

export const directionText: Record<Directions, string> = {
  forward: "forward: old writer → new reader",
  backward: "backward: new writer → old reader",
  both: "both directions",
};
