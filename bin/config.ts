// The project configuration: `vmstate.config.json`, or the "vmstate" key of a package.json, in the
// working folder or the nearest folder above it that has one. It names the user's schema folders,
// parameters for the stream tools, and gen's output folder; paths are relative to the file.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { printable } from "../runtime/errors.js";
import { CliError } from "./cli-error.js";

export interface ProjectConfig {
  /** The file it was read from (for messages). */
  readonly file: string;
  /** Folders of the user's schemas, absolute. */
  readonly schemas: readonly string[];
  /** `--param` values, as text (`NAME=VALUE`), before those of the command line. */
  readonly params: readonly string[];
  /** gen's output folder, absolute. */
  readonly out: string | undefined;
}

const KEYS = ["schemas", "params", "out"] as const;
export const CONFIG_FILE = "vmstate.config.json";

/** The configuration that applies in `folder`, or undefined when no folder up to the root has one. */
export function findConfig(folder: string = process.cwd()): ProjectConfig | undefined {
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const own = join(dir, CONFIG_FILE);
    if (existsSync(own)) return parseConfig(own, readJson(own), "");
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const json = readJson(manifest);
      if (isObject(json) && "vmstate" in json)
        return parseConfig(manifest, json["vmstate"], "vmstate.");
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new CliError(`cannot read ${file} (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${file}: not JSON (${(e as Error).message})`);
  }
}

function parseConfig(file: string, json: unknown, prefix: string): ProjectConfig {
  const bad = (key: string, expected: string): CliError =>
    new CliError(`${file}: ${prefix}${key} must be ${expected}`);
  if (!isObject(json)) throw bad(prefix === "" ? "the configuration" : "", "an object");
  for (const key of Object.keys(json)) {
    if (!(KEYS as readonly string[]).includes(key))
      throw new CliError(
        `${file}: unknown key '${prefix}${printable(key)}' (known: ${KEYS.join(", ")})`,
      );
  }
  const base = dirname(file);
  const schemas = json["schemas"] ?? [];
  if (!Array.isArray(schemas) || !schemas.every((s) => typeof s === "string" && s !== ""))
    throw bad("schemas", "a list of folder names");
  const params = json["params"] ?? {};
  if (!isObject(params)) throw bad("params", 'an object such as { "vectors": 4 }');
  const paramTexts = Object.entries(params).map(([name, value]) => {
    if (typeof value !== "boolean" && typeof value !== "number" && typeof value !== "string")
      throw bad(`params.${printable(name)}`, "true, false, a number or a string");
    return `${name}=${String(value)}`;
  });
  const out = json["out"];
  if (out !== undefined && (typeof out !== "string" || out === ""))
    throw bad("out", "a folder name");
  return {
    file,
    schemas: (schemas as string[]).map((s) => resolve(base, s)),
    params: paramTexts,
    out: out === undefined ? undefined : resolve(base, out),
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
