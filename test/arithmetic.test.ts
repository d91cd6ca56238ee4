// Arithmetic is exact: every operator, on fields of every width and signedness, with random
// operands and shift counts, computes in generated code what BigInt computes under the rules of
// docs/language.md (integers are mathematical integers; division truncates toward zero; `%` takes
// the dividend's sign; `>>` is floor division by a power of two; `&`, `|`, `^`, `~` act on two's
// complement of unbounded width). Each run generates schemas of many validations
// `validate (a OP b) OP2 c == EXPECTED`, writes the operands with the runtime's Writer, and loads
// them with the generated loader: a validation that fails names the case that is wrong.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { formatDiagnosticsText } from "../diagnostics/format.js";
import { generate } from "../generator/index.js";
import { Reader, Writer } from "../runtime/index.js";
import { root } from "./support/compile.js";

// Inside the repository, so the generated module imports runtime/ by a relative path.
const dir = mkdtempSync(join(root, "test", ".arithmetic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TYPES = ["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64"] as const;
type Scalar = (typeof TYPES)[number];
const bitsOf = (t: Scalar): bigint => BigInt(Number(t.slice(1)));
const rangeOf = (t: Scalar): [bigint, bigint] => {
  const bits = bitsOf(t);
  return t.startsWith("i")
    ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n]
    : [0n, (1n << bits) - 1n];
};

const BINARY = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"] as const;
const COMPARE = ["==", "!=", "<", "<=", ">", ">="] as const;
type Op = (typeof BINARY)[number];

/** BigInt semantics of docs/language.md. */
function exact(op: Op, a: bigint, b: bigint): bigint {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b; // truncates toward zero
    case "%":
      return a % b; // the dividend's sign
    case "<<":
      return a << b;
    case ">>":
      return a >> b; // floor
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
  }
}

function compare(op: (typeof COMPARE)[number], a: bigint, b: bigint): boolean {
  return op === "=="
    ? a === b
    : op === "!="
      ? a !== b
      : op === "<"
        ? a < b
        : op === "<="
          ? a <= b
          : op === ">"
            ? a > b
            : a >= b;
}

/** A value of the type, often at or near its ends (where widths and signs go wrong). */
const valueOf = (t: Scalar): fc.Arbitrary<bigint> => {
  const [min, max] = rangeOf(t);
  const edges = [
    min,
    max,
    0n,
    1n,
    -1n,
    min + 1n,
    max - 1n,
    1n << 31n,
    (1n << 31n) - 1n,
    1n << 32n,
  ].filter((v) => v >= min && v <= max);
  return fc.oneof(fc.constantFrom(...edges), fc.bigInt({ min, max }));
};

/** A literal as the language writes it (a negative one as `-N`, parenthesized). */
const literal = (v: bigint): string => (v < 0n ? `(${v})` : `${v}`);

interface Case {
  readonly types: [Scalar, Scalar, Scalar];
  readonly values: [bigint, bigint, bigint];
  readonly expression: string;
  readonly expected: bigint | boolean;
}

/** `(a OP b) OP2 c`, or a comparison of two such, or `~`/`-` of one; constants where they must be. */
const caseOf: fc.Arbitrary<Case> = fc
  .tuple(
    fc.constantFrom(...TYPES),
    fc.constantFrom(...TYPES),
    fc.constantFrom(...TYPES),
    fc.constantFrom(...BINARY),
    fc.constantFrom(...BINARY),
    fc.constantFrom(...COMPARE, "none", "~", "-"),
    fc.integer({ min: 0, max: 64 }),
    fc.bigInt({ min: -(1n << 40n), max: 1n << 40n }),
  )
  .chain(([ta, tb, tc, op1, op2, outer, shift, divisor]) =>
    fc.tuple(valueOf(ta), valueOf(tb), valueOf(tc)).map(([a, b, c]): Case => {
      // A shift amount or a divisor must be a constant; 0 is no divisor.
      const constant = (op: Op): bigint | undefined =>
        op === "<<" || op === ">>"
          ? BigInt(shift)
          : op === "/" || op === "%"
            ? divisor || 7n
            : undefined;
      const k1 = constant(op1);
      const k2 = constant(op2);
      const left = `(a ${op1} ${k1 === undefined ? "b" : literal(k1)})`;
      const leftValue = exact(op1, a, k1 ?? b);
      const whole = `(${left} ${op2} ${k2 === undefined ? "c" : literal(k2)})`;
      const wholeValue = exact(op2, leftValue, k2 ?? c);
      if (outer === "~")
        return {
          types: [ta, tb, tc],
          values: [a, b, c],
          expression: `~${whole}`,
          expected: ~wholeValue,
        };
      if (outer === "-")
        return {
          types: [ta, tb, tc],
          values: [a, b, c],
          expression: `-${whole}`,
          expected: -wholeValue,
        };
      if (outer === "none")
        return { types: [ta, tb, tc], values: [a, b, c], expression: whole, expected: wholeValue };
      return {
        types: [ta, tb, tc],
        values: [a, b, c],
        expression: `(${left} ${outer} c)`,
        expected: compare(outer, leftValue, c),
      };
    }),
  );

