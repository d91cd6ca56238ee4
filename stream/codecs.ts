// The section codecs a stream tool knows: each schema of the package with the generated module
// that implements it, and the parameters they accept.

import { readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { SectionCodec } from "../runtime/section.js";
import type { ParamShape } from "../runtime/shape.js";
import { StreamError, type Json, type RecordedParams } from "./format.js";
import { integerFromText, shownValue } from "./json.js";
import { printable } from "../runtime/errors.js";

export interface SectionSchema {
  /** QEMU's VMStateDescription name of the section (the end of its idstr). */
  readonly name: string;
  readonly schemaFile: string;
  /** The generated codec, with the state's shape and the parameters it accepts. */
  readonly codec: SectionCodec<Record<string, unknown>, Record<string, unknown>>;
}

export interface Codecs {
  readonly sections: ReadonlyMap<string, SectionSchema>;
  readonly params: ReadonlyMap<string, ParamShape>;
}

/** A schema and the compiled module generated from it. */
export interface CodecModule {
  readonly schemaFile: string;
  readonly modulePath: string;
  /** The module's exports, when they are loaded already (from the bundle of the shipped ones). */
  readonly loaded?: Record<string, unknown>;
}

/**
 * The modules with their exports taken from `bundle` (scripts/bundle-cli.js: one namespace per
 * module, named as the module's file), which a process reads and compiles as one file, when the
 * bundle holds each of them and none was written after it (by a `tsc` run alone); else the modules
 * as they are, each to be imported.
 */
export async function fromBundle(
  modules: readonly CodecModule[],
  bundle: string,
): Promise<readonly CodecModule[]> {
  const built = statSync(bundle, { throwIfNoEntry: false })?.mtimeMs;
  if (built === undefined) return modules;
  for (const { modulePath } of modules) {
    const written = statSync(modulePath, { throwIfNoEntry: false })?.mtimeMs;
    if (written === undefined || written > built) return modules;
  }
  const namespaces = (await import(pathToFileURL(bundle).href)) as Record<
    string,
    Record<string, unknown> | undefined
  >;
  const found: CodecModule[] = [];
  for (const m of modules) {
    const loaded = namespaces[basename(m.modulePath, ".js")];
    if (loaded === undefined) return modules;
    found.push({ ...m, loaded });
  }
  return found;
}

/**
 * The codecs of every schema in `schemaDir`, from its compiled module in `moduleDir` (`.js`, or `.ts`
 * under a TypeScript loader). Each module carries its sections' shapes and parameters, so nothing
 * here parses or checks a schema: the stream tools start without the compiler.
 */
export async function loadCodecs(
  schemaDir: string,
  moduleDir: string,
  extension = ".js",
): Promise<Codecs> {
  return loadCodecModules(schemaModules(schemaDir, moduleDir, extension));
}

/** Each schema of `schemaDir` with its module of the same name in `moduleDir`. */
export function schemaModules(
  schemaDir: string,
  moduleDir: string,
  extension = ".js",
): CodecModule[] {
  return readdirSync(schemaDir)
    .filter((f) => f.endsWith(".vmstate"))
    .sort()
    .map((file) => ({
      schemaFile: join(schemaDir, file),
      modulePath: join(moduleDir, `${basename(file, ".vmstate")}${extension}`),
    }));
}

/**
 * The codecs of these modules; a section of a later module replaces one of the same QEMU name
 * from an earlier one (the user's schemas come after the shipped ones).
 */
export async function loadCodecModules(modules: readonly CodecModule[]): Promise<Codecs> {
  const sections = new Map<string, SectionSchema>();
  const params = new Map<string, ParamShape>();
  for (const { schemaFile, modulePath, loaded } of modules) {
    let module: Record<string, unknown>;
    try {
      module =
        loaded ?? ((await import(pathToFileURL(modulePath).href)) as Record<string, unknown>);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code !== "ERR_MODULE_NOT_FOUND") throw e;
      throw new StreamError(
        `the generated module of ${schemaFile} is missing (${modulePath}): run \`npm run gen\` and \`npm run build\``,
      );
    }
    const exported = Object.values(module).filter(isCodec);
    // A schema of structs only (shared declarations that others import) has no section codec.
    const library = Object.keys(module).some((name) => /^save[A-Z]/.test(name));
    if (exported.length === 0 && !library)
      throw new StreamError(
        `the generated module of ${schemaFile} (${modulePath}) exports no section codec: run \`npm run gen\``,
      );
    for (const codec of exported) {
      sections.delete(codec.name);
      sections.set(codec.name, { name: codec.name, schemaFile, codec });
      for (const p of codec.params) params.set(p.name, p);
    }
  }
  return { sections, params };
}

