// The last check of generated code: it must compile. Everything `check` accepts is meant to give
// code that TypeScript accepts under the strictest options users build with; a module that does not
// is a bug of the generator, reported against the schema (VMS8005) so that nothing is written.

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Project, ts } from "ts-morph";
import { diagnostic, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";

/** runtime/ beside generator/, in the source tree and in dist/ alike (its index.ts or index.d.ts). */
const runtimeIndex = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "runtime",
  "index.js",
);

const projects = new Map<string, Project>();

/**
 * One project per runtime specifier and process: creating one loads TypeScript's library files. A
 * bare specifier (`vmstate-dsl/runtime`) resolves to this package's runtime for the generated module
 * and for codec modules alike; a relative one resolves on disk, as it will when the module runs.
 */
function projectFor(runtimeImport: string): Project {
  const known = projects.get(runtimeImport);
  if (known) return known;
  const bare = !runtimeImport.startsWith(".") && !runtimeImport.startsWith("/");
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    compilerOptions: {
      target: ts.ScriptTarget.ES2023,
      lib: ["lib.es2023.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitOverride: true,
      noImplicitReturns: true,
      noFallthroughCasesInSwitch: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
      skipLibCheck: true,
      types: [],
      noEmit: true,
      ...(bare ? { paths: { [runtimeImport]: [runtimeIndex] } } : {}),
    },
  });
  projects.set(runtimeImport, project);
  return project;
}

/**
 * Type-checks a generated module as if it were at `outputName`: hand-written codec modules and a
 * relative runtime import resolve from there as they will. Returns one VMS8005 per TypeScript
 * error, placed at `schemaSpan`.
 */
export function compileModule(
  outputName: string,
  code: string,
  runtimeImport: string,
  schemaSpan: Span,
): Diagnostic[] {
  const p = projectFor(runtimeImport);
  // As an ES module wherever it goes (`.mts`), whatever the package.json beside it says.
  const path = resolve(outputName).replace(/\.ts$/, ".mts");
  const file = p.createSourceFile(path, code, { overwrite: true });
  try {
    p.resolveSourceFileDependencies();
    return file.getPreEmitDiagnostics().map((d) => {
      const start = d.getStart();
      const at =
        start === undefined
          ? ""
          : ` (line ${file.getLineAndColumnAtPos(start).line} of the generated module)`;
      const text = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, " ");
      return diagnostic("VMS8005", schemaSpan, [`TS${d.getCode()}${at}: ${text}`]);
    });
  } finally {
    p.removeSourceFile(file);
  }
}
