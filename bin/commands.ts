// The commands of `vmstate`, each declared once: its usage, what it does, its options, and how it
// runs. Each command's modules are imported when it runs: the checker's parser alone takes a good
// part of a second to load, which `gen` with every output up to date does not need.

import { relative } from "node:path";
import { CliError } from "./cli-error.js";
import { command, type CommandSpec, type OptionSpec } from "./command-line.js";
import { findConfig, type ProjectConfig } from "./config.js";
import type { OutputFormat } from "./report.js";

const format = {
  type: "string",
  value: "text|json",
  choices: ["text", "json"],
  description: "how diagnostics are printed (default: text)",
} as const satisfies OptionSpec;

const output = {
  type: "string",
  short: "o",
  value: "FILE",
  description: "write there instead of standard output",
} as const satisfies OptionSpec;

const param = {
  type: "string",
  multiple: true,
  value: "NAME=VALUE",
  description:
    "a parameter of the schemas (e.g. vectors=4), instead of what the\nstream implies; may be repeated",
} as const satisfies OptionSpec;

const schemas = {
  type: "string",
  multiple: true,
  value: "DIR",
  description:
    "a folder of your own schemas, which replace shipped ones of the same\nQEMU name; may be repeated (default: the configuration's schemas)",
} as const satisfies OptionSpec;

const quiet = {
  type: "boolean",
  description: "no progress line on standard error (shown only on a terminal)",
} as const satisfies OptionSpec;

/** `--schemas` folders, else the configuration's, as paths from the working folder. */
function userSchemaFolders(given: readonly string[], config: ProjectConfig | undefined): string[] {
  return given.length > 0 ? [...given] : (config?.schemas ?? []).map(fromWorkingFolder);
}

/**
 * The schemas a command reads: those named on the command line and the `--schemas` folders; with
 * neither, the configuration's folders.
 */
function schemaArguments(positionals: readonly string[], given: readonly string[]): string[] {
  if (positionals.length > 0 || given.length > 0) return [...positionals, ...given];
  return userSchemaFolders([], findConfig());
}

/** A path of the configuration (absolute) as the commands show it: from the working folder. */
function fromWorkingFolder(path: string): string {
  return relative(process.cwd(), path) || ".";
}

const watch = {
  type: "boolean",
  description:
    "run again whenever a schema, a schema of a folder given, or a codec\nmodule a schema names changes; Ctrl-C stops",
} as const satisfies OptionSpec;

function outputFormat(value: string | undefined): OutputFormat {
  return value === "json" ? "json" : "text";
}

