// The user's schemas for the stream tools: each one checked, generated and compiled to JavaScript on
// first use, and kept in the user's cache folder under the hash of everything its code depends on,
// so that later runs import the compiled module and load no compiler, as with the shipped schemas.

import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { codeRoot, packageRoot } from "../generator/package-root.js";
import type { CodecModule } from "../stream/codecs.js";
import { StreamError } from "../stream/format.js";
import { compilerBuild, referencedModules, sha256 } from "./commands/gen-cache.js";
import { currentText, readText, schemaFiles, writeAtomically } from "./io.js";
import {
  importedSchemaPath,
  importSpecifiers,
  readSchemaFile,
} from "../generator/codec-modules.js";
import { importOrder } from "../generator/import-order.js";

/** The compiled package (dist/), or the sources when tests run them. */
const compiledRoot = codeRoot;
/** The runtime the compiled modules import, by absolute path. */
const runtimeModule = join(compiledRoot, "runtime", "index.js");

/** Where compiled user schemas are kept: $VMSTATE_CACHE_DIR, else $XDG_CACHE_HOME/vmstate, else ~/.cache/vmstate. */
export function cacheFolder(): string {
  const own = process.env["VMSTATE_CACHE_DIR"];
  if (own) return resolve(own);
  const xdg = process.env["XDG_CACHE_HOME"];
  return join(xdg ? resolve(xdg) : join(homedir(), ".cache"), "vmstate");
}

/** The schemas of these folders with their compiled modules, compiling those not yet cached. */
export async function userCodecModules(folders: readonly string[]): Promise<CodecModule[]> {
  if (folders.length === 0) return [];
  const dir = join(cacheFolder(), "codecs");
  const keys = new SchemaKeys(compilerBuild(packageRoot, compiledRoot));
  const moduleOf = (file: string): string => join(dir, `${keys.of(file)}.mts`);
  const modules: CodecModule[] = [];
  for (const folder of folders) {
    const files = schemaFiles(folder);
    if (files.length === 0) throw new StreamError(`no .vmstate files in '${folder}'`);
    for (const file of files.map((f) => resolve(f))) {
      // The schemas it imports are compiled beside it, each under its own key.
      for (const needed of [...keys.imports(file), file]) {
        const output = moduleOf(needed);
        if (currentText(output.replace(/\.mts$/, ".mjs")) === undefined)
          await compile(needed, keys.text(needed), output, moduleOf);
      }
      modules.push({ schemaFile: file, modulePath: moduleOf(file).replace(/\.mts$/, ".mjs") });
    }
  }
  return modules;
}

/**
 * The cache key of each schema: the hash of everything its code depends on. The absolute path is
 * part of it (codec modules and imports are found relative to the schema), and so are the keys of
 * the schemas it imports.
 */
class SchemaKeys {
  private readonly keys = new Map<string, string>();
  private readonly texts = new Map<string, string>();
  private readonly imported = new Map<string, string[]>();

  constructor(private readonly build: string) {}

  text(file: string): string {
    let text = this.texts.get(file);
    if (text === undefined) this.texts.set(file, (text = readText(file)));
    return text;
  }

  /** The files `file` imports, transitively, imports first (those that can be read). */
  imports(file: string): string[] {
    return importOrder(file, (f) => this.direct(f)).slice(0, -1);
  }

  of(file: string, inProgress = new Set<string>()): string {
    const known = this.keys.get(file);
    if (known !== undefined) return known;
    // A cycle is the checker's error to report; the key only has to be a key.
    if (inProgress.has(file)) return "cycle";
    inProgress.add(file);
    const text = this.text(file);
    const imports = this.direct(file).map((f) => [f, this.of(f, inProgress)]);
    const key = sha256(
      JSON.stringify([this.build, file, text, referencedModules(file, text), imports]),
    );
    inProgress.delete(file);
    this.keys.set(file, key);
    return key;
  }

  private direct(file: string): string[] {
    let files = this.imported.get(file);
    if (files) return files;
    const text = this.texts.get(file) ?? readSchemaFile(file);
    if (text === undefined) return [];
    this.texts.set(file, text);
    files = importSpecifiers(text)
      .filter((spec) => spec.endsWith(".vmstate"))
      .map((spec) => importedSchemaPath(file, spec));
    this.imported.set(file, files);
    return files;
  }
}

/** Checks, generates and transpiles one schema into `<outputName without .mts>.mjs`. */
async function compile(
  file: string,
  text: string,
  outputName: string,
  moduleOf: (file: string) => string,
): Promise<void> {
  const [{ generate }, { ts }] = await Promise.all([
    import("../generator/index.js"),
    import("ts-morph"),
  ]);
  const result = await generate(text, file, {
    sourceName: file,
    outputName,
    runtimeImport: runtimeModule,
    moduleOf,
  });
  const error = result.diagnostics.find((d) => d.severity === "error");
  if (error || result.code === undefined) {
    const where = error ? `${file}:${error.span.line}:${error.span.column}` : file;
    const what = error ? `${error.code}: ${error.message}` : "no code was generated";
    throw new StreamError(
      `the schema ${where} has an error (${what}): run \`vmstate check ${file}\` for all of them`,
    );
  }
  const js = ts.transpileModule(result.code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
    fileName: outputName,
  }).outputText;
  mkdirSync(join(outputName, ".."), { recursive: true });
  writeAtomically(outputName.replace(/\.mts$/, ".mjs"), js);
}
