// docs/compat.md is checked: every rule has a section with an example whose old and new versions
// produce the output shown under them, the rule table lists every rule, and the outputs quoted
// elsewhere on the page and in the README are what the command prints.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hasErrors } from "../diagnostics/diagnostic.js";
import type { CompatDiagnostic } from "../generator/compat/finding.js";
import { formatCompatText } from "../generator/compat/format.js";
import { compareVersions, type SchemaFile } from "../generator/compat/index.js";
import { compareDumps } from "../generator/compat/qemu-check.js";
import { readDump } from "../generator/compat/qemu-dump.js";
import { rules } from "../generator/compat/rules.js";
import { checkText } from "../generator/index.js";
import { planSchema } from "../generator/plan/plan.js";
import { vmstate } from "./support/cli.js";
import { root } from "./support/compile.js";

const page = readFileSync(join(root, "docs", "compat.md"), "utf8");

/** The text of each `### RULE` section. */
const sections = new Map(
  [...page.matchAll(/^### ([A-Z_]+)\n([\s\S]*?)(?=^##)/gm)].map((m) => [m[1]!, m[2]!]),
);

function block(text: string, info: string): string | undefined {
  return new RegExp("^```" + info + "\\n([\\s\\S]*?)^```$", "m").exec(text)?.[1];
}

function schema(text: string, file: string): SchemaFile {
  const checked = checkText(text, file);
  expect(hasErrors(checked.diagnostics)).toBe(false);
  return { file, text, plan: planSchema(checked.model!) };
}

/** The findings of an example and what `vmstate compat` prints for them. */
function run(section: string): { found: CompatDiagnostic[]; output: string } {
  const [vo, vn] = [block(section, "vmstate old"), block(section, "vmstate new")];
  if (vo !== undefined && vn !== undefined) {
    const found = compareVersions([schema(vo, "old.vmstate")], [schema(vn, "new.vmstate")]);
    return {
      found,
      output: formatCompatText(
        found,
        new Map([
          ["old.vmstate", vo],
          ["new.vmstate", vn],
        ]),
      ),
    };
  }
  const [jo, jn] = [block(section, "json old"), block(section, "json new")];
  expect(jo, "an example: old and new blocks").toBeDefined();
  const found = compareDumps(readDump(jo!, "old.json"), readDump(jn!, "new.json"));
  return {
    found,
    output: formatCompatText(
      found,
      new Map([
        ["old.json", jo!],
        ["new.json", jn!],
      ]),
    ),
  };
}

describe("docs/compat.md", () => {
  it("has a section and a table row for every rule, and no other", () => {
    expect([...sections.keys()]).toEqual(rules.map((r) => r.name));
    // Table rows as cells: prettier pads the columns.
    const rows = page
      .split("\n")
      .filter((l) => l.startsWith("|"))
      .map((l) =>
        l
          .split("|")
          .map((cell) => cell.trim())
          .join("|"),
      );
    for (const r of rules)
      expect(rows).toContain(`|[${r.name}](#${r.name.toLowerCase()})|${r.code}|${r.summary}|`);
  });

  it.each(rules.map((r) => [r.name] as const))(
    "%s: the example reports it, and prints what is shown",
    (name) => {
      const section = sections.get(name)!;
      const { found, output } = run(section);
      expect(found.map((d) => d.rule)).toContain(name);
      const shown = block(section, "text");
      expect(shown).toBeDefined();
      const printed = output.split("\n");
      for (const line of shown!.split("\n").filter((l) => l !== ""))
        expect(printed).toContain(line);
    },
  );

  it("shows the whole output of the FIELD_REMOVED example under Output", () => {
    const shown = /## Output\n[\s\S]*?```text\n([\s\S]*?)```/.exec(page)![1];
    expect(shown).toBe(run(sections.get("FIELD_REMOVED")!).output);
  });

  it("quotes `compat --qemu-dump` of QEMU's pc and q35 dumps as it is", () => {
    const section = page.slice(page.indexOf("## QEMU's dumps"));
    const session = /^\$ npx vmstate (compat --qemu-dump .*)\n(.*)\n/m.exec(section);
    expect(session).not.toBeNull();
    const r = vmstate(session![1]!.split(" "));
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(session![2]);
  });

  it("names only rules that exist", () => {
    const named = new Set(
      page.match(
        /\b(?:SECTION|FIELD|SUBSECTION|VALIDATION|CONSTANT|PARAM|DUMP|DESCRIPTION)_[A-Z_]*[A-Z]\b/g,
      ),
    );
    const known = new Set<string>(rules.map((r) => r.name));
    expect([...named].filter((n) => !known.has(n) && !n.endsWith("_"))).toEqual([]);
  });
});

describe("README.md", () => {
  it("quotes `vmstate compat` of QEMU 2.5/2.6's reader as it prints it", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const quoted = /\$ npx (vmstate compat [^\n]*)\n([^\n]*)\n/.exec(readme);
    expect(quoted).not.toBeNull();
    const r = vmstate(quoted![1]!.split(" ").slice(1));
    expect(r.status).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe(quoted![2]);
  });
});
