#!/usr/bin/env node
// The `vmstate` command line: check and generate from .vmstate schemas, decode and encode streams,
// compare two versions for migration compatibility.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { CliError } from "./cli-error.js";
import type { OutputFormat } from "./report.js";

// Each command's modules are loaded when it runs: the checker's parser alone takes a good part of
// a second to load, which `gen` with every output up to date does not need.

const HELP = `vmstate: device-state schemas for QEMU migration streams

Usage:
  vmstate check FILE|DIR...                report every diagnostic; exit 1 on any error
  vmstate gen [FILE|DIR...] [--out DIR]    generate TypeScript save/load code (default: schemas/ → generated/)
  vmstate gen --check                      exit 1 and name the stale files when generated/ is out of date
  vmstate decode STREAM [-o FILE]          a QEMU migration stream as JSON (each section's header and state)
  vmstate encode DOCUMENT.json [-o FILE]   the stream back from such JSON
  vmstate compat OLD NEW                   every change that breaks migration between two versions
                                           of the schemas (files or folders); exit 1 if any
  vmstate compat --qemu-dump SRC DEST      the same for two QEMU -dump-vmstate files
  vmstate export-qemu-dump [FILE|DIR...]   schemas in QEMU's -dump-vmstate format (default: schemas/)

Options:
  --format text|json    how diagnostics are printed (default: text)
  --out DIR             output folder of gen (default: generated)
  --runtime SPEC        module specifier generated code imports the runtime from
  --no-cache            gen: generate every schema, even those whose output is known to be up to
                        date (the cache is node_modules/.cache/vmstate in the working folder)
  --param NAME=VALUE    decode/encode: a parameter of the schemas (e.g. vectors=4), instead of
                        what the stream implies; may be repeated
  --section NAME        decode: a bare section body (e.g. virtio-net) instead of a stream;
                        encode reads such a body's section from its document
  -o, --output FILE     decode/encode/export-qemu-dump: write there instead of standard output
  --direction D         compat: forward (old writer → new reader), backward (new writer → old
                        reader) or both (default)
  --qemu-dump           compat: the two files are QEMU -dump-vmstate JSON, not schemas
  --machine NAME        export-qemu-dump: the machine type to record (the dump's "vmschkmachine")
  -h, --help            this help
  -v, --version         the version
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    process.stdout.write(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === "-v" || command === "--version") {
    const manifest = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    ) as { version: string };
    console.log(manifest.version);
    return 0;
  }
  switch (command) {
    case "check": {
      const { values, positionals } = parse(rest, { format: { type: "string" } });
      if (positionals.length === 0) throw new CliError("check needs at least one schema file");
      const { runCheck } = await import("./commands/check.js");
      return runCheck(positionals, format(values.format));
    }
    case "gen": {
      const { values, positionals } = parse(rest, {
        format: { type: "string" },
        out: { type: "string" },
        check: { type: "boolean" },
        runtime: { type: "string" },
        "no-cache": { type: "boolean" },
      });
      const { runGen } = await import("./commands/gen.js");
      return runGen({
        files: positionals,
        out: (values.out as string | undefined) ?? "generated",
        check: values.check === true,
        format: format(values.format),
        runtime: values.runtime as string | undefined,
        cache: values["no-cache"] !== true,
      });
    }
    case "decode":
    case "encode": {
      const { values, positionals } = parse(rest, {
        output: { type: "string", short: "o" },
        param: { type: "string", multiple: true },
        section: { type: "string" },
      });
      if (positionals.length !== 1) throw new CliError(`${command} needs exactly one input file`);
      if (command === "encode" && values.section !== undefined) {
        throw new CliError(
          `--section is for decode: encode takes the section from the document ("format": "qemu-section", "schema": …)`,
        );
      }
      const options = {
        input: positionals[0]!,
        output: values.output as string | undefined,
        params: (values.param as string[] | undefined) ?? [],
        section: values.section as string | undefined,
      };
      const { runDecode, runEncode } = await import("./commands/stream.js");
      return command === "decode" ? runDecode(options) : runEncode(options);
    }
    case "compat": {
      const { values, positionals } = parse(rest, {
        format: { type: "string" },
        direction: { type: "string" },
        "qemu-dump": { type: "boolean" },
      });
      if (positionals.length !== 2)
        throw new CliError("compat needs two inputs: the old version and the new one");
      const { parseDirection, runCompat } = await import("./commands/compat.js");
      return runCompat({
        old: positionals[0]!,
        new: positionals[1]!,
        qemuDump: values["qemu-dump"] === true,
        direction: parseDirection(values.direction),
        format: format(values.format),
      });
    }
    case "export-qemu-dump": {
      const { values, positionals } = parse(rest, {
        format: { type: "string" },
        output: { type: "string", short: "o" },
        machine: { type: "string" },
      });
      const { runExportDump } = await import("./commands/export-dump.js");
      return runExportDump({
        files: positionals,
        output: values.output as string | undefined,
        machine: values.machine as string | undefined,
        format: format(values.format),
      });
    }
    default:
      throw new CliError(
        `unknown command '${command}' (commands: check, gen, decode, encode, compat, export-qemu-dump; see 'vmstate --help')`,
      );
  }
}

type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; multiple?: boolean }
>;

function parse(
  args: string[],
  options: OptionSpec,
): { values: Record<string, unknown>; positionals: string[] } {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    // parseArgs explains in a sentence; keep its first line.
    const message = (e as Error).message
      .split("\n")[0]!
      .replace(/\. To specify a positional argument.*$/, "");
    throw new CliError(message.charAt(0).toLowerCase() + message.slice(1));
  }
}

function format(value: unknown): OutputFormat {
  if (value === undefined || value === "text") return "text";
  if (value === "json") return "json";
  throw new CliError(`--format must be 'text' or 'json', not '${String(value)}'`);
}

// Output piped into `head` and the like: a closed pipe is the reader's choice, not an error.
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof CliError) {
      console.error(`vmstate: ${e.message}`);
      process.exitCode = 2;
      return;
    }
    // A bug of ours, not a user mistake: keep the stack for the report.
    console.error("vmstate: internal error, please report it:");
    console.error(e);
    process.exitCode = 3;
  },
);