export const commands: readonly CommandSpec[] = [
  command({
    name: "check",
    summary: "report every diagnostic of the schemas; exit 1 on any error",
    usage: ["check [FILE|DIR...] [--schemas DIR]... [--format text|json] [--watch]"],
    description:
      "Checks .vmstate schemas (files, or every .vmstate file of a folder; with none named, the\n" +
      "--schemas folders or the configuration's) and prints every diagnostic. Prints nothing and\n" +
      "exits 0 when they are clean, exits 1 when any has an error.",
    positionals: { min: 0, max: Infinity, wrong: "" },
    options: { schemas, format, watch },
    run: async (values, positionals) => {
      const inputs = schemaArguments(positionals, values.schemas);
      if (inputs.length === 0)
        throw new CliError(
          "check needs a schema file or folder (or --schemas DIR, or a vmstate.config.json naming its schemas)",
        );
      const { runCheck } = await import("./commands/check.js");
      const once = (): Promise<number> => {
        const files = schemaArguments(positionals, values.schemas);
        if (files.length === 0) throw new CliError("check: no schemas (see 'vmstate help check')");
        return runCheck(files, outputFormat(values.format));
      };
      if (!values.watch) return runCheck(inputs, outputFormat(values.format));
      const { watchCommand } = await import("./commands/watch.js");
      return watchCommand("check", () => schemaArguments(positionals, values.schemas), once);
    },
  }),
  command({
    name: "gen",
    summary: "generate TypeScript save/load code (default: schemas/ → generated/)",
    usage: [
      "gen [FILE|DIR...] [--schemas DIR]... [--out DIR] [--runtime SPEC] [--no-cache] [--watch]",
      "gen --check",
    ],
    description:
      "Generates one TypeScript module per schema: checked, emitted, verified and formatted. Nothing\n" +
      "is written unless every schema is clean; then every changed file is written, or, when a\n" +
      "write fails, none is. (A process killed between two renames leaves some files new and some\n" +
      "old, and temporary files that the next gen removes as it writes them all again.)\n" +
      "With --check nothing is written: exit 1, naming each stale file, when generated code is out\n" +
      "of date. With no schema named, the --schemas folders, else the configuration's, else schemas/.",
    positionals: { min: 0, max: Infinity, wrong: "" },
    options: {
      out: {
        type: "string",
        value: "DIR",
        description: "the output folder (default: the configuration's out, else generated)",
      },
      schemas,
      check: {
        type: "boolean",
        description: "write nothing; exit 1 and name each stale or missing output",
      },
      runtime: {
        type: "string",
        value: "SPEC",
        description: "the module specifier generated code imports the runtime from",
      },
      "no-cache": {
        type: "boolean",
        description:
          "generate every schema, even those whose output is known to be up to\ndate (the cache is node_modules/.cache/vmstate in the working folder)",
      },
      format,
      watch,
    },
    run: async (values, positionals) => {
      const { runGen } = await import("./commands/gen.js");
      const once = (cache: boolean): Promise<number> => {
        // Read again on every run of --watch: the configuration may have changed.
        const current = findConfig();
        return runGen({
          files: schemaArguments(positionals, values.schemas),
          out:
            values.out ??
            (current?.out === undefined ? "generated" : fromWorkingFolder(current.out)),
          check: values.check,
          format: outputFormat(values.format),
          runtime: values.runtime,
          cache,
        });
      };
      if (!values.watch) return once(!values["no-cache"]);
      if (values.check) throw new CliError("gen: --watch and --check do not go together");
      const { watchCommand } = await import("./commands/watch.js");
      // Without the cache: it does not know the codec modules a schema names.
      return watchCommand(
        "gen",
        () => {
          const files = schemaArguments(positionals, values.schemas);
          return files.length === 0 ? ["schemas"] : files;
        },
        () => once(false),
      );
    },
  }),
  command({
    name: "fmt",
    summary: "rewrite schemas in the canonical layout; --check only names the others",
    usage: ["fmt FILE|DIR... [--check] [--format text|json]"],
    description:
      "Rewrites .vmstate schemas (files, or every .vmstate file of a folder) in the one layout of\n" +
      "docs/language.md, keeping every comment. With --check nothing is written: exit 1, naming each\n" +
      "file that is not in the layout. A file with a syntax error is reported and left as it is.",
    positionals: { min: 1, max: Infinity, wrong: "fmt needs at least one schema file or folder" },
    options: {
      check: { type: "boolean", description: "write nothing; exit 1 and name each file to format" },
      format,
    },
    run: async (values, positionals) => {
      const { runFmt } = await import("./commands/fmt.js");
      return runFmt({
        files: positionals,
        check: values.check,
        format: outputFormat(values.format),
      });
    },
  }),
  command({
    name: "lsp",
    summary: "the language server for editors (LSP over standard input and output)",
    usage: ["lsp [--stdio]"],
    description:
      "Runs a Language Server Protocol server on standard input and output for editors: diagnostics,\n" +
      "hover, definitions, references, rename, completion, symbols, semantic tokens, formatting, quick\n" +
      "fixes and inlay hints (docs/editors.md).",
    positionals: { min: 0, max: 0, wrong: "lsp takes no arguments" },
    options: {
      stdio: {
        type: "boolean",
        description: "talk over standard input and output (the default and only transport)",
      },
    },
    run: async () => {
      const { runLsp } = await import("./commands/lsp.js");
      return runLsp();
    },
  }),
  command({
    name: "decode",
    summary: "a QEMU migration stream as JSON (each section's header and state)",
    usage: [
      "decode STREAM|- [-o FILE] [--param NAME=VALUE]... [--no-schemas] [--quiet]",
      "decode --section NAME BODY [-o FILE]",
    ],
    description:
      "Reads a whole QEMU migration stream (`-`: standard input, as from QEMU's\n" +
      'migrate "exec:vmstate decode - -o FILE") and prints it as a JSON document: each section\'s\n' +
      "header and its state field by field: with a schema, else from the stream's own description\n" +
      "(the JSON QEMU appends after EOF); a section it gives as one opaque field stays bytes. RAM\n" +
      "sections are kept as a summary and the place of their bytes in the stream, which `encode`\n" +
      "copies them from. A stream that cannot be read is one message with the section, field path\n" +
      "and byte offset, and exit status 1.",
    positionals: { min: 1, max: 1, wrong: "decode needs exactly one input file" },
    options: {
      output,
      param,
      schemas,
      section: {
        type: "string",
        value: "NAME",
        description: "the input is a bare section body (e.g. virtio-net), not a stream",
      },
      "no-schemas": {
        type: "boolean",
        description:
          "decode every device section from the stream's own description, not\nwith a schema (the configuration section still has its schema)",
      },
      quiet,
    },
    run: async (values, positionals) => {
      const { runDecode } = await import("./commands/stream.js");
      return runDecode({
        input: positionals[0]!,
        output: values.output,
        params: values.param,
        schemas: values.schemas,
        section: values.section,
        noSchemas: values["no-schemas"],
        quiet: values.quiet,
      });
    },
  }),
  command({
    name: "encode",
    summary: "the stream back from such JSON",
    usage: ["encode DOCUMENT.json [-o FILE] [--source STREAM] [--param NAME=VALUE]... [--quiet]"],
    description:
      "Writes the stream (or the section body) a document of `vmstate decode` describes, copying\n" +
      "the RAM sections from the stream it was decoded from, and checking that that stream has not\n" +
      "changed. The bytes go to standard output, which must not be a terminal, or to FILE.",
    positionals: { min: 1, max: 1, wrong: "encode needs exactly one input file" },
    options: {
      output,
      source: {
        type: "string",
        value: "STREAM",
        description:
          "copy the RAM sections from this stream (a copy of the one decoded,\nmoved, or read from standard input)",
      },
      param,
      schemas,
      quiet,
    },
    run: async (values, positionals) => {
      const { runEncode } = await import("./commands/stream.js");
      return runEncode({
        input: positionals[0]!,
        output: values.output,
        params: values.param,
        schemas: values.schemas,
        source: values.source,
        quiet: values.quiet,
      });
    },
  }),
  command({
    name: "ram",
    summary: "the RAM of a migration stream as one image file per RAM block",
    usage: ["ram extract STREAM|- DIR [--param NAME=VALUE]... [--quiet]"],
    description:
      "Reads a whole migration stream and writes each RAM block's memory to DIR/BLOCK.img (the\n" +
      "block's id, with characters other than letters, digits and ._@:+- as %XX): as long as the\n" +
      "block, every page the stream sent at its address (a page sent again replaces the earlier\n" +
      "one), pages of zeros left as holes. The images appear when the whole stream has been read.",
    positionals: {
      min: 3,
      max: 3,
      wrong: "ram needs a subcommand and its arguments: ram extract STREAM DIR",
    },
    options: { param, schemas, quiet },
    run: async (values, positionals) => {
      const [subcommand, input, dir] = positionals as [string, string, string];
      if (subcommand !== "extract")
        throw new CliError(`unknown ram subcommand '${subcommand}' (see 'vmstate help ram')`);
      const { runRamExtract } = await import("./commands/stream.js");
      return runRamExtract({
        input,
        dir,
        params: values.param,
        schemas: values.schemas,
        quiet: values.quiet,
      });
    },
  }),
  command({
    name: "compat",
    summary: "every change that breaks migration between two versions; exit 1 if any",
    usage: [
      "compat OLD [NEW] [--schemas DIR]... [--direction forward|backward|both] [--format text|json]",
      "compat --qemu-dump SRC.json DEST.json",
    ],
    description:
      "Compares two versions of the schemas (files or folders) and reports every change that makes\n" +
      "one version's reader misread or refuse what the other version's writer sends. With\n" +
      "--qemu-dump, compares two QEMU -dump-vmstate files as QEMU's vmstate-static-checker.py does.\n" +
      "Without NEW, the new version is the --schemas folders or the configuration's.",
    positionals: {
      min: 1,
      max: 2,
      wrong: "compat needs two inputs: the old version and the new one",
    },
    options: {
      direction: {
        type: "string",
        value: "D",
        choices: ["forward", "backward", "both"],
        description:
          "forward (old writer → new reader), backward (new writer → old\nreader) or both (default)",
      },
      "qemu-dump": {
        type: "boolean",
        description: "the two files are QEMU -dump-vmstate JSON, not schemas",
      },
      schemas,
      format,
    },
    run: async (values, positionals) => {
      const neu =
        positionals.length === 2
          ? [positionals[1]!]
          : values["qemu-dump"]
            ? []
            : userSchemaFolders(values.schemas, findConfig());
      if (neu.length === 0)
        throw new CliError(
          "compat needs two inputs: the old version and the new one (or, for schemas, --schemas DIR or a vmstate.config.json naming the new one)",
        );
      const { runCompat } = await import("./commands/compat.js");
      return runCompat({
        old: positionals[0]!,
        new: neu,
        qemuDump: values["qemu-dump"],
        direction: values.direction ?? "both",
        format: outputFormat(values.format),
      });
    },
  }),
  command({
    name: "export-qemu-dump",
    summary: "schemas in QEMU's -dump-vmstate format (default: schemas/)",
    usage: ["export-qemu-dump [FILE|DIR...] [-o FILE] [--machine NAME]"],
    description:
      "Writes the sections of the schemas in the JSON format of QEMU's -dump-vmstate, for QEMU's\n" +
      "own scripts/vmstate-static-checker.py and `vmstate compat --qemu-dump`.",
    positionals: { min: 0, max: Infinity, wrong: "" },
    options: {
      output,
      machine: {
        type: "string",
        value: "NAME",
        description: 'the machine type to record (the dump\'s "vmschkmachine")',
      },
      format,
    },
    run: async (values, positionals) => {
      const { runExportDump } = await import("./commands/export-dump.js");
      return runExportDump({
        files: positionals,
        output: values.output,
        machine: values.machine,
        format: outputFormat(values.format),
      });
    },
  }),
  command({
    name: "import-qemu-dump",
    summary: "a .vmstate skeleton per section of a QEMU -dump-vmstate file",
    usage: ["import-qemu-dump DUMP.json --out DIR [--force]"],
    description:
      "Writes one .vmstate file per section of the dump into DIR: fields typed from their sizes,\n" +
      "structs, subsections, versions, and a param for each field QEMU sends after a test\n" +
      "function. Each file's header says what the dump does not tell. The folder is written\n" +
      "whole or not at all; existing files are kept unless --force.",
    positionals: { min: 1, max: 1, wrong: "import-qemu-dump needs exactly one dump file" },
    options: {
      out: { type: "string", value: "DIR", description: "the folder to write the skeletons to" },
      force: { type: "boolean", description: "overwrite files that are already there" },
    },
    run: async (values, positionals) => {
      if (values.out === undefined)
        throw new CliError(
          "import-qemu-dump needs --out DIR (see 'vmstate help import-qemu-dump')",
        );
      const { runImportDump } = await import("./commands/import-dump.js");
      return runImportDump({
        dump: positionals[0]!,
        out: values.out,
        force: values.force === true,
      });
    },
  }),
];
