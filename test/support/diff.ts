// A compact "where do these differ" for large states (vitest's diff of a 1024-entry array is huge).

export function firstDifference(a: unknown, b: unknown, path = "$"): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`;
    const i = a.findIndex((x, k) => x !== b[k]);
    return i < 0 ? undefined : `${path}[${i}]: ${a[i]} ≠ ${b[i]}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        `${path}.${k}`,
      );
      if (d) return d;
    }
    return undefined;
  }
  return `${path}: ${show(a)} ≠ ${show(b)}`;
}

function show(v: unknown): string {
  return typeof v === "bigint" ? `${v}n` : (JSON.stringify(v) ?? String(v));
}
