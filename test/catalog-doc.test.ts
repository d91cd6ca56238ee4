// docs/catalog.md lists every shipped schema as the schema files and the fixture streams say:
// its QEMU name, versions, the QEMU source it follows, and the streams that carry the section.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalogRows, catalogTable } from "./support/catalog.js";
import { root } from "./support/compile.js";

describe("docs/catalog.md", () => {
  it("has the table of the shipped schemas", () => {
    const path = join(root, "docs", "catalog.md");
    const table = catalogTable(catalogRows());
    if (process.env["VMSTATE_WRITE_CATALOG"] === "1") {
      const text = readFileSync(path, "utf8");
      const start = text.indexOf("<!-- catalog -->\n") + "<!-- catalog -->\n".length;
      const end = text.indexOf("<!-- /catalog -->");
      writeFileSync(path, text.slice(0, start) + table + "\n" + text.slice(end));
    }
    const text = readFileSync(path, "utf8");
    const shown = /<!-- catalog -->\n([\s\S]*?)<!-- \/catalog -->/.exec(text)?.[1] ?? "";
    const cells = (t: string): string[][] =>
      t
        .split("\n")
        .filter((l) => l.startsWith("|") && !/^\|\s*-/.test(l))
        .map((l) =>
          l
            .split("|")
            .slice(1, -1)
            .map((c) => c.trim()),
        );
    expect(cells(shown)).toEqual(cells(table));
    // Every section of every fixture stream has its schema (test/catalog-*.test.ts decode them).
    expect(catalogRows().filter((r) => r.streams.length === 0)).toEqual([]);
  });
});
