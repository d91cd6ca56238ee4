// `vmstate import-qemu-dump DUMP.json --out DIR [--force]`: a .vmstate skeleton per section of a dump.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { importDump } from "../../generator/compat/import-dump.js";
import { DumpFormatError, readDump, type Dump } from "../../generator/compat/qemu-dump.js";
import { CliError } from "../cli-error.js";
import { isDirectory, readText, writeAllAtomically } from "../io.js";

export interface ImportOptions {
  readonly dump: string;
  readonly out: string;
  readonly force: boolean;
}

export function runImportDump(options: ImportOptions): number {
  const text = readText(options.dump);
  let dump: Dump;
  try {
    dump = readDump(text, options.dump);
  } catch (e) {
    if (e instanceof DumpFormatError)
      throw new CliError(`${options.dump}:${e.span.line}:${e.span.column}: ${e.message}`);
    throw e;
  }
  if (dump.sections.length === 0)
    throw new CliError(`${options.dump}: not a -dump-vmstate file: it has no sections`);
  if (existsSync(options.out) && !isDirectory(options.out))
    throw new CliError(`'${options.out}' is a file, not a folder`);
  const files = importDump(dump, options.dump.split(/[\\/]/).pop()!);
  const named = new Map(files.map((f) => [join(options.out, f.name), f.text]));
  if (!options.force) {
    const existing = [...named.keys()].filter((p) => existsSync(p));
    if (existing.length > 0)
      throw new CliError(
        existing.length === 1
          ? `'${existing[0]}' already exists: nothing written (--force overwrites it)`
          : `'${existing[0]}' and ${existing.length - 1} more files already exist: nothing ` +
              "written (--force overwrites them)",
      );
  }
  writeAllAtomically(named);
  process.stdout.write(`${files.length} files written to ${options.out}\n`);
  return 0;
}
