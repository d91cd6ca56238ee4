// The cache of `vmstate gen`: for each input it has generated, the hash of the output, keyed by
// everything the output depends on (the schema text, its name, the output path, the runtime
// import, the hand-written codec modules it names, the schemas it imports and their codec modules,
// and the compiler's own build). An input whose key is known and whose output file still
// has that hash is up to date without being checked, emitted, formatted or verified again.

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  codecModulePath,
  codecSpecifiers,
  readCodecModule,
} from "../../generator/codec-modules.js";
import { writeAtomically } from "../io.js";

const FORMAT = 1;
/** Entries kept: the most recently used ones, enough for many output folders. */
const MAX_ENTRIES = 500;

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The compiler's build: every compiled file that turns a schema into code (grammar, checker,
 * plan, emitter, formatter options, verifier, diagnostics), the CLI bundle in bin/ that carries a
 * copy of them (scripts/bundle-cli.js), and the pinned versions of ts-morph and prettier in
 * package.json. Any change to them makes every key new.
 */
export function compilerBuild(packageRoot: string, compiledRoot: string): string {
  const hash = createHash("sha256");
  const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as {
    dependencies?: unknown;
  };
  hash.update(JSON.stringify(manifest.dependencies ?? null));
  for (const folder of ["bin", "grammar", "diagnostics", "generator"]) {
    for (const file of filesUnder(join(compiledRoot, folder))) {
      hash.update(`\0${file.slice(compiledRoot.length)}\0`);
      hash.update(readFileSync(file));
    }
  }
  return hash.digest("hex");
}

/** `.js` files under a folder, depth first, in a fixed order. */
function filesUnder(folder: string): string[] {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return entries.flatMap((e) =>
    e.isDirectory()
      ? filesUnder(join(folder, e.name))
      : e.name.endsWith(".js")
        ? [join(folder, e.name)]
        : [],
  );
}

/**
 * The text of each hand-written codec module the schema declares, found and read as the verifier
 * finds and reads it (null when it cannot be): a codec module that changed must be verified again.
 */
export function referencedModules(
  schemaFile: string,
  schemaText: string,
): [string, string | null][] {
  return [...new Set(codecSpecifiers(schemaText))]
    .sort()
    .map((spec) => [spec, readCodecModule(codecModulePath(schemaFile, spec)) ?? null]);
}

export interface GenInput {
  /** The schema's path, which codec modules are found from. */
  readonly schemaFile: string;
  readonly schemaText: string;
  readonly sourceName: string;
  readonly outputName: string;
  readonly runtimeImport: string;
  /** The schemas it imports, transitively: the output depends on their declarations. */
  readonly imported: readonly { readonly file: string; readonly text: string }[];
}

export class GenCache {
  private readonly entries: Map<string, string>;
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly build: string,
  ) {
    this.entries = new Map(readEntries(file));
  }

  /** The cache in `folder`; a missing or unreadable cache file is an empty cache. */
  static open(folder: string, build: string): GenCache {
    return new GenCache(join(folder, "gen.json"), build);
  }

  key(input: GenInput): string {
    return sha256(
      JSON.stringify([
        this.build,
        input.sourceName,
        input.outputName,
        input.runtimeImport,
        input.schemaText,
        referencedModules(input.schemaFile, input.schemaText),
        input.imported.map((i) => [i.file, i.text, referencedModules(i.file, i.text)]),
      ]),
    );
  }

  /** The hash of the output generated for `key`, if it is known. */
  outputHash(key: string): string | undefined {
    return this.entries.get(key);
  }

  record(key: string, code: string): void {
    this.entries.delete(key);
    this.entries.set(key, sha256(code));
    this.changed = true;
  }

  /** Marks a known key as just used, so it is kept longer. */
  touch(key: string): void {
    const hash = this.entries.get(key);
    if (hash === undefined) return;
    this.entries.delete(key);
    this.entries.set(key, hash);
  }

  /** Writes the cache back when something was added; failing to is not an error of `gen`. */
  save(): void {
    if (!this.changed) return;
    const kept = [...this.entries].slice(-MAX_ENTRIES);
    try {
      writeAtomically(
        this.file,
        `${JSON.stringify({ format: FORMAT, entries: Object.fromEntries(kept) })}\n`,
      );
    } catch {
      // A read-only node_modules: the next run generates again.
    }
  }
}

function readEntries(file: string): [string, string][] {
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { format?: unknown; entries?: unknown };
    if (data.format !== FORMAT || typeof data.entries !== "object" || data.entries === null)
      return [];
    return Object.entries(data.entries).filter(
      (e): e is [string, string] => typeof e[1] === "string",
    );
  } catch {
    return [];
  }
}
