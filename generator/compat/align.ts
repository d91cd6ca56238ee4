// Alignment of two versions of one level: which old item is which new item. Items are matched by
// name, or by a former name the new version gives with `was`, along wire order (the longest
// common subsequence); a name found on both sides out of that order has moved; between matched
// names, items of the same wire shape are the same item renamed (or moved into a struct: structs
// are inlined, so only the name differs); padding that covers exactly the bytes of the fields it
// replaces retires them.

import { literalOf } from "./canon.js";
import type { Item } from "./wire.js";
import { scalarName, scalarSize } from "../ir/scalars.js";

export type Pair =
  | { readonly how: "same" | "renamed" | "moved"; readonly old: Item; readonly new: Item }
  /** Fields of one side that the other side's padding (`unused`) of the same length replaces. */
  | {
      readonly how: "retired";
      readonly fields: readonly Item[];
      readonly padding: Item & { readonly kind: "unused" };
    };

export interface Alignment {
  readonly pairs: Pair[];
  readonly oldOnly: Item[];
  readonly newOnly: Item[];
}

export function align(old: readonly Item[], neu: readonly Item[]): Alignment {
  const named = (i: Item): boolean => i.kind !== "unused";
  // A name the new version says another field `was` is not this item's any more, even if a new
  // field took it.
  const claimed = new Set(neu.flatMap((n) => n.formerKeys));
  const sameItem = (a: Item, b: Item): boolean =>
    named(a) &&
    named(b) &&
    ((a.key === b.key && !claimed.has(b.key)) || b.formerKeys.includes(a.key));
  const anchors = lcs(old, neu, sameItem);
  const pairs: Pair[] = anchors.map(([i, j]) => ({ how: "same", old: old[i]!, new: neu[j]! }));
  const oldTaken = new Set(anchors.map(([i]) => i));
  const newTaken = new Set(anchors.map(([, j]) => j));

  // A name on both sides but not in the common order: the item moved.
  for (let i = 0; i < old.length; i++) {
    if (oldTaken.has(i) || !named(old[i]!)) continue;
    const j = neu.findIndex((n, k) => !newTaken.has(k) && sameItem(old[i]!, n));
    if (j < 0) continue;
    pairs.push({ how: "moved", old: old[i]!, new: neu[j]! });
    oldTaken.add(i);
    newTaken.add(j);
  }

  // The gaps between anchors: same shape is the same item under another name.
  const oldOnly: Item[] = [];
  const newOnly: Item[] = [];
  const bounds: [number, number][] = [[-1, -1], ...anchors, [old.length, neu.length]];
  for (let g = 0; g + 1 < bounds.length; g++) {
    const [i0, j0] = bounds[g]!;
    const [i1, j1] = bounds[g + 1]!;
    const a = old.slice(i0 + 1, i1).filter((_, k) => !oldTaken.has(i0 + 1 + k));
    const b = neu.slice(j0 + 1, j1).filter((_, k) => !newTaken.has(j0 + 1 + k));
    const same = lcs(a, b, (x, y) => shape(x) === shape(y));
    for (const [x, y] of same) pairs.push({ how: "renamed", old: a[x]!, new: b[y]! });
    const restA = a.filter((_, k) => !same.some(([x]) => x === k));
    const restB = b.filter((_, k) => !same.some(([, y]) => y === k));
    const retired = retirement(restA, restB) ?? retirement(restB, restA);
    if (retired) {
      pairs.push(retired);
      continue;
    }
    oldOnly.push(...restA);
    newOnly.push(...restB);
  }
  return { pairs, oldOnly, newOnly };
}

/** `fields` all replaced by one `unused` of exactly their length, all always on the wire. */
function retirement(fields: readonly Item[], padding: readonly Item[]): Pair | undefined {
  if (padding.length !== 1 || fields.length === 0) return undefined;
  const pad = padding[0]!;
  if (
    pad.kind !== "unused" ||
    literalOf(pad.present) !== true ||
    literalOf(pad.count.canon) === undefined
  )
    return undefined;
  let total = 0n;
  for (const f of fields) {
    const size = constantSize(f);
    if (size === undefined || literalOf(f.present) !== true) return undefined;
    total += size;
  }
  return total === literalOf(pad.count.canon)
    ? { how: "retired", fields, padding: pad }
    : undefined;
}

/** Bytes an item always takes on the wire, when that is a constant. */
export function constantSize(item: Item): bigint | undefined {
  switch (item.kind) {
    case "scalar":
      return BigInt(scalarSize(item.type));
    case "unused":
    case "array": {
      const n = literalOf(item.count.canon);
      if (typeof n !== "bigint") return undefined;
      if (item.kind === "unused") return n;
      let each = 0n;
      for (const e of item.element.items) {
        const s = constantSize(e);
        if (s === undefined || literalOf(e.present) !== true) return undefined;
        each += s;
      }
      return n * each;
    }
    case "subsections":
    case "custom":
      return undefined;
  }
}

/** The wire shape of an item, ignoring names and expressions: what a rename keeps. */
function shape(item: Item): string {
  switch (item.kind) {
    case "scalar":
      return scalarName(item.type);
    case "array":
    case "unused": {
      const n = literalOf(item.count.canon);
      const count = typeof n === "bigint" ? String(n) : "n";
      return item.kind === "unused"
        ? `unused[${count}]`
        : `[${count}](${item.element.items.map(shape).join(",")})`;
    }
    case "subsections":
      return `subsections(${item.arms.map((a) => a.qemuName).join(",")})`;
    case "custom":
      return `codec(${item.module}#${item.codec})`;
  }
}

/** Index pairs of a longest common subsequence under `eq`, in order. */
function lcs<T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean): [number, number][] {
  const n = a.length;
  const m = b.length;
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = eq(a[i]!, b[j]!)
        ? table[i + 1]![j + 1]! + 1
        : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const out: [number, number][] = [];
  for (let i = 0, j = 0; i < n && j < m;) {
    if (eq(a[i]!, b[j]!) && table[i]![j] === table[i + 1]![j + 1]! + 1) {
      out.push([i, j]);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return out;
}
