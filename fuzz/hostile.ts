// Hostile inputs the small mutations of mutate-text.ts and mutate-json.ts cannot reach: schemas
// nested or chained thousands deep, names that are properties of every JavaScript object, binary
// and control characters; documents nested deep, with such keys at any depth and huge values.

import type { Json } from "../stream/format.js";
import type { Random } from "./random.js";

const OBJECT_PROPERTIES = Object.getOwnPropertyNames(Object.prototype);

/** A size up to `max`, spread evenly over the orders of magnitude (most small, some huge). */
function size(rnd: Random, max: number): number {
  return Math.max(1, Math.floor(Math.exp(rnd.next() * Math.log(max))));
}

function section(members: string): string {
  return `section s "s" version 1 {\n  a: u8;\n  b: u8[2];\n${members}\n}\n`;
}

/** Where an integer expression `x` can stand. */
const PLACES: readonly ((x: string) => string)[] = [
  (x) => section(`  validate ${x} == 1, "m";`),
  (x) => section(`  let l = ${x};\n  validate l > 0, "m";`),
  (x) => section(`  c: u8 if ${x} == 1;`),
  (x) => section(`  c: u8[${x} max 4];`),
  (x) => section(`  subsection t "s/t" version 1 needed ${x} == 1 { c: u8; }`),
  (x) => `const C = ${x.replaceAll("a", "1")};\n${section("  c: u8[C];")}`,
  (x) => `struct T(k: u8) { c: u8[k max 4]; }\n${section(`  t: T(${x});`)}`,
];

const NESTINGS: readonly ((n: number) => string)[] = [
  (n) => `${"(".repeat(n)}a${")".repeat(n)}`,
  (n) => `${"a == 1 ? a : ".repeat(n)}a`,
  (n) => `${"a == 1 ? (".repeat(n)}a${") : 2".repeat(n)}`,
  (n) => `${"-".repeat(n)}a`,
  (n) => `${"~!".repeat(n)}a`,
  (n) => `${"b[".repeat(n)}0${"]".repeat(n)}`,
  (n) => `b${"[0]".repeat(n)}`,
  (n) => `${"le16(b, ".repeat(n)}0${")".repeat(n)}`,
];

const CHAINS: readonly ((n: number) => string)[] = [
  (n) => Array<string>(n).fill("a").join(" + "),
  (n) => Array.from({ length: n }, (_, i) => (i % 2 ? "a" : "1")).join(" * 1 - "),
  (n) => `(${Array<string>(n).fill("a == 1").join(" && ")} ? 1 : 0)`,
  (n) => `(${Array<string>(n).fill("a != 1").join(" || ")} ? a : 0)`,
];

const HOSTILE_CHARACTERS = [
  "\u0000",
  "\u001b[31m",
  "\u007f",
  "\u009b",
  "\u202e",
  "\u2028",
  "\ufeff",
  "\r",
];

