// `vmstate compat OLD NEW` and `vmstate compat --qemu-dump SRC.json DEST.json`: every change that
// breaks migration between two versions, in the directions asked for; exit status 1 when any does.

import { hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import {
  inDirections,
  type CompatDiagnostic,
  type Directions,
} from "../../generator/compat/finding.js";
import { formatCompatJson, formatCompatText } from "../../generator/compat/format.js";
import { compareVersions, type SchemaFile } from "../../generator/compat/index.js";
import { compareDumps } from "../../generator/compat/qemu-check.js";
import { DumpFormatError, readDump } from "../../generator/compat/qemu-dump.js";
import { CliError } from "../cli-error.js";
import { readText, schemaInputs } from "../io.js";
import { printDiagnostics, type OutputFormat } from "../report.js";

export interface CompatOptions {
  readonly old: string;
  /** The new version: a file or folder, or (from --schemas or the configuration) several folders. */
  readonly new: readonly string[];
  readonly qemuDump: boolean;
  readonly direction: Directions;
  readonly format: OutputFormat;
}

export async function runCompat(options: CompatOptions): Promise<number> {
  const sources = new Map<string, string>();
  let found: CompatDiagnostic[];
  if (options.qemuDump) {
    const [old, neu] = [options.old, options.new[0]!].map((file) => {
      const text = readText(file);
      sources.set(file, text);
      try {
        return readDump(text, file);
      } catch (e) {
        if (e instanceof DumpFormatError)
          throw new CliError(`${file}:${e.span.line}:${e.span.column}: ${e.message}`);
        throw e;
      }
    });
    found = compareDumps(old!, neu!);
  } else {
    const schemaErrors: Diagnostic[] = [];
    const old = await load([options.old], sources, schemaErrors);
    const neu = await load(options.new, sources, schemaErrors);
    if (hasErrors(schemaErrors)) {
      // Two versions can only be compared once each is a valid schema.
      printDiagnostics(schemaErrors, sources, options.format);
      return 1;
    }
    found = compareVersions(old, neu);
  }
  const shown = inDirections(found, options.direction);
  if (options.format === "json") process.stdout.write(formatCompatJson(shown));
  else process.stdout.write(formatCompatText(shown, sources));
  return hasErrors(shown) ? 1 : 0;
}

/** Schema files, or every schema of folders, checked and planned. */
async function load(
  inputs: readonly string[],
  sources: Map<string, string>,
  errors: Diagnostic[],
): Promise<SchemaFile[]> {
  // Only schemas need the parser and checker: a comparison of two dumps starts without them.
  const { planSchemaFiles } = await import("../schemas.js");
  return planSchemaFiles(schemaInputs(inputs), sources, errors);
}
