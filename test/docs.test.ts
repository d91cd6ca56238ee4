// The examples of the documentation are checked: a `vmstate` block must be clean, and a
// `vmstate error VMSnnnn` block must produce exactly that diagnostic.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalog } from "../diagnostics/catalog.js";
import { checkText } from "../generator/index.js";
import { root } from "./support/compile.js";

const documents = ["README.md", "docs/language.md", "docs/diagnostics.md", "examples/seed-bug/README.md"];

function blocks(doc: string): { expected: string | undefined; code: string; line: number }[] {
  const text = readFileSync(join(root, doc), "utf8");
  return [...text.matchAll(/^( *)```vmstate(?: error (VMS\d{4}))?\n([\s\S]*?)^\1```$/gm)].map((m) => ({
    expected: m[2],
    code: m[3]!.replace(new RegExp(`^${m[1]}`, "gm"), ""),
    line: text.slice(0, m.index).split("\n").length,
  }));
}

const examples = documents.flatMap((doc) => blocks(doc).map((b) => [`${doc}:${b.line}`, b] as const));

describe("examples in the documentation", () => {
  it.each(examples)("%s", (where, block) => {
    const codes = checkText(block.code, where).diagnostics.map((d) => d.code);
    expect(codes).toEqual(block.expected ? [block.expected] : []);
  });
});

describe("docs/diagnostics.md", () => {
  it("lists every code of the catalog", () => {
    const text = readFileSync(join(root, "docs", "diagnostics.md"), "utf8");
    expect(Object.keys(catalog).filter((code) => !text.includes(`| ${code} |`))).toEqual([]);
  });
});

describe("README.md", () => {
  it("quotes generated/virtio-net.ts as it is (an excerpt: lines in order, `…` for the rest)", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const excerpt = /excerpt of its reader:\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(excerpt).toBeDefined();
    const generated = readFileSync(join(root, "generated", "virtio-net.ts"), "utf8");
    let at = 0;
    for (const line of excerpt!.split("\n").filter((l) => l.trim() !== "" && l.trim() !== "…")) {
      const found = generated.indexOf(`${line}\n`, at);
      expect(found, line).toBeGreaterThanOrEqual(at);
      at = found + line.length;
    }
  });
});
