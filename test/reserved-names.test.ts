// The properties of every JavaScript object (`__proto__`, `constructor`, `toString`, …) name nothing
// in a schema: the checker refuses each of them wherever a schema declares a name (VMS2015, at the
// name), and a document for encode that holds one as a key, at any depth, is refused by its path
// with Object.prototype untouched.

import { beforeAll, describe, expect, it } from "vitest";
import { checkText } from "../generator/index.js";
import { Analysis } from "../lsp/analysis.js";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { encodeDocument } from "../stream/encode.js";
import { projectCodecs } from "./support/codecs.js";
import { streamBytes } from "./support/streams.js";

const names = Object.getOwnPropertyNames(Object.prototype);

/** Each place a schema declares a name, with `N` for the name; the name's first use is the declaration. */
const places: [string, (n: string) => string][] = [
  [
    "a param",
    (n) => `param ${n}: u8 = 1;\nsection s "s" version 1 { a: u8; validate a < ${n}, "m"; }`,
  ],
  ["an optional param", (n) => `param ${n}?: u8;\nsection s "s" version 1 { a: u8[${n} ?? 1]; }`],
  ["a field", (n) => `section s "s" version 1 { ${n}: u8; }`],
  ["the head of a dotted path", (n) => `section s "s" version 1 { ${n}.x: u8; }`],
  ["the tail of a dotted path", (n) => `section s "s" version 1 { a.${n}: u8; }`],
  ["the middle of a path", (n) => `section s "s" version 1 { a.${n}.b: u8; }`],
  ["a former name", (n) => `section s "s" version 1 { a: u8 was ${n}; }`],
  ["a struct", (n) => `struct ${n} { a: u8; }\nsection s "s" version 1 { a: ${n}; }`],
  [
    "a struct parameter",
    (n) => `struct S(${n}: u8) { a: u8[${n}]; }\nsection s "s" version 1 { a: S(1); }`,
  ],
  ["a const", (n) => `const ${n} = 1;\nsection s "s" version 1 { a: u8[${n}]; }`],
  ["a feature set", (n) => `features ${n} { A = 1; }\nsection s "s" version 1 { a: u8; }`],
  ["a feature bit", (n) => `features F { ${n} = 1; }\nsection s "s" version 1 { a: u32; }`],
  ["a let", (n) => `section s "s" version 1 { a: u8; let ${n} = a; validate ${n} > 0, "m"; }`],
  [
    "an element",
    (n) => `section s "s" version 1 { a: u8[2]; validate each ${n} in a: ${n} > 0, "m"; }`,
  ],
  [
    "a subsection",
    (n) => `section s "s" version 1 { a: u8; subsection ${n} "s/x" version 1 { b: u8; } }`,
  ],
  [
    "a field of a subsection",
    (n) => `section s "s" version 1 { a: u8; subsection t "s/x" version 1 { ${n}: u8; } }`,
  ],
  ["a field of a struct", (n) => `struct S { ${n}: u8; }\nsection s "s" version 1 { a: S; }`],
  ["a section", (n) => `section ${n} "s" version 1 { a: u8; }`],
];

describe("names of Object.prototype's properties", () => {
  it.each(places)("as %s: VMS2015 at the declared name", (_, place) => {
    for (const name of names) {
      const text = place(name);
      const declared = text.indexOf(name);
      const result = checkText(text, "r.vmstate");
      const at = result.diagnostics.filter((d) => d.code === "VMS2015");
      expect(at.length, name).toBeGreaterThan(0);
      expect(at[0]!.span.start, name).toBe(declared);
      expect(at[0]!.message, name).toContain(`'${name}'`);
      // The language server reports them as the checker does, and does not fail on them.
      expect(new Analysis(text, "r.vmstate").diagnostics.map((d) => d.code)).toContain("VMS2015");
    }
  });

  it("are still fine as parts of longer names, and as QEMU names in strings", () => {
    const text = `param protox: u8 = 1;\nsection my_constructor "constructor" version 1 { __proto: u8; to_string: u8[protox max 4]; subsection t "constructor/__proto__" version 1 { b: u8; } }`;
    expect(checkText(text, "r.vmstate").diagnostics).toEqual([]);
  });
});

describe("documents with such keys", () => {
  let codecs: Codecs;
  beforeAll(async () => {
    codecs = await projectCodecs();
  });

  /** The objects of a state down to `depth`, each with its path. */
  function objectsOf(
    state: unknown,
    path: string,
    depth: number,
  ): [string, Record<string, unknown>][] {
    if (typeof state !== "object" || state === null || state instanceof Uint8Array) return [];
    const out: [string, Record<string, unknown>][] = Array.isArray(state)
      ? []
      : [[path, state as Record<string, unknown>]];
    if (depth === 0) return out;
    const entries = Array.isArray(state)
      ? state.slice(0, 1).map((v, i) => [`[${i}]`, v] as const)
      : Object.entries(state).map(([k, v]) => [`.${k}`, v] as const);
    for (const [key, value] of entries) out.push(...objectsOf(value, path + key, depth - 1));
    return out;
  }

  it("are refused by path at every depth of a state, and pollute nothing", () => {
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const text = JSON.stringify(decodeStream(streamBytes("pxe-loop-pc-legacy"), codecs, {}));
    const fresh = (): { items: Record<string, unknown>[] } =>
      JSON.parse(text) as { items: Record<string, unknown>[] };
    const index = fresh().items.findIndex(
      (i) => i["type"] === "full" && String(i["idstr"]).endsWith("/virtio-net"),
    );
    const state = (fresh().items[index]!["body"] as { state: unknown }).state;
    const targets = objectsOf(state, "", 3).slice(0, 12);
    expect(targets.length).toBeGreaterThan(5);
    let tried = 0;
    for (const name of names)
      for (const [path] of targets) {
        const doc = fresh();
        const body = doc.items[index]!["body"] as { state: unknown };
        const target = objectsOf(body.state, "", 3).find(([p]) => p === path)![1];
        // An own key, as JSON.parse makes it of a hostile document's (assignment would set the prototype).
        Object.defineProperty(target, name, {
          value: { polluted: 1 },
          enumerable: true,
          configurable: true,
          writable: true,
        });
        expect(() => encodeDocument(doc, codecs, {}), `${name} at ${path}`).toThrow(
          `items[${index}].body.state${path}.${name}: no such field in the schema`,
        );
        tried++;
      }
    expect(tried).toBeGreaterThan(50);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  });
});
