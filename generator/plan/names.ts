// Identifiers for generated code: unique, never a JavaScript reserved word.

const reservedWords = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await arguments eval undefined NaN Infinity"
  ).split(" "),
);

/** Hands out identifiers, adding `_2`, `_3` … when a name is taken or reserved. */
export class Namer {
  private readonly taken = new Set<string>();

  constructor(reserved: readonly string[] = []) {
    for (const name of reserved) this.taken.add(name);
  }

  take(wanted: string): string {
    const base =
      /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(wanted) && !reservedWords.has(wanted)
        ? wanted
        : `_${wanted.replace(/[^A-Za-z0-9_$]/g, "_")}`;
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}_${n}`;
    this.taken.add(name);
    return name;
  }
}

/** `virtio_net_device` → `VirtioNetDevice`; `VirtQueue` stays. */
export function pascalCase(name: string): string {
  return name
    .split(/[_\W]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}
