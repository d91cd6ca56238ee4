// The VS Code extension (editors/vscode/): its manifest contributes the language, grammar and
// configuration files that exist, its client starts `vmstate lsp`, and `npm run vsix` builds a
// .vsix with @vscode/vsce that holds the grammar, the client and the client's dependencies.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "./support/compile.js";

const dir = join(root, "editors", "vscode");
const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
  main: string;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
  };
  dependencies: Record<string, string>;
};

describe("the VS Code extension", () => {
  it("contributes the vmstate language and its grammar, with files that exist", () => {
    const [language] = manifest.contributes.languages;
    expect(language).toMatchObject({ id: "vmstate", extensions: [".vmstate"] });
    const configuration = JSON.parse(readFileSync(join(dir, language!.configuration), "utf8")) as {
      comments: unknown;
      brackets: unknown;
    };
    expect(configuration.comments).toEqual({ lineComment: "//", blockComment: ["/*", "*/"] });
    expect(configuration.brackets).toHaveLength(3);
    const [grammar] = manifest.contributes.grammars;
    expect(grammar).toMatchObject({ language: "vmstate", scopeName: "source.vmstate" });
    const tm = JSON.parse(readFileSync(join(dir, grammar!.path), "utf8")) as { scopeName: string };
    expect(tm.scopeName).toBe("source.vmstate");
  });

  it("starts `vmstate lsp` through vscode-languageclient", () => {
    const client = readFileSync(join(dir, manifest.main), "utf8");
    expect(client).toContain('require("vscode-languageclient/node")');
    expect(client).toContain('args: ["lsp"]');
    expect(manifest.dependencies["vscode-languageclient"]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("packages as a .vsix (npm run vsix)", { timeout: 600_000 }, () => {
    execFileSync(process.execPath, [join(dir, "build-vsix.mjs")], {
      stdio: "pipe",
      timeout: 590_000,
    });
    const vsix = join(dir, "vmstate.vsix");
    expect(existsSync(vsix)).toBe(true);
    const listing = spawnSync("unzip", ["-l", vsix], { encoding: "utf8" }).stdout;
    for (const entry of [
      "extension/package.json",
      "extension/extension.js",
      "extension/syntaxes/vmstate.tmLanguage.json",
      "extension/language-configuration.json",
      "extension/node_modules/vscode-languageclient/node.js",
      "extension/node_modules/vscode-languageserver-protocol/package.json",
    ])
      expect(listing).toContain(entry);
    expect(listing).not.toContain("node_modules/@vscode/vsce/");
  });
});
