// The last check of generated code: it must compile. Everything `check` accepts is meant to give
// code that TypeScript accepts under the strictest options users build with; a module that does not
// is a bug of the generator, reported against the schema (VMS8005) so that nothing is written.

import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { codeRoot } from "../package-root.js";
import { Project, ts } from "ts-morph";
import { Diagnostics, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { Span } from "../../diagnostics/span.js";

/** runtime/ beside generator/: in the source tree (index.ts) and in dist/ (index.d.ts). */
const runtimeFolder = join(codeRoot, "runtime");
/** Imported by its `.js` name, which TypeScript resolves to either. */
const runtimeIndex = join(runtimeFolder, "index.js");
/** What a path mapping names: the file TypeScript reads (it looks for no declaration beside a `.js`). */
const runtimeDeclarations = existsSync(join(runtimeFolder, "index.ts"))
  ? join(runtimeFolder, "index.ts")
  : join(runtimeFolder, "index.d.ts");

const projects = new Map<string, Project>();

/**
 * One project per runtime specifier and process: creating one loads TypeScript's library files. A
 * bare specifier (`vmstate-dsl/runtime`) resolves to this package's runtime for the generated module
 * and for codec modules alike.
 */
function projectFor(runtimeImport: string): Project {
  const known = projects.get(runtimeImport);
  if (known) return known;
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
      ...(isPath(runtimeImport) ? {} : { paths: { [runtimeImport]: [runtimeDeclarations] } }),
    },
  });
  projects.set(runtimeImport, project);
  return project;
}

function isPath(specifier: string): boolean {
  return specifier.startsWith(".") || specifier.startsWith("/");
}

/** Whether a runtime given by path is there, seen from the output file, as TypeScript would find it. */
function runtimeThere(outputName: string, specifier: string): boolean {
  const target = resolve(dirname(outputName), specifier);
  const stem = target.replace(/\.(m?js)$/, "");
  return [target, `${stem}.ts`, `${stem}.d.ts`, `${stem}.mts`, `${stem}.d.mts`].some((f) =>
    existsSync(f),
  );
}

/**
 * Type-checks a generated module as if it were at `outputName`, so that hand-written codec modules
 * resolve from there as they will, and so does a runtime import by path when there is a runtime
 * there. A bare runtime specifier (`vmstate-dsl/runtime`), or a path where a build will only later
 * put a copy, is checked against this package's runtime: where the runtime lives is the user's
 * build's business, what the code does with it is the generator's.
 * Returns one VMS8005 per TypeScript error, placed at `schemaSpan`.
 */
export function compileModule(
  outputName: string,
  code: string,
  runtimeImport: string,
  schemaSpan: Span,
  companions: readonly CompanionModule[] = [],
): Diagnostic[] {
  const p = projectFor(runtimeImport);
  const companionPaths = new Set(companions.map((c) => resolve(c.path).replace(/\.m?ts$/, "")));
  const add = (path: string, text: string, runtime: string) =>
    // As an ES module wherever it goes (`.mts`), whatever the package.json beside it says.
    p.createSourceFile(
      resolve(path).replace(/\.ts$/, ".mts"),
      asChecked(path, text, runtime, companionPaths),
      { overwrite: true },
    );
  const others = companions.map((c) => add(c.path, c.code, c.runtimeImport));
  const file = add(outputName, code, runtimeImport);
  try {
    p.resolveSourceFileDependencies();
    return file.getPreEmitDiagnostics().map((d) => {
      const start = d.getStart();
      const at =
        start === undefined
          ? ""
          : ` (line ${file.getLineAndColumnAtPos(start).line} of the generated module)`;
      const text = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, " ");
      return Diagnostics.GeneratedCodeDoesNotCompile(`TS${d.getCode()}${at}: ${text}`).at(
        schemaSpan,
      );
    });
  } finally {
    for (const f of [file, ...others]) p.removeSourceFile(f);
  }
}

/** The generated module of an imported schema, which the module being checked imports. */
export interface CompanionModule {
  readonly path: string;
  readonly code: string;
  readonly runtimeImport: string;
}

/**
 * The text TypeScript checks for a module at `path`: a runtime path where nothing is yet (a build
 * will copy it there) is replaced by this package's runtime, and imports of companion modules
 * name their `.mts` copies.
 */
function asChecked(
  path: string,
  code: string,
  runtimeImport: string,
  companions: ReadonlySet<string>,
): string {
  const runtimeFrom = ` from ${JSON.stringify(runtimeImport)};`;
  const moved = isPath(runtimeImport) && !runtimeThere(path, runtimeImport);
  return code
    .split("\n")
    .map((line) => {
      if (!/^(import |\} from )/.test(line)) return line;
      if (moved && line.endsWith(runtimeFrom))
        return line.slice(0, -runtimeFrom.length) + ` from ${JSON.stringify(runtimeIndex)};`;
      const m = / from "(\.[^"]*)\.js";$/.exec(line);
      if (m && companions.has(resolve(dirname(path), m[1]!)))
        return line.slice(0, -m[0].length) + ` from "${m[1]}.mjs";`;
      return line;
    })
    .join("\n");
}
