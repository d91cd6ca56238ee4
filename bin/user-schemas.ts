// The user's schemas for the stream tools: each one checked, generated and compiled to JavaScript on
// first use, and kept in the user's cache folder under the hash of everything its code depends on,
// so that later runs import the compiled module and load no compiler, as with the shipped schemas.

import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CodecModule } from "../stream/codecs.js";
import { StreamError } from "../stream/format.js";
import { compilerBuild, referencedModules, sha256 } from "./commands/gen-cache.js";
import { currentText, readText, schemaFiles, writeAtomically } from "./io.js";

/** The compiled package: dist/bin/user-schemas.js → one folder up. */
const compiledRoot = resolve(fileURLToPath(import.meta.url), "..", "..");
const packageRoot = resolve(compiledRoot, "..");
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
  const build = compilerBuild(packageRoot, compiledRoot);
  const modules: CodecModule[] = [];
  for (const folder of folders) {
    const files = schemaFiles(folder);
    if (files.length === 0) throw new StreamError(`no .vmstate files in '${folder}'`);
    for (const file of files.map((f) => resolve(f))) {
      const text = readText(file);
      // The absolute path is part of the key: codec modules are imported relative to the schema.
      const key = sha256(JSON.stringify([build, file, text, referencedModules(file, text)]));
      const modulePath = join(dir, `${key}.mjs`);
      if (currentText(modulePath) === undefined) await compile(file, text, join(dir, `${key}.ts`));
      modules.push({ schemaFile: file, modulePath });
    }
  }
  return modules;
}

/** Checks, generates and transpiles one schema into `<outputName without .ts>.mjs`. */
async function compile(file: string, text: string, outputName: string): Promise<void> {
  const [{ generate }, { ts }] = await Promise.all([
    import("../generator/index.js"),
    import("ts-morph"),
  ]);
  const result = await generate(text, file, {
    sourceName: file,
    outputName,
    runtimeImport: runtimeModule,
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
  writeAtomically(outputName.replace(/\.ts$/, ".mjs"), js);
}
