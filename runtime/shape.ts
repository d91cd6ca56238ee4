// The shape of a section's state as plain data, exported by each generated module beside its codec,
// so that stream tools turn states into JSON and back without the schema or the checker.

/** An integer's width and signedness, as the schema declares it. */
export interface IntShape {
  readonly kind: "int";
  readonly bits: 8 | 16 | 32 | 64;
  readonly signed: boolean;
}

export type ScalarShape = IntShape | { readonly kind: "bool" };

/** One value of a state: a scalar, bytes, an array, an object (struct, group or subsection). */
export type ValueShape =
  | ScalarShape
  | { readonly kind: "bytes" }
  /** A C string (`text[N]`): a string of one byte per character. */
  | { readonly kind: "text" }
  | { readonly kind: "array"; readonly element: ValueShape }
  | ObjectShape
  /** A value of a hand-written codec: the schema does not say its shape. */
  | { readonly kind: "opaque"; readonly codec: string };

/** An object's members in wire order. */
export interface ObjectShape {
  readonly kind: "object";
  readonly members: readonly MemberShape[];
}

export interface MemberShape {
  readonly key: string;
  readonly shape: ValueShape;
}

/** A parameter the codec accepts, by name and type. */
export interface ParamShape {
  readonly name: string;
  readonly type: ScalarShape;
  /** The value when none is given, if the schema declares one. */
  readonly default?: boolean | number | bigint;
}
