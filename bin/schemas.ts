// The schema files a command works on: read, checked (hand-written codecs verified) and planned,
// with every text read kept for code frames. The codec verifier needs the TypeScript compiler, so
// it is loaded only when some schema declares a codec.

import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics/diagnostic.js";
import { checkProgram, checkSchemaText } from "../generator/check-text.js";
import type { SchemaFile } from "../generator/compat/index.js";
import type { SchemaModel } from "../generator/model.js";
import { planSchema } from "../generator/plan/plan.js";
import { readText } from "./io.js";

/**
 * Checks each file, adding its diagnostics to `diagnostics` and its text (and those of its codec
 * modules and imports) to `sources`; returns the plans of the files without errors.
 */
export async function planSchemaFiles(
  files: readonly string[],
  sources: Map<string, string>,
  diagnostics: Diagnostic[],
): Promise<SchemaFile[]> {
  // One program: a file that several schemas import is checked, and reported, once.
  const program = checkProgram();
  const checked = files.map((file) => {
    const text = readText(file);
    sources.set(file, text);
    return { file, text, result: checkSchemaText(text, file, { program }) };
  });
  for (const [path, text] of program.modules) sources.set(path, text);

  // Each clean model with codecs, once (imported files included), verified as `gen` verifies it.
  const withCodecs = new Map<string, SchemaModel>();
  for (const { result } of checked)
    if (result.clean)
      for (const m of [result.model!, ...result.imported.map((f) => f.model!)])
        if (m.codecs.length > 0) withCodecs.set(m.file, m);
  const codecErrors = new Set<string>();
  if (withCodecs.size > 0) {
    const [{ verifyCodecs }, { readCodecModule }] = await Promise.all([
      import("../generator/verify/codecs.js"),
      import("../generator/codec-modules.js"),
    ]);
    for (const model of withCodecs.values()) {
      const found = sortDiagnostics(verifyCodecs(model, readCodecModule, sources));
      diagnostics.push(...found);
      if (hasErrors(found)) codecErrors.add(model.file);
    }
  }

  const planned: SchemaFile[] = [];
  for (const { file, text, result } of checked) {
    diagnostics.push(...result.diagnostics);
    const files = [file, ...result.imported.map((f) => f.file)];
    if (result.clean && !files.some((f) => codecErrors.has(f)))
      planned.push({ file, text, plan: planSchema(result.model!) });
  }
  return planned;
}
