// Deep and long text: nesting beyond the stated limits is a located diagnostic (VMS1007, VMS2014,
// a JSON dump's depth), flat chains of any length go through the checker, compat, export and the
// language server by iteration, and gen refuses what the TypeScript compiler cannot take (VMS8006).
// Each class is tried in several places and at the size that overflowed the stack, 10× and 100×.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatSchema } from "../format/format.js";
import { compareVersions } from "../generator/compat/index.js";
import { exportDump, printDumpJson } from "../generator/compat/export-dump.js";
import { MAX_JSON_DEPTH, parseJson } from "../generator/compat/json-text.js";
import { MAX_STRUCT_NESTING } from "../generator/check/layouts.js";
import { checkText, generate } from "../generator/index.js";
import { planSchema } from "../generator/plan/plan.js";
import { MAX_NESTING } from "../grammar/depth.js";
import { parseSchema } from "../grammar/index.js";
import { Analysis } from "../lsp/analysis.js";
import { documentSymbols, hover, semanticTokens } from "../lsp/features.js";
import { IncrementalParser } from "../lsp/incremental.js";
import { vmstate } from "./support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "vmstate-depth-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const section = (members: string): string => `section s "s" version 1 {\n  a: u8;\n${members}\n}\n`;

/** Where an expression can stand in a schema, with `X` for it (an integer, or a bool with `B`). */
const places: [string, (x: string) => string][] = [
  ["a validation", (x) => section(`  validate ${x} == 1, "m";`)],
  ["a let", (x) => section(`  let l = ${x};\n  validate l > 0, "m";`)],
  ["a field's guard", (x) => section(`  b: u8 if ${x} == 1;`)],
  [
    "a subsection's needed",
    (x) => section(`  subsection t "s/t" version 1 needed ${x} == 1 { c: u8; }`),
  ],
  ["a constant", (x) => `const C = ${x.replaceAll("a", "1")};\n${section("  b: u8[C];")}`],
];

/** Nesting shapes, `n` levels deep, around the operand `a`. */
const nestings: [string, (n: number) => string][] = [
  ["parentheses", (n) => `${"(".repeat(n)}a${")".repeat(n)}`],
  ["conditionals", (n) => `${"a == 1 ? a : ".repeat(n)}a`],
  ["conditionals in branches", (n) => `${"a == 1 ? (".repeat(n)}a${") : 2".repeat(n)}`],
  ["unary minus", (n) => `${"-".repeat(n)}a`],
  ["unary minus and not", (n) => `${"- ~".repeat(n)}a`],
  ["indexes", (n) => `${"b[".repeat(n)}0${"]".repeat(n)}`],
  ["suffixes", (n) => `a${"[0]".repeat(n)}`],
];

/** Flat chains of `n` terms. */
const chains: [string, (n: number) => string][] = [
  ["'+'", (n) => Array<string>(n).fill("a").join(" + ")],
  [
    "mixed arithmetic",
    (n) => Array.from({ length: n }, (_, i) => (i % 3 ? "a" : "1")).join(" * 1 + "),
  ],
  ["'&&'", (n) => `(${Array<string>(n).fill("a == 1").join(" && ")} ? 1 : 0)`],
  ["'||' and '??'", (n) => `(${Array<string>(n).fill("a == 1").join(" || ")} ? a : 0)`],
];

function codes(text: string): string[] {
  return checkText(text, "d.vmstate").diagnostics.map((d) => d.code);
}

