// `npm run build`, second step: bundles the CLI (bin/vmstate.ts and everything it imports, chevrotain
// included) into dist/bin/vmstate.js and its lazily loaded chunks, so that a command resolves and
// reads a few files instead of some hundred modules. The runtime stays outside the bundle, one copy
// shared with the generated and hand-written codec modules the stream commands load (their
// LoadError is the CLI's); the big libraries a command loads only when it needs them (TypeScript,
// ts-morph, prettier) and the language server's CommonJS packages stay in node_modules.
// The shipped schemas' generated modules (dist/generated/*.js, which tsc wrote) are bundled too, into
// dist/bin/shipped-codecs.js, one namespace per module: the stream commands import one file instead
// of some forty. dist/bin/bundle-inputs.json lists the sources each output file holds (the tests use
// it to tell which modules a command loaded).

import { build } from "esbuild";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";

const root = join(import.meta.dirname, "..");
const out = join(root, "dist", "bin");
const runtime = join(root, "runtime") + sep;

// The files of an earlier build, as its bundle-inputs.json lists them: their names carry hashes, so
// a new build would leave them beside its own.
const listing = join(out, "bundle-inputs.json");
if (existsSync(listing))
  for (const name of Object.keys(JSON.parse(readFileSync(listing, "utf8"))))
    for (const file of [name, `${name}.map`]) rmSync(join(out, file), { force: true });

/** Imports of runtime/ files, from the sources, become imports of dist/runtime/ from dist/bin/. */
const runtimeOutside = {
  name: "runtime-outside",
  setup(b) {
    b.onResolve({ filter: /\/runtime\/[^/]+\.js$/ }, (args) => {
      const target = join(args.resolveDir, args.path);
      if (!target.startsWith(runtime) || dirname(target) + sep !== runtime) return undefined;
      const path = relative(out, join(root, "dist", "runtime", basename(target)));
      return { path: path.split(sep).join("/"), external: true };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  metafile: true,
  entryPoints: { vmstate: join(root, "bin", "vmstate.ts") },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  external: [
    "typescript",
    "ts-morph",
    "prettier",
    "prettier/*",
    "vscode-languageserver",
    "vscode-languageserver/*",
    "vscode-languageserver-textdocument",
  ],
  plugins: [runtimeOutside],
  logLevel: "warning",
});

// The shipped codecs: `export * as "NAME" from "./NAME.js"` (in dist/generated/) for each module, whose runtime
// imports (`../runtime/X.js`) stay as they are: dist/bin/ is beside dist/generated/.
const generated = join(root, "dist", "generated");
const modules = readdirSync(generated)
  .filter((f) => f.endsWith(".js"))
  .sort();
const codecs = await build({
  absWorkingDir: root,
  metafile: true,
  stdin: {
    contents: modules
      .map((f) => `export * as ${JSON.stringify(basename(f, ".js"))} from "./${f}";`)
      .join("\n"),
    resolveDir: generated,
    sourcefile: "shipped-codecs.js", // the entry: not a source of its own
  },
  outfile: join(out, "shipped-codecs.js"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["../runtime/*"],
  logLevel: "warning",
});

/** Output file (its name in dist/bin) → the sources in it, relative to the package root. */
const inputs = {};
for (const [output, { inputs: held }] of [
  ...Object.entries(result.metafile.outputs),
  ...Object.entries(codecs.metafile.outputs),
])
  if (output.endsWith(".js"))
    inputs[basename(output)] = Object.keys(held)
      .filter((source) => !source.endsWith("/shipped-codecs.js"))
      .sort();
writeFileSync(join(out, "bundle-inputs.json"), JSON.stringify(inputs, null, 1) + "\n");
