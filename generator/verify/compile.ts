// The last check of generated code: it must compile. Everything `check` accepts is meant to give
// code that TypeScript accepts under the strictest options users build with; a module that does not
// is a bug of the generator, reported against the schema (VMS8005) so that nothing is written.

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Project, ts } from "ts-morph";
import { diagnostic, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";

/**
 * runtime/ beside generator/, in the source tree (index.ts) and in dist/ (index.d.ts), imported by
 * an absolute path with its `.js` name, which TypeScript resolves to either.
 */
const runtimeIndex = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "runtime",
  "index.js",
);

let shared: Project | undefined;

/** One project per process: creating it loads TypeScript's library files. */
function project(): Project {
  shared ??= new Project({
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
    },
  });
  return shared;
}

/**
 * Type-checks a generated module as if it were at `outputName`, so that hand-written codec modules
 * resolve from there as they will. Its runtime import, whatever the specifier (`vmstate-dsl/runtime`,
 * or a path where a build will put a copy), is checked against this package's runtime: where the
 * runtime lives is the user's build's business, what the code does with it is the generator's.
 * Returns one VMS8005 per TypeScript error, placed at `schemaSpan`.
 */
export function compileModule(
  outputName: string,
  code: string,
  runtimeImport: string,
  schemaSpan: Span,
): Diagnostic[] {
  const p = project();
  // As an ES module wherever it goes (`.mts`), whatever the package.json beside it says.
  const path = resolve(outputName).replace(/\.ts$/, ".mts");
  const runtimeFrom = ` from ${JSON.stringify(runtimeImport)};`;
  const checked = code
    .split("\n")
    .map((line) =>
      /^(import |\} from )/.test(line) && line.endsWith(runtimeFrom)
        ? line.slice(0, -runtimeFrom.length) + ` from ${JSON.stringify(runtimeIndex)};`
        : line,
    )
    .join("\n");
  const file = p.createSourceFile(path, checked, { overwrite: true });
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
