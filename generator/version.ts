// The generator's version, from the package's manifest: generated headers name it.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

function manifestVersion(): string {
  // generator/ in the source tree, dist/generator/ when compiled: the manifest is above either.
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest))
      return (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
    if (dirname(dir) === dir) return "unknown";
  }
}

export const GENERATOR_VERSION = manifestVersion();