function schemaOf(cases: readonly Case[]): string {
  const members = cases.flatMap((k, i) => {
    const rename = (e: string): string => e.replace(/\b([abc])\b/g, `$1${i}`);
    const check =
      typeof k.expected === "boolean"
        ? `${k.expected ? "" : "!"}${rename(k.expression)}`
        : `l${i} == ${literal(k.expected)}`;
    return [
      `  a${i}: ${k.types[0]};`,
      `  b${i}: ${k.types[1]};`,
      `  c${i}: ${k.types[2]};`,
      ...(typeof k.expected === "boolean" ? [] : [`  let l${i} = ${rename(k.expression)};`]),
      `  validate ${check}, "case ${i}";`,
    ];
  });
  return `section arith "arith" version 1 {\n${members.join("\n")}\n}\n`;
}

function bytesOf(cases: readonly Case[]): Uint8Array {
  const w = new Writer();
  cases.forEach((k, i) =>
    k.types.forEach((t, j) => {
      const v = k.values[j]!;
      const path = `${"abc"[j]}${i}`;
      if (t === "u64") w.u64(v, path);
      else if (t === "i64") w.i64(v, path);
      else w[t](Number(v), path);
    }),
  );
  return w.finish();
}

let module = 0;

describe("arithmetic in generated code", () => {
  it(
    "agrees with BigInt for every operator, width and signedness",
    { timeout: 600_000 },
    async () => {
      const runs = [20261202, 1, 2, 3, 4, 5];
      for (const seed of runs) {
        const cases = fc.sample(caseOf, { numRuns: 120, seed });
        const text = schemaOf(cases);
        const name = `arith${module++}`;
        const result = await generate(text, `${name}.vmstate`, {
          sourceName: `${name}.vmstate`,
          outputName: join(dir, `${name}.ts`),
          runtimeImport: "../../runtime/index.js",
        });
        expect(
          formatDiagnosticsText(result.diagnostics, new Map([[`${name}.vmstate`, text]])),
          `seed ${seed}`,
        ).toBe("");
        writeFileSync(join(dir, `${name}.ts`), result.code!);
        const exports = (await import(join(dir, `${name}.ts`))) as Record<
          string,
          (r: Reader, p: unknown) => unknown
        >;
        const bytes = bytesOf(cases);
        let failure = "";
        try {
          exports["loadArith"]!(new Reader(bytes), {});
        } catch (e) {
          const i = Number(/case (\d+)/.exec(String(e))?.[1]);
          const k = cases[i];
          failure = k
            ? `${String(e)}: ${k.expression} with a: ${k.types[0]} = ${k.values[0]}, b: ${k.types[1]} = ${k.values[1]}, c: ${k.types[2]} = ${k.values[2]}, expected ${k.expected}`
            : String(e);
        }
        expect(failure, `seed ${seed}`).toBe("");
      }
    },
  );
});

describe("comparisons TypeScript would narrow", () => {
  it(
    "`v == 1 && v == 0` and its kin compile and evaluate as written",
    { timeout: 120_000 },
    async () => {
      const text = [
        "struct S version 3 {",
        "  a: u8;",
        "  b: u8 if stream_version() == 1 && stream_version() == 0;",
        "  c: u8 if stream_version() != 3 || stream_version() != 2;",
        "  d: u64;",
        '  validate !(a == 1 && a == 0), "and";',
        '  validate a == 7 ? a != 6 : true, "branch";',
        '  validate d == 5 || d == 6 || d == 7, "or";',
        "}",
        'section narrow "narrow" version 1 {',
        "  s: S;",
        "}",
        "",
      ].join("\n");
      const result = await generate(text, "narrow.vmstate", {
        sourceName: "narrow.vmstate",
        outputName: join(dir, "narrow.ts"),
        runtimeImport: "../../runtime/index.js",
      });
      expect(result.diagnostics).toEqual([]);
      writeFileSync(join(dir, "narrow.ts"), result.code!);
      const exports = (await import(join(dir, "narrow.ts"))) as Record<
        string,
        (r: Reader, p: unknown) => unknown
      >;
      const w = new Writer();
      w.u8(7, "a");
      w.u8(9, "c"); // version 3: `3 != 3 || 3 != 2` holds
      w.u64(7n, "d");
      expect(exports["loadNarrow"]!(new Reader(w.finish()), {})).toEqual({
        s: { a: 7, c: 9, d: 7n },
      });
    },
  );
});
