// The shipped schemas as docs/catalog.md lists them: each section's QEMU name, versions, the QEMU
// source file its header cites first, and the fixture streams (and machines) that carry it, all
// computed from the schema files and the fixtures' section indexes.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSchema } from "../../grammar/index.js";
import { root } from "./compile.js";

export interface CatalogRow {
  readonly schema: string;
  readonly qemuName: string;
  readonly version: string;
  readonly source: string;
  readonly streams: readonly string[];
}

const streamsDir = join(root, "test", "fixtures", "qemu", "streams");

/** The idstrs of the FULL sections of each fixture stream (and "configuration"), by its name. */
export function fixtureSections(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of readdirSync(streamsDir)
    .filter((f) => f.endsWith(".sections.json"))
    .sort()) {
    const index = JSON.parse(readFileSync(join(streamsDir, file), "utf8")) as {
      sections: { type: string; name?: string }[];
    };
    out.set(
      file.replace(/\.sections\.json$/, ""),
      index.sections.flatMap((s) =>
        s.type === "FULL" ? [s.name!] : s.type === "CONFIGURATION" ? ["configuration"] : [],
      ),
    );
  }
  return out;
}

/** Whether the idstr `idstr` is a section named `qemuName` (`0000:00:02.0/virtio-net`). */
export function isSection(idstr: string, qemuName: string): boolean {
  return idstr === qemuName || idstr.endsWith(`/${qemuName}`);
}

export function catalogRows(): CatalogRow[] {
  const sections = fixtureSections();
  const dir = join(root, "schemas");
  const rows: CatalogRow[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".vmstate"))
    .sort()) {
    const text = readFileSync(join(dir, file), "utf8");
    const schema = parseSchema(text, file).schema!;
    // The file the header's "Sources (…):" names first, else the first C file it names.
    const source =
      /Sources \([^)]*\): ([\w./-]+\.[ch])/.exec(text)?.[1] ??
      /\b((?:[\w-]+\/)+[\w.-]+\.[ch])\b/.exec(text)?.[1] ??
      "";
    for (const item of schema.items) {
      if (item.kind !== "section") continue;
      const qemuName = item.qemuName.value;
      const version = text.slice(item.version.span.start, item.version.span.end);
      const minimum = item.minimum && text.slice(item.minimum.span.start, item.minimum.span.end);
      rows.push({
        schema: `schemas/${file}`,
        qemuName,
        version: minimum ? `${version} (minimum ${minimum})` : version,
        source,
        streams: [...sections]
          .filter(([, ids]) => ids.some((id) => isSection(id, qemuName)))
          .map(([name]) => name),
      });
    }
  }
  return rows;
}

/** The table of docs/catalog.md for these rows. */
export function catalogTable(rows: readonly CatalogRow[]): string {
  const lines = [
    "| schema | QEMU name | version | QEMU source | fixture streams |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| [${r.schema.replace("schemas/", "")}](../${r.schema}) | \`${r.qemuName}\` | ${r.version} | ${r.source} | ${r.streams.length === 8 ? "all 8" : r.streams.join(", ")} |`,
    ),
  ];
  return lines.join("\n");
}
