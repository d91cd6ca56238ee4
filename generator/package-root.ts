// Where this package lies, whether its code runs from the sources (the tests), from dist/ (tsc's
// output) or from the bundled CLI in dist/bin: paths are found from the manifest, not counted in `..`.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, sep } from "node:path";

/** The package's name in its manifest: the folder whose package.json says it is the root. */
const PACKAGE_NAME = "vmstate-dsl";

/** The nearest folder above `from` whose package.json names this package, and that manifest. */
function findPackage(from: string): { root: string; version: string } {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const parsed = JSON.parse(readFileSync(manifest, "utf8")) as {
        name?: unknown;
        version: string;
      };
      if (parsed.name === PACKAGE_NAME) return { root: dir, version: parsed.version };
    }
    if (dirname(dir) === dir) throw new Error(`no ${PACKAGE_NAME} package.json above ${from}`);
  }
}

const found = findPackage(import.meta.dirname);

/** The folder of package.json, schemas/ and docs/. */
export const packageRoot = found.root;

/** The root of the code that runs: dist/ when compiled or bundled, the package root for the sources. */
export const codeRoot = (import.meta.dirname + sep).startsWith(join(packageRoot, "dist") + sep)
  ? join(packageRoot, "dist")
  : packageRoot;

/** The package's version, as its manifest says. */
export const packageVersion = found.version;
