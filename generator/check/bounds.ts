// Check pass: bounds. Every variable length or count needs a maximum the checker can see, so a
// loader can refuse a hostile count before it allocates.

import { Diagnostics, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Count, FieldType, LayoutModel } from "../model.js";
import { allMembers } from "../ir/walk.js";

/** Largest element count of an array or length of bytes that a loader allocates. */
export const ALLOCATION_LIMIT = (1n << 31n) - 1n;
/** Largest length of `unused` bytes, which are skipped and never allocated. */
export const SKIP_LIMIT = (1n << 53n) - 1n;

export function checkBounds(layout: LayoutModel): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const check = (count: Count, what: string, limit: bigint): void => {
    if (count.constant === undefined && count.max === undefined) {
      diagnostics.push(Diagnostics.NoBound(what).at(count.expr.span));
    } else if (count.max !== undefined && count.max > limit) {
      diagnostics.push(
        Diagnostics.BoundTooLarge(count.max, limit).at(count.maxSpan ?? count.expr.span),
      );
    }
  };
  const checkType = (type: FieldType, name: string): void => {
    if (type.kind === "bytes" || type.kind === "text")
      check(type.count, `the length of '${name}'`, ALLOCATION_LIMIT);
    if (type.kind === "array") {
      check(type.count, `the count of '${name}'`, ALLOCATION_LIMIT);
      checkType(type.element, name);
    }
  };
  for (const m of allMembers(layout.members)) {
    if (m.kind === "field") checkType(m.type, m.path.join("."));
    if (m.kind === "unused") check(m.count, "the length of 'unused'", SKIP_LIMIT);
  }
  return diagnostics;
}
