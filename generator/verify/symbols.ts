// The verifier's symbolic values: what an expression of a save or load function stands for, built
// from its syntax without running it. A value carried by the wire is named by the operation that
// carried it, so save and load agree on an expression when their values print the same text.

/** Names a function does not bind itself, by where they come from. */
export type NameScope =
  /** A name neither side binds: a module constant, a global, a helper's name. */
  | "free"
  /** A local declared without a value, not assigned yet. */
  | "unset"
  /** A parameter of the schema (`params.x`, `params.x ?? default`). */
  | "param"
  /** An argument of a struct's or codec's function. */
  | "arg"
  /** A binding imported from another module. */
  | "import";

/** Words that stand for a whole value of one kind. */
export type Word =
  | "state"
  | "params"
  | "version"
  | "undefined"
  /** What a call that moves nothing returns. */
  | "void"
  /** `new Array(n)`, to be filled by the next loop. */
  | "new"
  /** An object literal built from reads. */
  | "object";

export type Sym =
  /** The value the operation of this number read or wrote (`$4`). */
  | { readonly kind: "wire"; readonly id: number }
  /** The index of the loop of this number (`$i7`). */
  | { readonly kind: "loopIndex"; readonly id: number }
  /** The base of the run of this number (`run#3`). */
  | { readonly kind: "runBase"; readonly id: number }
  /** A value of a run, at an offset from its base, of an element when in a loop (`$3@8[$i4]`). */
  | {
      readonly kind: "runValue";
      readonly run: number;
      readonly at: number;
      readonly index: Sym | undefined;
    }
  /** The version a subsection is read or written at. */
  | { readonly kind: "subsectionVersion"; readonly name: string }
  | { readonly kind: "name"; readonly scope: NameScope; readonly name: string }
  | { readonly kind: "word"; readonly word: Word }
  /**
   * A number, bigint, string or boolean literal, as its canonical text (`4`, `5n`, `"a"`, `true`),
   * and a number literal's value.
   */
  | { readonly kind: "literal"; readonly text: string; readonly number?: number }
  | { readonly kind: "member"; readonly object: Sym; readonly name: string }
  | { readonly kind: "index"; readonly object: Sym; readonly index: Sym }
  | { readonly kind: "unary"; readonly op: string; readonly operand: Sym }
  | { readonly kind: "binary"; readonly op: string; readonly left: Sym; readonly right: Sym }
  | { readonly kind: "conditional"; readonly test: Sym; readonly then: Sym; readonly else: Sym }
  | { readonly kind: "call"; readonly callee: string; readonly args: readonly Sym[] }
  | { readonly kind: "tuple"; readonly elements: readonly Sym[] }
  /** An expression the extractor does not model, as written (equal only to the same text). */
  | { readonly kind: "source"; readonly text: string }
  /** A value the extractor could not follow; a problem is reported where it arose. */
  | { readonly kind: "unknown" };

export const unknownSym: Sym = { kind: "unknown" };

export function word(w: Word): Sym {
  return { kind: "word", word: w };
}

export function named(scope: NameScope, name: string): Sym {
  return { kind: "name", scope, name };
}

export function wire(id: number): Sym {
  return { kind: "wire", id };
}

export function literal(text: string): Sym {
  return { kind: "literal", text };
}

export function numberLiteral(value: number): Sym {
  return { kind: "literal", text: String(value), number: value };
}

/** The text a value prints as, in diagnostics and when save's and load's are compared. */
export function symText(s: Sym): string {
  switch (s.kind) {
    case "wire":
      return `$${s.id}`;
    case "loopIndex":
      return `$i${s.id}`;
    case "runBase":
      return `run#${s.id}`;
    case "runValue":
      return `$${s.run}@${s.at}${s.index ? `[${symText(s.index)}]` : ""}`;
    case "subsectionVersion":
      return `version(${s.name})`;
    case "name":
      return `${s.scope}.${s.name}`;
    case "word":
      return s.word;
    case "literal":
    case "source":
      return s.text;
    case "member":
      return `${symText(s.object)}.${s.name}`;
    case "index":
      return `${symText(s.object)}[${symText(s.index)}]`;
    case "unary":
      return `${s.op}${symText(s.operand)}`;
    case "binary":
      return `(${symText(s.left)} ${s.op} ${symText(s.right)})`;
    case "conditional":
      return `(${symText(s.test)} ? ${symText(s.then)} : ${symText(s.else)})`;
    case "call":
      return `${s.callee}(${s.args.map(symText).join(", ")})`;
    case "tuple":
      return `[${s.elements.map(symText).join(", ")}]`;
    case "unknown":
      return "?";
  }
}

/** Save's and load's values agree when they are the same expression of the same names. */
export function sameSym(a: Sym | undefined, b: Sym | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return symText(a) === symText(b);
}

/** The first name in a value that is not known yet (a free or unset name), depth first. */
export function firstUnknownName(s: Sym): string | undefined {
  switch (s.kind) {
    case "name":
      return s.scope === "free" || s.scope === "unset" ? s.name : undefined;
    case "runValue":
      return s.index && firstUnknownName(s.index);
    case "member":
      return firstUnknownName(s.object);
    case "index":
      return firstUnknownName(s.object) ?? firstUnknownName(s.index);
    case "unary":
      return firstUnknownName(s.operand);
    case "binary":
      return firstUnknownName(s.left) ?? firstUnknownName(s.right);
    case "conditional":
      return firstUnknownName(s.test) ?? firstUnknownName(s.then) ?? firstUnknownName(s.else);
    case "call":
      return firstOf(s.args);
    case "tuple":
      return firstOf(s.elements);
    default:
      return undefined;
  }
}

function firstOf(values: readonly Sym[]): string | undefined {
  for (const v of values) {
    const name = firstUnknownName(v);
    if (name !== undefined) return name;
  }
  return undefined;
}

/** The integer a literal value is, or undefined. */
export function literalNumber(s: Sym): number | undefined {
  return s.kind === "literal" && Number.isSafeInteger(s.number) ? s.number : undefined;
}