describe("nesting beyond the limit", () => {
  const sizes = [MAX_NESTING + 1, 308, 3080, 30800];
  for (const [shape, nest] of nestings)
    for (const [place, put] of places)
      it(`${shape} in ${place}: VMS1007 at the first token too deep, at every size`, () => {
        for (const n of sizes) {
          const text = put(nest(n)).replace("a: u8;", "a: u8;\n  b: u8[1];");
          const result = parseSchema(text, "d.vmstate");
          expect(
            result.diagnostics.map((d) => d.code),
            `${n}`,
          ).toEqual(["VMS1007"]);
          expect(result.diagnostics[0]!.span.line, `${n}`).toBeGreaterThan(0);
          expect(codes(text)).toEqual(["VMS1007"]);
          expect(formatSchema(text).diagnostics.map((d) => d.code)).toEqual(["VMS1007"]);
          expect(new Analysis(text, "d.vmstate").diagnostics.map((d) => d.code)).toEqual([
            "VMS1007",
          ]);
        }
      });

  it("the limit is exact: 63 parentheses in a body pass, 64 do not, and the diagnostic is at the level 65", () => {
    const at = (n: number): string =>
      section(`  validate ${"(".repeat(n)}a${")".repeat(n)} == 1, "m";`);
    // The section's body is one level.
    expect(codes(at(MAX_NESTING - 1))).toEqual([]);
    const refused = parseSchema(at(MAX_NESTING), "d.vmstate").diagnostics;
    expect(refused.map((d) => [d.code, d.span.line, d.span.column])).toEqual([
      // The operand inside the 64th parenthesis, the first token 65 levels deep.
      ["VMS1007", 3, 12 + MAX_NESTING],
    ]);
  });

  it("nested subsections, arrays of arrays and struct bodies count as levels too", () => {
    for (const n of [MAX_NESTING, 391, 3910]) {
      let nested = "";
      for (let i = 0; i < n; i++) nested += `subsection t${i} "s/${i}" version 1 { c${i}: u8;\n`;
      expect(codes(section(nested + "}".repeat(n))), `${n}`).toEqual(["VMS1007"]);
      expect(codes(section(`  b: u8${"[1]".repeat(n)};`)), `${n}`).toEqual(["VMS1007"]);
    }
    expect(codes(section(`  b: u8${"[1]".repeat(MAX_NESTING - 2)};`))).toEqual([]);
  });

  it("the command line prints one located line and exits 1", () => {
    const file = join(dir, "deep.vmstate");
    writeFileSync(file, section(`  validate ${"(".repeat(5000)}a${")".repeat(5000)} == 1, "m";`));
    for (const args of [
      ["check", file],
      ["fmt", "--check", file],
      ["compat", file, file],
    ]) {
      const r = vmstate(args);
      expect(r.status, args.join(" ")).toBe(1);
      expect(r.stdout + r.stderr, args.join(" ")).toMatch(/deep\.vmstate:3:\d+ - error VMS1007/);
      expect(r.stdout + r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});

describe("structs inside structs", () => {
  const chain = (n: number, reversed: boolean): string => {
    const structs = Array.from(
      { length: n },
      (_, i) => `struct A${i} { x: ${i + 1 < n ? `A${i + 1}` : "u8"}; }\n`,
    );
    if (reversed) structs.reverse();
    return `${structs.join("")}section s "s" version 1 { a: A0; }\n`;
  };

  it(`${MAX_STRUCT_NESTING} deep pass; deeper is one VMS2014, in either declaration order`, () => {
    for (const reversed of [false, true]) {
      expect(codes(chain(MAX_STRUCT_NESTING, reversed))).toEqual([]);
      for (const n of [MAX_STRUCT_NESTING + 1, 931, 9310])
        expect(codes(chain(n, reversed)), `${n} ${reversed}`).toEqual(["VMS2014"]);
    }
  });

  it("through arrays and arguments too", () => {
    const n = 931;
    const structs = Array.from(
      { length: n },
      (_, i) => `struct A${i}(k: u8) { x: ${i + 1 < n ? `A${i + 1}(k)[2]` : "u8"}; }\n`,
    );
    expect(codes(`${structs.join("")}section s "s" version 1 { a: A0(1); }\n`)).toEqual([
      "VMS2014",
    ]);
  });
});

describe("flat chains of any length", () => {
  for (const [index, [shape, make]] of chains.entries())
    it(`${shape}: checked, compared, exported and served at 1 220 terms (the first also 12 200)`, () => {
      for (const n of index === 0 ? [1220, 12200] : [1220]) {
        const text = section(`  validate ${make(n)} >= 0, "m";\n  let l = ${make(n)};`);
        const checked = checkText(text, "d.vmstate");
        expect(
          checked.diagnostics.map((d) => d.code),
          `${n}`,
        ).toEqual([]);
        const plan = planSchema(checked.model!);
        const file = { file: "d.vmstate", text, plan };
        expect(compareVersions([file], [file])).toEqual([]);
        expect(printDumpJson(exportDump([plan], undefined)).length).toBeGreaterThan(0);
        const analysis = new Analysis(text, "d.vmstate");
        expect(analysis.diagnostics).toEqual([]);
        semanticTokens(analysis);
        documentSymbols(analysis);
        hover(analysis, { line: 3, character: 12 });
        const incremental = new IncrementalParser("d.vmstate");
        incremental.parse(text);
        expect(incremental.parse(`const B = 1;\n${text}`).diagnostics).toEqual([]);
        expect(formatSchema(text).text).toBeDefined();
      }
    });

  it("at 100× (122 000 terms) the checker still iterates", () => {
    const text = section(`  validate ${Array<string>(122000).fill("a").join(" + ")} >= 0, "m";`);
    expect(codes(text)).toEqual([]);
  });

  it("compat compares two long chains that differ", () => {
    const one = checkText(section(`  validate ${chains[0]![1](5000)} >= 0, "m";`), "o.vmstate");
    const two = checkText(section(`  validate ${chains[0]![1](5001)} >= 0, "m";`), "n.vmstate");
    const findings = compareVersions(
      [{ file: "o.vmstate", text: "", plan: planSchema(one.model!) }],
      [{ file: "n.vmstate", text: "", plan: planSchema(two.model!) }],
    );
    expect(findings.length).toBeGreaterThan(0);
  });

  it("gen refuses an expression of more than 400 operators with VMS8006, and compiles 400", async () => {
    const options = {
      sourceName: "d.vmstate",
      runtimeImport: "../runtime/index.js",
      outputName: "d.ts",
    };
    const long = await generate(
      section(`  validate ${chains[0]![1](1220)} >= 0, "m";`),
      "d.vmstate",
      options,
    );
    expect(long.diagnostics.map((d) => [d.code, d.span.line])).toEqual([["VMS8006", 3]]);
    expect(long.diagnostics[0]!.message).toBe(
      "this expression has 1220 operators; gen compiles at most 400 in one expression (split it with 'let')",
    );
    expect(long.code).toBeUndefined();
    const fits = await generate(
      section(`  validate ${chains[0]![1](400)} >= 0, "m";`),
      "d.vmstate",
      options,
    );
    expect(fits.diagnostics).toEqual([]);
    expect(fits.code).toBeDefined();
  }, 60_000);
});

describe("QEMU dumps nested deep", () => {
  it(`JSON nested beyond ${MAX_JSON_DEPTH} is refused with its position, at any size`, () => {
    for (const n of [MAX_JSON_DEPTH + 1, 3000, 300000]) {
      for (const text of ['{"a":'.repeat(n) + "1" + "}".repeat(n), "[".repeat(n) + "]".repeat(n)])
        expect(() => parseJson(text, "d.json"), `${n}`).toThrow(/nested more than 256 deep/);
    }
    expect(parseJson("[".repeat(MAX_JSON_DEPTH) + "]".repeat(MAX_JSON_DEPTH), "d.json").kind).toBe(
      "array",
    );
  });

  it("compat --qemu-dump prints one line and exits 2, as for any file that is not JSON", () => {
    const file = join(dir, "deep.json");
    writeFileSync(file, '{"a":'.repeat(3000) + "1" + "}".repeat(3000));
    const r = vmstate(["compat", "--qemu-dump", file, file]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/deep\.json:1:\d+: not JSON: objects and arrays nested more than 256/);
  });
});