function isCodec(v: unknown): v is SectionSchema["codec"] {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { name?: unknown }).name === "string" &&
    typeof (v as { load?: unknown }).load === "function" &&
    typeof (v as { state?: unknown }).state === "object" &&
    Array.isArray((v as { params?: unknown }).params)
  );
}

/** The schema for a section idstr such as `0000:00:02.0/virtio-net`: its last part is the VMSD name. */
export function schemaForIdstr(codecs: Codecs, idstr: string): SectionSchema | undefined {
  for (const [name, schema] of codecs.sections) {
    if (idstr === name || idstr.endsWith(`/${name}`)) return schema;
  }
  return undefined;
}

/**
 * The codecs with only the configuration section's schema (`vmstate decode --no-schemas`): every
 * device section is then decoded from the stream's own description.
 */
export function configurationOnly(known: Codecs): Codecs {
  const configuration = known.sections.get("configuration");
  return {
    sections: new Map(configuration ? [["configuration", configuration]] : []),
    params: known.params,
  };
}

/** A `--param` (or configuration parameter) that is not one the schemas accept: a usage error. */
export class ParamError extends StreamError {}

/** `--param NAME=VALUE` values, typed by the parameters the schemas declare. */
export function parseParams(
  assignments: readonly string[],
  known: ReadonlyMap<string, ParamShape>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const a of assignments) {
    const eq = a.indexOf("=");
    if (eq <= 0) throw new ParamError(`--param must be NAME=VALUE, not '${quoted(a)}'`);
    const name = a.slice(0, eq);
    const text = a.slice(eq + 1);
    const p = known.get(name);
    if (!p)
      throw new ParamError(
        `unknown parameter '${quoted(name)}' (known: ${[...known.keys()].sort().join(", ") || "none"})`,
      );
    if (p.type.kind === "bool") {
      if (!/^(true|false|on|off|1|0)$/.test(text))
        throw new ParamError(`--param ${name} must be true or false, not '${quoted(text)}'`);
      out[name] = /^(true|on|1)$/.test(text);
      continue;
    }
    const v = integerFromText(text);
    if (v === undefined)
      throw new ParamError(`--param ${name} must be an integer, not '${quoted(text)}'`);
    const bits = BigInt(p.type.bits);
    const [min, max] = p.type.signed
      ? [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n]
      : [0n, (1n << bits) - 1n];
    if (v < min || v > max)
      throw new ParamError(
        `--param ${quoted(name)}=${quoted(text)} does not fit in ${p.type.signed ? "i" : "u"}${p.type.bits}`,
      );
    out[name] = p.type.bits === 64 ? v : Number(v);
  }
  return out;
}

export function recordedParams(
  given: Record<string, unknown>,
  known: ReadonlyMap<string, ParamShape>,
): RecordedParams {
  const out: RecordedParams = { given: {}, defaults: {}, derived: [] };
  for (const name of [...known.keys()].sort()) {
    const p = known.get(name)!;
    if (name in given) out.given[name] = paramJson(given[name]);
    else if (p.default !== undefined) out.defaults[name] = paramJson(p.default);
    else out.derived.push(name);
  }
  return out;
}

function paramJson(v: unknown): Json {
  if (typeof v === "bigint")
    return Number.isSafeInteger(Number(v)) ? Number(v) : `0x${v.toString(16)}`;
  return v as Json;
}

/** A document's recorded given parameters as `NAME=VALUE` texts; a malformed record is a StreamError with its path. */
export function documentParams(json: unknown, known: ReadonlyMap<string, ParamShape>): string[] {
  if (json === undefined) return [];
  const given =
    typeof json === "object" && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)["given"]
      : undefined;
  if (typeof given !== "object" || given === null || Array.isArray(given))
    throw new StreamError(`params: expected {"given": {…}, …}, found ${shownValue(json)}`);
  return Object.entries(given).map(([name, value]) => {
    if (!known.has(name))
      throw new StreamError(
        `params.given.${printable(name)}: no schema has this parameter (known: ${[...known.keys()].sort().join(", ") || "none"})`,
      );
    if (
      (typeof value !== "boolean" && typeof value !== "number" && typeof value !== "string") ||
      !paramReads(`${name}=${String(value)}`, known)
    )
      throw new StreamError(
        `params.given.${printable(name)}: expected a boolean or an integer, found ${shownValue(value)}`,
      );
    return `${name}=${String(value)}`;
  });
}

function paramReads(text: string, known: ReadonlyMap<string, ParamShape>): boolean {
  try {
    parseParams([text], known);
    return true;
  } catch {
    return false;
  }
}

/** User text in a message: printable, and cut where it is long. */
function quoted(text: string): string {
  const shown = printable(text);
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}
