// The stream codecs for tests: the package's schemas with their generated modules (TypeScript, run
// by vitest), so the tests see the code in the working tree.

import { join } from "node:path";
import { loadCodecs, type Codecs } from "../../stream/codecs.js";
import { root } from "./compile.js";

let loaded: Promise<Codecs> | undefined;

export function projectCodecs(): Promise<Codecs> {
  loaded ??= loadCodecs(join(root, "schemas"), join(root, "generated"), ".ts");
  return loaded;
}
