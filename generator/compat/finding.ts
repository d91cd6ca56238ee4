// A compatibility finding: one rule broken in one direction, with a place in each version. The
// findings of both directions are merged into diagnostics (the project's one Diagnostic type, plus
// the rule's name and the directions it breaks).

import {
  diagnostic,
  sortDiagnostics,
  type Diagnostic,
  type RelatedInfo,
} from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";
import { ruleNamed, type RuleName } from "./rules.js";

/** forward: the old writer feeds the new reader (migrating to a newer QEMU); backward: the reverse. */
export type Direction = "forward" | "backward";
export type Directions = Direction | "both";

export interface Place {
  readonly span: Span;
  /** What the span shows, for the related-location line ("'x' in the old version"). */
  readonly note: string;
}

export interface Finding {
  readonly rule: RuleName;
  readonly direction: Direction;
  readonly args: readonly (string | number | bigint)[];
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

/** The same change seen from both directions is one diagnostic that breaks both. */
export function mergeFindings(findings: readonly Finding[]): CompatDiagnostic[] {
  const merged = new Map<string, { finding: Finding; directions: Set<Direction> }>();
  for (const f of findings) {
    const key = JSON.stringify([
      f.rule,
      f.args.map(String),
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
  const related: RelatedInfo[] = other ? [{ span: other.span, message: other.note }] : [];
  const base = diagnostic(ruleNamed(f.rule).code, primary.span, f.args, related);
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
