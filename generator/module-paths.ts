// Where generated modules go and how they name each other: one rule for gen, the emitter and the
// compile check, so that an import in generated code names the file gen writes.

import { dirname, join, relative, resolve, sep } from "node:path";

/** How the module at `from` imports the TypeScript module `target`: relative, by its `.js` name. */
export function moduleSpecifier(from: string, target: string): string {
  const spec = relative(dirname(resolve(from)), resolve(target).replace(/\.(m?)ts$/, ".$1js"))
    .split(sep)
    .join("/");
  return spec.startsWith(".") ? spec : `./${spec}`;
}

/**
 * The module of an imported schema, laid out beside the importer's module as the schema files lie
 * beside each other: `generated/shared/pci.ts` for `schemas/shared/pci.vmstate` imported by
 * `schemas/i440fx.vmstate` generated into `generated/i440fx.ts`.
 */
export function importedModulePath(
  importerFile: string,
  importerOutput: string,
  file: string,
): string {
  return join(dirname(importerOutput), relative(dirname(importerFile), file)).replace(
    /\.vmstate$/,
    ".ts",
  );
}

/**
 * The runtime specifier of a module at `to`, given that of the module at `from`: a relative path
 * names the same file from there; a package name stays.
 */
export function rebaseRuntime(runtimeImport: string, from: string, to: string): string {
  if (!runtimeImport.startsWith(".")) return runtimeImport;
  const target = resolve(dirname(from), runtimeImport);
  const spec = relative(dirname(resolve(to)), target)
    .split(sep)
    .join("/");
  return spec.startsWith(".") ? spec : `./${spec}`;
}