/** One hostile schema, with what it is for the report. */
export function hostileSchema(rnd: Random): { what: string; text: string } {
  switch (rnd.below(7)) {
    case 0: {
      const n = size(rnd, 8_000);
      const shape = rnd.below(NESTINGS.length);
      return { what: `nesting ${shape} × ${n}`, text: rnd.pick(PLACES)(NESTINGS[shape]!(n)) };
    }
    case 1: {
      const n = size(rnd, 1_500);
      const shape = rnd.below(CHAINS.length);
      return { what: `chain ${shape} of ${n}`, text: rnd.pick(PLACES)(CHAINS[shape]!(n)) };
    }
    case 2: {
      const n = size(rnd, 1_000);
      const reversed = rnd.chance(0.5);
      const structs = Array.from(
        { length: n },
        (_, i) => `struct A${i} { x: ${i + 1 < n ? `A${i + 1}` : "u8"}; }\n`,
      );
      if (reversed) structs.reverse();
      return {
        what: `${n} chained structs${reversed ? ", innermost first" : ""}`,
        text: `${structs.join("")}section s "s" version 1 { a: A0; }\n`,
      };
    }
    case 3: {
      const n = size(rnd, 1_000);
      let nested = "";
      for (let i = 0; i < n; i++) nested += `subsection t${i} "s/${i}" version 1 { c${i}: u8;\n`;
      return { what: `${n} nested subsections`, text: section(nested + "}".repeat(n)) };
    }
    case 4: {
      const name = rnd.pick(OBJECT_PROPERTIES);
      const places = [
        `param ${name}?: u8;\n${section(`  c: u8[${name} ?? 1 max 4];`)}`,
        section(`  ${name}: u8;`),
        section(`  ${name}.x: u8;\n  ${name}.y: u8;`),
        section(`  c.${name}: u8;`),
        section(`  validate a.${name} == 1, "m";`),
        `struct ${name} { x: u8; }\n${section(`  c: ${name};`)}`,
        `const ${name} = 1;\n${section(`  c: u8[${name}];`)}`,
        `features F { ${name} = 1; }\n${section(`  validate has(a, F.${name}), "m";`)}`,
        section(`  let ${name} = a;\n  validate ${name} > 0, "m";`),
      ];
      const k = rnd.below(places.length);
      return { what: `${name} in place ${k}`, text: places[k]! };
    }
    case 5: {
      const c = rnd.pick(HOSTILE_CHARACTERS);
      const places = [
        section(`  ${c}`),
        section(`  a${c}b: u8;`),
        `section s "s${c}" version 1 { a: u8; }`,
        section(`  validate a < 1, "m${c}";`),
        section(`  validate a < 1, "m${JSON.stringify(c).slice(1, -1)}";`),
        `${c}${section("")}`,
        section(`  c: u8;${" ".repeat(size(rnd, 200_000))}${c}`),
      ];
      const k = rnd.below(places.length);
      return { what: `${JSON.stringify(c)} in place ${k}`, text: places[k]! };
    }
    default: {
      // Binary: random bytes read as UTF-8, as `vmstate check` reads any file.
      const bytes = new Uint8Array(size(rnd, 20_000));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rnd.below(256);
      return { what: `${bytes.length} random bytes`, text: new TextDecoder().decode(bytes) };
    }
  }
}

/** A JSON value nested `n` deep. */
function nested(n: number, inArrays: boolean): Json {
  let v: Json = 1;
  for (let i = 0; i < n; i++) v = inArrays ? [v] : { x: v };
  return v;
}

/** The objects of a document, with their depth. */
function objectsOf(doc: Json): Record<string, Json>[] {
  const out: Record<string, Json>[] = [];
  const pending: Json[] = [doc];
  for (let v = pending.pop(); v !== undefined; v = pending.pop()) {
    if (v === null || typeof v !== "object") continue;
    if (!Array.isArray(v)) out.push(v);
    // One by one: a spread of a long array would itself overflow the stack.
    for (const inner of Array.isArray(v) ? v : Object.values(v)) pending.push(inner);
  }
  return out;
}

/**
 * A hostile change to a copy of a document: a value nested thousands deep, a key named as an
 * Object.prototype property (an own key, as JSON.parse makes it), a huge number or string, a string
 * of control characters; or, now and then, no change at all.
 */
export function hostileDocument(base: Json, rnd: Random): { what: string; json: Json } {
  const json = structuredClone(base);
  const objects = objectsOf(json);
  const target = rnd.pick(objects);
  const keys = Object.keys(target);
  const kind = rnd.below(6);
  // An object value is the pollution attempt: always under an Object.prototype name.
  const key =
    kind !== 4 && keys.length > 0 && rnd.chance(0.7) ? rnd.pick(keys) : rnd.pick(OBJECT_PROPERTIES);
  let value: Json;
  let what: string;
  switch (kind) {
    case 0: {
      const n = size(rnd, 5_000);
      value = nested(n, rnd.chance(0.5));
      what = `${key}: nested ${n} deep`;
      break;
    }
    case 1:
      value = "9".repeat(size(rnd, 1_000_000));
      what = `${key}: a string of ${String(value).length} digits`;
      break;
    case 2:
      value = `0x${"f".repeat(size(rnd, 100_000))}`;
      what = `${key}: a hex string`;
      break;
    case 3:
      value = rnd.pick(HOSTILE_CHARACTERS).repeat(size(rnd, 1000));
      what = `${key}: control characters`;
      break;
    case 4:
      value = { polluted: 1 };
      what = `${key}: an object`;
      break;
    default:
      return { what: "unchanged", json };
  }
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    configurable: true,
    writable: true,
  });
  return { what, json };
}
