// The TextMate grammar of the VS Code extension (editors/vscode/syntaxes/vmstate.tmLanguage.json),
// run by vscode-textmate on vscode-oniguruma, the engine VS Code uses, over every schema of the
// repository and every docs block. The compiler's own lexer and name resolution say what each
// token is: comments, strings, numbers, keywords, scalar types and names must get their scopes.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as oniguruma from "vscode-oniguruma";
import * as textmate from "vscode-textmate";
import { scalarTypeNames } from "../generator/ir/scalars.js";
import { vmstateLexer } from "../grammar/tokens.js";
import { Analysis } from "../lsp/analysis.js";
import { root } from "./support/compile.js";
import { repositorySchemas } from "./support/repository-schemas.js";

const grammarPath = join(root, "editors", "vscode", "syntaxes", "vmstate.tmLanguage.json");
let grammar: textmate.IGrammar;

beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: (scopeName) =>
      Promise.resolve(
        scopeName === "source.vmstate"
          ? textmate.parseRawGrammar(readFileSync(grammarPath, "utf8"), grammarPath)
          : null,
      ),
  });
  grammar = (await registry.loadGrammar("source.vmstate"))!;
});

/** The scopes at each offset of the text, as VS Code would colour it. */
function scopesOf(text: string): string[][] {
  const out: string[][] = [];
  let state = textmate.INITIAL;
  for (const line of text.split("\n")) {
    const result = grammar.tokenizeLine(line, state);
    const scopes: string[][] = Array.from({ length: line.length + 1 }, () => []);
    for (const t of result.tokens)
      for (let i = t.startIndex; i < t.endIndex; i++) scopes[i] = t.scopes;
    out.push(...scopes);
    state = result.ruleStack;
  }
  return out;
}

const scalars = new Set([...scalarTypeNames(), "bytes", "text"]);

/** What every token of the text must be scoped as, from the compiler's lexer and resolver. */
function problems(text: string): string[] {
  const scopes = scopesOf(text);
  const lexed = vmstateLexer.tokenize(text);
  const analysis = new Analysis(text, "s.vmstate");
  const names = new Set(analysis.refs.map((r) => r.span.start));
  const found: string[] = [];
  const expectScope = (offset: number, image: string, what: string, pattern: RegExp): void => {
    const at = scopes[offset]!;
    if (!at.some((s) => pattern.test(s))) {
      const line = text.slice(0, offset).split("\n").length;
      found.push(`line ${line}: '${image}' should be ${what}, is ${at.join(" ") || "unscoped"}`);
    }
  };
  for (const c of lexed.groups["comments"] ?? []) {
    expectScope(c.startOffset, c.image.slice(0, 10), "a comment", /^comment\./);
    expectScope(c.startOffset + c.image.length - 1, c.image.slice(-10), "a comment", /^comment\./);
  }
  for (const tok of lexed.tokens) {
    const type = tok.tokenType.name;
    const o = tok.startOffset;
    if (type === "StringLiteral") expectScope(o, tok.image, "a string", /^string\.quoted/);
    else if (type === "Integer")
      expectScope(o, tok.image, "a number", /^(constant|invalid\.illegal)\.numeric/);
    else if (type === "True" || type === "False")
      expectScope(o, tok.image, "a boolean", /^constant\.language/);
    else if (names.has(o)) expectScope(o, tok.image, "a name", /^(variable|entity\.name)/);
    else if (type === "Identifier" && scalars.has(tok.image))
      expectScope(o, tok.image, "a type", /^support\.type/);
    else if (type === "Identifier")
      expectScope(o, tok.image, "a name", /^(variable|entity\.name|support\.function)/);
    else if (/^'[a-z]+'$/.test(tok.tokenType.LABEL ?? ""))
      expectScope(o, tok.image, "a keyword", /^(keyword|storage\.type)/);
  }
  return found;
}

const docBlocks = [
  "README.md",
  "docs/language.md",
  "docs/diagnostics.md",
  "examples/seed-bug/README.md",
].flatMap((doc) => {
  const text = readFileSync(join(root, doc), "utf8");
  return [...text.matchAll(/^( *)```vmstate(?: error VMS\d{4})?\n([\s\S]*?)^\1```$/gm)].map(
    (m): [string, string] => [
      `${doc}:${text.slice(0, m.index).split("\n").length}`,
      m[2]!.replace(new RegExp(`^${m[1]}`, "gm"), ""),
    ],
  );
});

describe("the TextMate grammar", () => {
  it.each(repositorySchemas)("%s", (file) => {
    expect(problems(readFileSync(join(root, file), "utf8"))).toEqual([]);
  });

  it.each(docBlocks)("the block at %s", (_where, code) => {
    expect(problems(code)).toEqual([]);
  });

  it("scopes the soft keywords as names where they are names", () => {
    const text =
      'section s "s" version 1 {\n  version: u8;\n  features: u32 if version > 1;\n  x: u8 if has(features, 2);\n}\n';
    expect(problems(text)).toEqual([]);
    expect(scopesOf(text)[text.indexOf("version 1")]).toContain("keyword.other.vmstate");
  });
});
