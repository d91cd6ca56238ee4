// Hints for diagnostics: the declared name nearest to one that is unknown, and the spelling the
// language has for a C or QEMU type name (`uint8_t` is `u8`).

/** C and QEMU spellings of the language's scalar types, and what to write for C strings. */
const typeAliases = new Map<string, string>();
for (const bits of [8, 16, 32, 64]) {
  for (const [c, ours] of [
    [`uint${bits}`, `u${bits}`],
    [`int${bits}`, `i${bits}`],
  ] as const) {
    typeAliases.set(c, ours);
    typeAliases.set(`${c}_t`, ours);
    typeAliases.set(c.toUpperCase(), ours);
  }
}
typeAliases.set("char", "text[N] (a C string of N bytes) or u8");
typeAliases.set("string", "text[N]");
typeAliases.set("str", "text[N]");
typeAliases.set("buffer", "bytes[N]");
typeAliases.set("byte", "u8");
typeAliases.set("boolean", "bool");
typeAliases.set("BOOL", "bool");
typeAliases.set("timer", "i64 (QEMU sends a timer as its be64 expiry time, -1 when not pending)");

/** Edit distance (insertions, deletions, substitutions, adjacent swaps), case-insensitive. */
function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The candidate nearest to `name`, if one is near enough to be a likely typo. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.floor(name.length / 3));
  for (const c of new Set(candidates)) {
    if (c === name) continue;
    const d = distance(name, c);
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= limit ? best : undefined;
}

/** `: did you mean 'u8'?`, or "" when nothing is near. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const near = nearest(name, candidates);
  return near === undefined ? "" : `: did you mean '${near}'?`;
}

/** The hint for an unknown type name: the language's spelling of a C type, or the nearest type. */
export function typeHint(name: string, declared: Iterable<string>): string {
  const alias = typeAliases.get(name);
  if (alias !== undefined)
    return `: write ${alias.startsWith("text") || alias.includes(" ") ? alias : `'${alias}'`}`;
  return didYouMean(name, declared);
}
