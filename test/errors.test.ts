// The error corpus: each file in test/errors/ states the diagnostics it must produce, as
// `// expect: VMSnnnn at line:column` lines; this test checks every file, and that every code in
// the catalog has a file. The compatibility rules have old/new pairs in test/errors/compat/ (the
// new file states `// expect: VMSnnnn RULE at old|new:line:column direction`) and, for QEMU dumps,
// the edited dumps of test/compat/qemu/ (checked by compat-qemu.test.ts). Beside each file (or
// pair), NAME.errors.txt holds the whole output `vmstate check` prints for it: message, code frame
// and related places; `npm run test:update` rewrites these baselines.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalog, messages } from "../diagnostics/catalog.js";
import { sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { formatDiagnosticsText } from "../diagnostics/format.js";
import { compareVersions, type SchemaFile } from "../generator/compat/index.js";
import { ruleNamed, rules, type RuleName } from "../generator/compat/rules.js";
import { checkText } from "../generator/index.js";
import { planSchema } from "../generator/plan/plan.js";
import { verifyModule } from "../generator/verify/index.js";

const dir = join(import.meta.dirname, "errors");
const verifyDir = join(dir, "verify");

function expectations(text: string): string[] {
  return [...text.matchAll(/^\/\/ expect: (VMS\d{4}) at (\d+):(\d+)$/gm)]
    .map((m) => `${m[1]} at ${m[2]}:${m[3]}`)
    .sort();
}

function found(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code} at ${d.span.line}:${d.span.column}`).sort();
}

/** Pairs `saveX`/`loadX` of a hand-written module. */
function pairsOf(text: string): { save: string; load: string }[] {
  const names = [...text.matchAll(/export function (save|load)(\w+)/g)].map((m) => m[2]!);
  return [...new Set(names)].map((n) => ({ save: `save${n}`, load: `load${n}` }));
}

const schemaFiles = readdirSync(dir)
  .filter((f) => f.endsWith(".vmstate"))
  .sort();
const moduleFiles = readdirSync(verifyDir)
  .filter((f) => f.endsWith(".ts"))
  .sort();
const compatDir = join(dir, "compat");
const compatPairs = readdirSync(compatDir)
  .filter((f) => f.endsWith(".new.vmstate"))
  .sort()
  .map((f) => f.replace(/\.new\.vmstate$/, ""));
const dumpCasesDir = join(import.meta.dirname, "compat", "qemu");
const dumpCases = readdirSync(dumpCasesDir).filter((f) => f.endsWith(".json"));

function compatExpectations(text: string): string[] {
  return [
    ...text.matchAll(
      /^\/\/ expect: (VMS\d{4} \w+ at (?:old|new):\d+:\d+ (?:forward|backward|both))$/gm,
    ),
  ]
    .map((m) => m[1]!)
    .sort();
}

/** The diagnostics as `vmstate check` prints them, compared with the baseline at `path`. */
async function matchesBaseline(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  path: string,
): Promise<void> {
  const rendered = formatDiagnosticsText(sortDiagnostics(diagnostics), sources);
  await expect(rendered).toMatchFileSnapshot(path);
}

function baselineOf(path: string): string {
  return path.replace(/(\.new)?\.(vmstate|ts)$/, ".errors.txt");
}

function schemaFile(file: string): SchemaFile {
  const text = readFileSync(join(compatDir, file), "utf8");
  const checked = checkText(text, file);
  expect(checked.diagnostics).toEqual([]);
  return { file, text, plan: planSchema(checked.model!) };
}

describe("error corpus", () => {
  it.each(schemaFiles)("%s", async (name) => {
    const text = readFileSync(join(dir, name), "utf8");
    const expected = expectations(text);
    expect(expected.length).toBeGreaterThan(0);
    // Only this file's: an imported file's diagnostics are its own (imports/broken.vmstate).
    const file = `test/errors/${name}`;
    const diagnostics = checkText(text, file).diagnostics.filter(
      (d) => d.span.file === file || !d.span.file.endsWith(".vmstate"),
    );
    expect(found(diagnostics)).toEqual(expected);
    await matchesBaseline(diagnostics, new Map([[file, text]]), baselineOf(join(dir, name)));
  });

  it.each(moduleFiles)("verify/%s", async (name) => {
    const text = readFileSync(join(verifyDir, name), "utf8");
    const expected = expectations(text);
    expect(expected.length).toBeGreaterThan(0);
    const diagnostics = verifyModule(name, text, pairsOf(text));
    expect(found(diagnostics)).toEqual(expected);
    await matchesBaseline(diagnostics, new Map([[name, text]]), baselineOf(join(verifyDir, name)));
  });

  it.each(compatPairs)("compat/%s", async (name) => {
    const old = schemaFile(`${name}.old.vmstate`);
    const neu = schemaFile(`${name}.new.vmstate`);
    const expected = compatExpectations(neu.text);
    expect(expected.length).toBeGreaterThan(0);
    const diagnostics = compareVersions([old], [neu]);
    const found = diagnostics.map(
      (d) =>
        `${d.code} ${d.rule} at ${d.span.file.endsWith(".new.vmstate") ? "new" : "old"}:${d.span.line}:${d.span.column} ${d.direction}`,
    );
    expect(found.sort()).toEqual(expected);
    for (const e of expected)
      expect(ruleNamed(e.split(" ")[1] as RuleName).code).toBe(e.slice(0, 7));
    const sources = new Map([old, neu].map((f) => [f.file, f.text]));
    await matchesBaseline(diagnostics, sources, join(compatDir, `${name}.errors.txt`));
  });

  it("gives the messages of one code one severity, and each compatibility rule one message", () => {
    for (const [code, entry] of Object.entries(catalog))
      for (const name of entry.names)
        expect(`${code} ${name} ${messages[name].severity}`).toBe(
          `${code} ${name} ${entry.severity}`,
        );
    // A finding's message is found from its rule's code (ruleMessage): it must be the only one.
    for (const rule of rules)
      expect([rule.name, catalog[rule.code].names.length]).toEqual([rule.name, 1]);
  });

  it("has a file for every code of the catalog", () => {
    const texts = [
      ...schemaFiles.map((f) => join(dir, f)),
      ...moduleFiles.map((f) => join(verifyDir, f)),
    ].map((p) => readFileSync(p, "utf8"));
    const covered = new Set(texts.flatMap((t) => expectations(t).map((e) => e.slice(0, 7))));
    for (const name of compatPairs)
      for (const e of compatExpectations(
        readFileSync(join(compatDir, `${name}.new.vmstate`), "utf8"),
      ))
        covered.add(e.slice(0, 7));
    for (const file of dumpCases) {
      const c = JSON.parse(readFileSync(join(dumpCasesDir, file), "utf8")) as {
        expect: { rule: RuleName }[];
      };
      for (const e of c.expect) covered.add(ruleNamed(e.rule).code);
    }
    // No schema can make the generator emit code that does not compile: test/compile.test.ts
    // injects that fault instead.
    covered.add("VMS8005");
    // An expression too long for gen to compile is refused by gen, not the checker: test/depth.test.ts.
    covered.add("VMS8006");
    expect(Object.keys(catalog).filter((code) => !covered.has(code))).toEqual([]);
  });
});
