// Import resolution: the files a schema's `import … from "FILE"` names, each read, parsed and
// checked once per program (its own imports first), with missing files and cycles as located
// diagnostics. The checker then sees only checked models (check/declarations.ts takes the names).

import { hasErrors, type Diagnostic } from "../diagnostics/diagnostic.js";
import { Diagnostics } from "../diagnostics/diagnostic.js";
import { parseSchema, type ParseResult } from "../grammar/index.js";
import { checkSchema, type ResolvedImport } from "./check/index.js";
import { importedSchemaPath, readSchemaFile } from "./codec-modules.js";
import type { SchemaModel } from "./model.js";
import { importOrder } from "./import-order.js";

/** The text of a schema file, or undefined when it cannot be read. */
export type SchemaReader = (path: string) => string | undefined;

export interface CheckedFile {
  readonly file: string;
  readonly text: string;
  /** Absent when the file has a syntax error or one of its imports failed. */
  readonly model: SchemaModel | undefined;
  /** The file's own diagnostics (those of the files it imports are theirs). */
  readonly diagnostics: readonly Diagnostic[];
  /** The files its imports name, directly. */
  readonly imports: readonly string[];
}

/** Checks schemas and the files they import, each file once. */
export class SchemaProgram {
  private readonly files = new Map<string, CheckedFile>();

  constructor(
    private readonly read: SchemaReader = readSchemaFile,
    /** Runs on every checked model without errors (the codec verifier). */
    private readonly extraCheck?: (model: SchemaModel) => Diagnostic[],
  ) {}

  /** Checks `text` as the file `file`, reading the files it imports. */
  check(text: string, file: string): CheckedFile {
    return this.checkFile(text, file, []);
  }

  /** The same for a text already parsed (the language server parses incrementally). */
  checkParsed(parsed: ParseResult, text: string, file: string): CheckedFile {
    return this.checkFile(text, file, [], parsed);
  }

  /** `file` and every file it imports, transitively, each once, imports first. */
  closure(file: string): CheckedFile[] {
    return importOrder(file, (f) => this.files.get(f)?.imports).map((f) => this.files.get(f)!);
  }

  private checkFile(
    text: string,
    file: string,
    importers: readonly string[],
    parsed: ParseResult = parseSchema(text, file),
  ): CheckedFile {
    const diagnostics = [...parsed.diagnostics];
    const imports: string[] = [];
    const done = (model: SchemaModel | undefined): CheckedFile => {
      const checked = { file, text, model, diagnostics, imports };
      this.files.set(file, checked);
      return checked;
    };
    if (!parsed.schema) return done(undefined);

    const resolved: ResolvedImport[] = [];
    let failed = false;
    for (const item of parsed.schema.items) {
      if (item.kind !== "import") continue;
      const spec = item.from.value;
      const at = item.from.span;
      if (!spec.endsWith(".vmstate")) {
        diagnostics.push(Diagnostics.ImportOfVmstateFile(spec).at(at));
        failed = true;
        continue;
      }
      const path = importedSchemaPath(file, spec);
      const chain = [...importers, file];
      const cycleStart = chain.indexOf(path);
      if (cycleStart !== -1) {
        const cycle = [...chain.slice(cycleStart), path].join(" → ");
        diagnostics.push(Diagnostics.ImportCycle(cycle).at(at));
        failed = true;
        continue;
      }
      imports.push(path);
      let checked = this.files.get(path);
      if (!checked) {
        const importedText = this.read(path);
        if (importedText === undefined) {
          diagnostics.push(Diagnostics.ImportUnreadable(spec, path).at(at));
          failed = true;
          continue;
        }
        checked = this.checkFile(importedText, path, chain);
      }
      const errors = this.closure(path).reduce(
        (n, f) => n + f.diagnostics.filter((d) => d.severity === "error").length,
        0,
      );
      if (!checked.model || errors > 0) {
        diagnostics.push(Diagnostics.ImportHasErrors(spec, errors).at(at));
        failed = true;
        continue;
      }
      resolved.push({ decl: item, file: path, model: checked.model });
    }
    if (failed) return done(undefined);

    const result = checkSchema(parsed.schema, resolved);
    diagnostics.push(...result.diagnostics);
    if (this.extraCheck && !hasErrors(diagnostics))
      diagnostics.push(...this.extraCheck(result.model));
    return done(result.model);
  }
}
