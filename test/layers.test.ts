// The generator's stages import downward only: ir/ is the shared library, check/ is a pass that no
// later stage reaches into, and each stage folder imports only the folders listed here.

import { readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const packageRoot = fileURLToPath(new URL("..", import.meta.url));

const generatorDir = join(packageRoot, "generator");

// What each stage folder may import: other folders of generator/ by name, files at generator/'s
// top by file name, and folders of the package (runtime, grammar, diagnostics).
const allowed: Record<string, readonly string[]> = {
  ir: ["model.ts", "grammar", "runtime"],
  check: ["ir", "model.ts", "codec-modules.ts", "grammar", "diagnostics", "runtime"],
  plan: ["ir", "model.ts", "diagnostics", "runtime"],
  emit: ["ir", "plan", "model.ts", "module-paths.ts", "package-root.ts", "diagnostics", "runtime"],
  verify: ["model.ts", "package-root.ts", "diagnostics", "runtime"],
  compat: ["ir", "plan", "model.ts", "diagnostics"],
};

/** Where each relative import of a stage's files leads, as a name of the `allowed` table. */
function importsOf(stage: string): Map<string, string> {
  const found = new Map<string, string>();
  const dir = join(generatorDir, stage);
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(dir, file), "utf8");
    for (const [, spec] of text.matchAll(/from "(\.[^"]+)"/g)) {
      const target = resolve(dir, spec!).replace(/\.js$/, ".ts");
      const underGenerator = relative(generatorDir, target).split(sep);
      // Outside generator/, the package folder; inside, the stage folder or top-level file.
      const name =
        underGenerator[0] === ".."
          ? relative(packageRoot, target).split(sep)[0]!
          : underGenerator[0]!;
      if (name !== stage) found.set(`${stage}/${file} imports ${spec}`, name);
    }
  }
  return found;
}

describe("stage layering", () => {
  it.each(Object.keys(allowed))("%s/ imports only what its stage may use", (stage) => {
    const outside = [...importsOf(stage)].filter(([, name]) => !allowed[stage]!.includes(name));
    expect(outside.map(([where]) => where)).toEqual([]);
  });

  it("the table names every stage folder", () => {
    const folders = readdirSync(generatorDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual(Object.keys(allowed).sort());
  });

  it("finds the imports it judges", () => {
    // emit/ uses the plan and the shared library; a scanner that missed them would pass anything.
    const names = new Set(importsOf("emit").values());
    expect([...names].sort()).toEqual([...allowed.emit!].sort());
  });
});
