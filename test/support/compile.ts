// Test helpers: check and plan schema files in memory.

import { readFileSync, readdirSync } from "node:fs";
import { join, sep } from "node:path";
import { formatDiagnosticsText } from "../../diagnostics/format.js";
import { hasErrors } from "../../diagnostics/diagnostic.js";
import { checkText } from "../../generator/index.js";
import { planSchema, type SchemaPlan } from "../../generator/plan/plan.js";

export const root = join(import.meta.dirname, "..", "..");

/** The plan of a schema file (relative to the repository root); throws with the diagnostics if it has errors. */
export function planOf(file: string): SchemaPlan {
  const text = readFileSync(join(root, file), "utf8");
  const checked = checkText(text, file);
  if (!checked.model || hasErrors(checked.diagnostics)) {
    throw new Error(formatDiagnosticsText(checked.diagnostics, new Map([[file, text]])));
  }
  return planSchema(checked.model);
}

/** The schemas with generated modules that behaviour tests run: the project's and the golden ones. */
export function generatedSchemas(): { schema: string; module: string }[] {
  const golden = readdirSync(join(root, "test", "golden"))
    .filter((n) => n.endsWith(".vmstate"))
    .sort()
    .map((n) => ({
      schema: `test/golden/${n}`,
      module: join(root, "test", "golden", n.replace(/\.vmstate$/, ".ts")),
    }));
  const project = projectSchemas().map((s) => ({
    schema: s,
    module: join(root, "generated", s.replace(/^schemas\//, "").replace(/\.vmstate$/, ".ts")),
  }));
  return [...project, ...golden];
}

/** Every module under `generated/` (those of imported files in `generated/shared/` too), relative to the root. */
export function generatedModuleFiles(): string[] {
  return readdirSync(join(root, "generated"), { recursive: true, encoding: "utf8" })
    .filter((n) => n.endsWith(".ts"))
    .map((n) => `generated/${n.split(sep).join("/")}`)
    .sort();
}

/** `schemas/*.vmstate`, relative to the repository root. */
export function projectSchemas(): string[] {
  return readdirSync(join(root, "schemas"))
    .filter((n) => n.endsWith(".vmstate"))
    .sort()
    .map((n) => `schemas/${n}`);
}
