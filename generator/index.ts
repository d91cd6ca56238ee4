// The pipeline as plain functions: schema text → diagnostics and, when clean, a verified module.
//
//   parse (grammar/) → check (check/) → plan (plan/) → emit (emit/) → format → verify (verify/)

import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { readCodecModule } from "./codec-modules.js";
import {
  checkProgram,
  checkSchemaText,
  type CheckProgram,
  type CheckResult,
} from "./check-text.js";
import { planSchema, type SchemaPlan } from "./plan/plan.js";
import { tooLongToGenerate } from "./emit/expressions.js";
import { verifyCodecs, type ModuleReader } from "./verify/codecs.js";
import { verifyModule } from "./verify/index.js";
import { compileModule } from "./verify/compile.js";
import { LineMap, type Span } from "../diagnostics/span.js";
import { importedModulePath, rebaseRuntime } from "./module-paths.js";
import type { SchemaModel } from "./model.js";

export type { CheckResult } from "./check-text.js";

/**
 * Parses and checks one schema. Hand-written codecs are read from disk (or through `readModule`)
 * and their save/load pair verified too, so `vmstate check` refuses a pair that disagrees.
 */
export function checkText(
  text: string,
  file: string,
  readModule: ModuleReader = readCodecModule,
  program?: CheckProgram,
): CheckResult {
  return checkSchemaText(text, file, {
    verifyCodecs: (model, modules) => verifyCodecs(model, readModule, modules),
    ...(program ? { program } : {}),
  });
}

/** A program for the checks of one run (`checkText`'s last argument), verifying codecs. */
export function codecCheckingProgram(readModule: ModuleReader = readCodecModule): CheckProgram {
  return checkProgram({
    verifyCodecs: (model, modules) => verifyCodecs(model, readModule, modules),
  });
}

export interface GenerateOptions {
  /** Name of the schema in the generated header. */
  readonly sourceName: string;
  /** Path of the generated file, for diagnostics of the verifier. */
  readonly outputName: string;
  readonly runtimeImport: string;
  /**
   * Where the module of each imported schema goes (`.ts`, or `.mts` for one imported as `.mjs`);
   * by default beside this one as the schemas lie beside each other.
   */
  readonly moduleOf?: (schemaFile: string) => string;
}

export interface GenerateResult {
  readonly diagnostics: Diagnostic[];
  /** Texts of the hand-written codec modules read, for code frames. */
  readonly modules: Map<string, string>;
  /** The generated module; absent when there is any error. */
  readonly code: string | undefined;
  readonly plan: SchemaPlan | undefined;
}

/** Checks, plans, emits, formats and verifies one schema. */
export async function generate(
  text: string,
  file: string,
  options: GenerateOptions,
): Promise<GenerateResult> {
  const checked = checkText(text, file);
  if (!checked.model || hasErrors(checked.diagnostics))
    return {
      diagnostics: checked.diagnostics,
      code: undefined,
      plan: undefined,
      modules: checked.modules,
    };
  const plan = planSchema(checked.model);
  const tooLong = tooLongToGenerate(plan);
  if (tooLong.length > 0)
    return {
      diagnostics: sortDiagnostics([...checked.diagnostics, ...tooLong]),
      code: undefined,
      plan,
      modules: checked.modules,
    };
  const { emitModule, formatTypeScript } = await backEnd();
  const moduleOf =
    options.moduleOf ?? ((f: string) => importedModulePath(file, options.outputName, f));
  const emit = (model: SchemaModel, sourceName: string, outputPath: string): Promise<string> =>
    formatTypeScript(
      emitModule(model === checked.model ? plan : planSchema(model), {
        sourceName,
        runtimeImport: rebaseRuntime(options.runtimeImport, options.outputName, outputPath),
        outputPath,
        moduleOf,
      }),
    );
  const code = await emit(checked.model, options.sourceName, options.outputName);
  const pairs = plan.functions.map((f) => ({ save: f.saveName, load: f.loadName }));
  const verified = verifyModule(options.outputName, code, pairs);
  // Only code that compiles is written (generator/verify/compile.ts).
  if (!hasErrors(verified)) {
    const schemaSpan = lineSpan(file, text);
    // The modules of the imported schemas, as their own generation writes them, for their types.
    const companions = [];
    for (const f of checked.imported) {
      const path = moduleOf(f.file);
      const runtimeImport = rebaseRuntime(options.runtimeImport, options.outputName, path);
      companions.push({ path, runtimeImport, code: await emit(f.model!, f.file, path) });
    }
    verified.push(
      ...compileModule(options.outputName, code, options.runtimeImport, schemaSpan, companions),
    );
  }
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...verified]);
  return {
    diagnostics,
    code: hasErrors(verified) ? undefined : code,
    plan,
    modules: checked.modules,
  };
}

/**
 * Emission (ts-morph's printer) and formatting (prettier) take a good part of a second to load:
 * only generating code needs them. The verifier, which `checkText` needs for hand-written codecs,
 * loads the TypeScript compiler with this module; the stream tools use check-text.ts and a `gen`
 * whose outputs are all up to date loads neither (bin/commands/gen.ts).
 */
async function backEnd(): Promise<{
  emitModule: typeof import("./emit/module.js").emitModule;
  formatTypeScript: typeof import("./format.js").formatTypeScript;
}> {
  const [emit, format] = await Promise.all([import("./emit/module.js"), import("./format.js")]);
  return { emitModule: emit.emitModule, formatTypeScript: format.formatTypeScript };
}

/** The first line of a schema, where a fault of the whole generated module is reported. */
function lineSpan(file: string, text: string): Span {
  const end = text.indexOf("\n");
  return new LineMap(file, text).span(0, end === -1 ? text.length : end);
}
