// Schema text → diagnostics and, when clean, the checked model: parsing and checking only (with the
// files it imports), without the emitter (ts-morph) and the formatter (prettier), for the stream
// tools and the fuzzer. Hand-written codecs are verified only when the caller passes the verifier
// (generator/index.ts does): it needs ts-morph.

import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { SchemaProgram, type CheckedFile, type SchemaReader } from "./imports.js";
import type { SchemaModel } from "./model.js";

export interface CheckResult {
  /** The schema's diagnostics, then those of the files it imports (each file's once per program). */
  readonly diagnostics: Diagnostic[];
  readonly model: SchemaModel | undefined;
  /** No errors in the schema or the files it imports (some may have been reported before). */
  readonly clean: boolean;
  /** Texts of the hand-written codec modules and imported schemas read, for code frames. */
  readonly modules: Map<string, string>;
  /** The files the schema imports, transitively, imports first. */
  readonly imported: readonly CheckedFile[];
}

export interface CheckOptions {
  /** Verifies the schema's hand-written codecs, filling `modules` with the texts it read. */
  readonly verifyCodecs?: (model: SchemaModel, modules: Map<string, string>) => Diagnostic[];
  /** Reads imported schemas (default: from disk; the language server reads open documents first). */
  readonly readSchema?: SchemaReader;
  /**
   * Shared by the checks of one run, so that a file several schemas import is checked once and its
   * diagnostics are reported once.
   */
  readonly program?: CheckProgram;
}

/** The imported files checked in one run, and those whose diagnostics are already reported. */
export interface CheckProgram {
  readonly program: SchemaProgram;
  readonly reported: Set<string>;
  readonly modules: Map<string, string>;
}

/** A program for the checks of one run. */
export function checkProgram(options: Omit<CheckOptions, "program"> = {}): CheckProgram {
  const modules = new Map<string, string>();
  const verify = options.verifyCodecs;
  return {
    program: new SchemaProgram(options.readSchema, verify && ((model) => verify(model, modules))),
    reported: new Set(),
    modules,
  };
}

/** Parses and checks one schema and the files it imports. */
export function checkSchemaText(
  text: string,
  file: string,
  options: CheckOptions = {},
): CheckResult {
  const run = options.program ?? checkProgram(options);
  const checked = run.program.check(text, file);
  const imported = run.program.closure(file).filter((f) => f.file !== file);
  // A file an earlier schema of the run imported has had its diagnostics reported.
  const diagnostics = run.reported.has(file) ? [] : [...checked.diagnostics];
  run.reported.add(file);
  for (const f of imported) {
    run.modules.set(f.file, f.text);
    if (run.reported.has(f.file)) continue;
    run.reported.add(f.file);
    diagnostics.push(...f.diagnostics);
  }
  const clean =
    checked.model !== undefined &&
    [checked, ...imported].every((f) => !hasErrors([...f.diagnostics]));
  return {
    diagnostics: sortDiagnostics(diagnostics),
    model: checked.model,
    clean,
    modules: run.modules,
    imported,
  };
}
