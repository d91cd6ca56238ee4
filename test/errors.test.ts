// The error corpus: each file in test/errors/ states the diagnostics it must produce, as
// `// expect: VMSnnnn at line:column` lines; this test checks every file, and that every code in
// the catalog has a file.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalog } from "../diagnostics/catalog.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import { checkText } from "../generator/index.js";
import { verifyModule } from "../generator/verify/index.js";

const dir = join(import.meta.dirname, "errors");
const verifyDir = join(dir, "verify");

function expectations(text: string): string[] {
  return [...text.matchAll(/^\/\/ expect: (VMS\d{4}) at (\d+):(\d+)$/gm)].map((m) => `${m[1]} at ${m[2]}:${m[3]}`).sort();
}

function found(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code} at ${d.span.line}:${d.span.column}`).sort();
}

/** Pairs `saveX`/`loadX` of a hand-written module. */
function pairsOf(text: string): { save: string; load: string }[] {
  const names = [...text.matchAll(/export function (save|load)(\w+)/g)].map((m) => m[2]!);
  return [...new Set(names)].map((n) => ({ save: `save${n}`, load: `load${n}` }));
}

const schemaFiles = readdirSync(dir).filter((f) => f.endsWith(".vmstate")).sort();
const moduleFiles = readdirSync(verifyDir).filter((f) => f.endsWith(".ts")).sort();

describe("error corpus", () => {
  it.each(schemaFiles)("%s", (name) => {
    const text = readFileSync(join(dir, name), "utf8");
    const expected = expectations(text);
    expect(expected.length).toBeGreaterThan(0);
    expect(found(checkText(text, `test/errors/${name}`).diagnostics)).toEqual(expected);
  });

  it.each(moduleFiles)("verify/%s", (name) => {
    const text = readFileSync(join(verifyDir, name), "utf8");
    const expected = expectations(text);
    expect(expected.length).toBeGreaterThan(0);
    expect(found(verifyModule(name, text, pairsOf(text)))).toEqual(expected);
  });

  it("has a file for every code of the catalog", () => {
    const texts = [...schemaFiles.map((f) => join(dir, f)), ...moduleFiles.map((f) => join(verifyDir, f))].map((p) => readFileSync(p, "utf8"));
    const covered = new Set(texts.flatMap((t) => expectations(t).map((e) => e.slice(0, 7))));
    expect(Object.keys(catalog).filter((code) => !covered.has(code))).toEqual([]);
  });
});
