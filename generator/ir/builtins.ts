// The built-in functions of the schema language, declared once. Each stage that implements them
// (check/expressions.ts, emit/expressions.ts, plan/evaluate.ts, compat/canon.ts) keys its part by
// BuiltinName in a Record, so a builtin added here and forgotten there does not compile.

export interface BuiltinSpec {
  /** How it is written, for completions and hovers. */
  readonly signature: string;
  readonly summary: string;
  readonly arity: number;
}

export const builtins = {
  has: {
    signature: "has(value, bit)",
    summary: "whether bit `bit` (a constant) of the integer `value` is set",
    arity: 2,
  },
  pci_capability: {
    signature: "pci_capability(config, id)",
    summary:
      "the offset of the capability `id` (a constant) in the PCI configuration space `config`, or 0",
    arity: 2,
  },
  le16: {
    signature: "le16(bytes, offset)",
    summary: "the little-endian 16-bit register at `offset` inside bytes already read",
    arity: 2,
  },
  le32: {
    signature: "le32(bytes, offset)",
    summary: "the little-endian 32-bit register at `offset` inside bytes already read",
    arity: 2,
  },
  stream_version: {
    signature: "stream_version()",
    summary: "the version of the section (or subsection) being read, as the stream gives it",
    arity: 0,
  },
} as const satisfies Record<string, BuiltinSpec>;

export type BuiltinName = keyof typeof builtins;

/** The builtins that stay calls in the IR; `stream_version()` becomes the `version` node. */
export type CallBuiltin = Exclude<BuiltinName, "stream_version">;

export const builtinNames = Object.keys(builtins) as BuiltinName[];

export function isBuiltin(name: string): name is BuiltinName {
  return Object.hasOwn(builtins, name);
}
