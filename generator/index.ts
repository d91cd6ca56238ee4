// The pipeline as plain functions: schema text → diagnostics and, when clean, a verified module.
//
//   parse (grammar/) → check (check/) → plan (plan/) → emit (emit/) → format → verify (verify/)

import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { parseSchema } from "../grammar/index.js";
import { checkSchema } from "./check/index.js";
import type { SchemaModel } from "./model.js";
import { planSchema, type SchemaPlan } from "./plan/plan.js";

export interface CheckResult {
  readonly diagnostics: Diagnostic[];
  readonly model: SchemaModel | undefined;
}

/** Parses and checks one schema. */
export function checkText(text: string, file: string): CheckResult {
  const parsed = parseSchema(text, file);
  if (!parsed.schema) return { diagnostics: sortDiagnostics(parsed.diagnostics), model: undefined };
  const checked = checkSchema(parsed.schema);
  return { diagnostics: sortDiagnostics([...parsed.diagnostics, ...checked.diagnostics]), model: checked.model };
}

export interface GenerateOptions {
  /** Name of the schema in the generated header. */
  readonly sourceName: string;
  /** Path of the generated file, for diagnostics of the verifier. */
  readonly outputName: string;
  readonly runtimeImport: string;
}

export interface GenerateResult {
  readonly diagnostics: Diagnostic[];
  /** The generated module; absent when there is any error. */
  readonly code: string | undefined;
  readonly plan: SchemaPlan | undefined;
}

/** Checks, plans, emits, formats and verifies one schema. */
export async function generate(text: string, file: string, options: GenerateOptions): Promise<GenerateResult> {
  const checked = checkText(text, file);
  if (!checked.model || hasErrors(checked.diagnostics)) return { diagnostics: checked.diagnostics, code: undefined, plan: undefined };
  const plan = planSchema(checked.model);
  const { emitModule, formatTypeScript, verifyModule } = await backEnd();
  const code = await formatTypeScript(emitModule(plan, { sourceName: options.sourceName, runtimeImport: options.runtimeImport }));
  const pairs = plan.functions.map((f) => ({ save: f.saveName, load: f.loadName }));
  const verified = verifyModule(options.outputName, code, pairs);
  const diagnostics = sortDiagnostics([...checked.diagnostics, ...verified]);
  return { diagnostics, code: hasErrors(verified) ? undefined : code, plan };
}

/**
 * Emission, formatting and verification load ts-morph (the TypeScript compiler) and prettier, most
 * of a second: only generating code needs them, so checking, stream tools and a `gen` whose outputs
 * are all up to date never load them.
 */
async function backEnd(): Promise<{
  emitModule: typeof import("./emit/module.js").emitModule;
  formatTypeScript: typeof import("./format.js").formatTypeScript;
  verifyModule: typeof import("./verify/index.js").verifyModule;
}> {
  const [emit, format, verify] = await Promise.all([import("./emit/module.js"), import("./format.js"), import("./verify/index.js")]);
  return { emitModule: emit.emitModule, formatTypeScript: format.formatTypeScript, verifyModule: verify.verifyModule };
}
