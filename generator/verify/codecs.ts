// Hand-written codecs: reads each codec's module, finds `save<Name>` and `load<Name>`, checks their
// parameters against the schema, and verifies the pair with the same extractor as generated code.

import { ts } from "ts-morph";
import { Diagnostics, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { SchemaModel } from "../model.js";
import { findFunction } from "./trace.js";
import { verifyModule } from "./index.js";

/** Reads a module's text, or returns undefined when there is no such file. */
export type ModuleReader = (path: string) => string | undefined;

/** Verifies every codec of a schema; `sources` receives the module texts for code frames. */
export function verifyCodecs(
  model: SchemaModel,
  read: ModuleReader,
  sources?: Map<string, string>,
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const codec of model.codecs) {
    const path = codec.modulePath;
    const text = read(path);
    if (text === undefined) {
      diagnostics.push(Diagnostics.CodecModuleUnreadable(codec.name, path).at(codec.moduleSpan));
      continue;
    }
    sources?.set(path, text);
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const save = codec.saveName;
    const load = codec.loadName;
    const missing = [save, load].filter((name) => !findFunction(source, name));
    if (missing.length > 0) {
      diagnostics.push(
        Diagnostics.CodecFunctionsMissing(codec.name, path, missing.join(" or ")).at(
          codec.moduleSpan,
        ),
      );
      continue;
    }
    // save(w, state, params, ...args) and load(r, params, ...args)
    for (const [name, fixed] of [
      [save, 3],
      [load, 2],
    ] as const) {
      const fn = findFunction(source, name)!;
      const expected = fixed + codec.args.length;
      if (fn.parameters.length !== expected) {
        diagnostics.push(
          Diagnostics.CodecParameterCount(
            codec.name,
            name,
            path,
            fn.parameters.length,
            expected,
          ).at(codec.nameSpan),
        );
      }
    }
    diagnostics.push(...verifyModule(path, text, [{ save, load }]));
  }
  return diagnostics;
}
