#!/usr/bin/env node
// The `vmstate` command line: check and generate from .vmstate schemas, decode and encode streams,
// compare two versions for migration compatibility. The commands are declared in bin/commands.ts.

import { packageVersion } from "../generator/package-root.js";
import { CliError, OutputError } from "./cli-error.js";
import { commandHelp, optionLines, parseCommand, type CommandSpec } from "./command-line.js";
import { commands } from "./commands.js";

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    "vmstate: device-state schemas for QEMU migration streams",
    "",
    "Usage: vmstate COMMAND [ARGS...]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    `  ${"help".padEnd(width)}the help of a command: vmstate help COMMAND`,
    "",
    "Options:",
    ...optionLines({
      help: { type: "boolean", short: "h", description: "this help" },
      version: { type: "boolean", short: "v", description: "the version" },
    }),
    "",
    "'vmstate COMMAND --help' shows a command's usage and options. Exit status: 0 clean, 1",
    "diagnostics with errors, a stream or document that cannot be read, or an output that cannot",
    "be written, 2 a usage error (an unknown option, a file that cannot be read, a bad --param).",
    "",
  ].join("\n");
}

function find(name: string): CommandSpec {
  const found = commands.find((c) => c.name === name);
  if (found === undefined)
    throw new CliError(
      `unknown command '${name}' (commands: ${commands.map((c) => c.name).join(", ")}; see 'vmstate --help')`,
    );
  return found;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(overview());
    return 2;
  }
  if (name === "-h" || name === "--help") {
    process.stdout.write(overview());
    return 0;
  }
  if (name === "-v" || name === "--version") {
    console.log(packageVersion);
    return 0;
  }
  if (name === "help") {
    if (rest.length > 1) throw new CliError("help takes one command name");
    process.stdout.write(rest[0] === undefined ? overview() : commandHelp(find(rest[0])));
    return 0;
  }
  const spec = find(name);
  const parsed = parseCommand(spec, rest);
  if (parsed === undefined) {
    process.stdout.write(commandHelp(spec));
    return 0;
  }
  return spec.run(parsed.values, parsed.positionals);
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
    if (e instanceof CliError || e instanceof OutputError) {
      console.error(`vmstate: ${e.message}`);
      process.exitCode = e instanceof CliError ? 2 : 1;
      return;
    }
    // A bug of ours, not a user mistake: keep the stack for the report.
    console.error("vmstate: internal error, please report it:");
    console.error(e);
    process.exitCode = 3;
  },
);
