// Every .vmstate file of the repository: schemas, examples, golden files and the error corpus.

import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { root } from "./compile.js";

function vmstateFiles(dir: string): string[] {
  return readdirSync(join(root, dir))
    .sort()
    .flatMap((name) => {
      const path = `${dir}/${name}`;
      if (statSync(join(root, path)).isDirectory()) return vmstateFiles(path);
      return name.endsWith(".vmstate") ? [path] : [];
    });
}

/** Paths relative to the repository root. */
export const repositorySchemas = [
  "schemas",
  "examples",
  "test/golden",
  "test/errors",
  "test/compat",
].flatMap(vmstateFiles);
