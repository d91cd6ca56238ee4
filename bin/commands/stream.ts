// `vmstate decode STREAM`, `vmstate encode DOCUMENT` and `vmstate ram extract STREAM DIR`: whole
// QEMU migration streams (or one section's body with --section) ↔ JSON, through the generated
// codecs of the package's schemas. Streams are read and written as they go, in bounded memory.

import { closeSync, mkdirSync, openSync, renameSync, unlinkSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { packageRoot } from "../../generator/package-root.js";
import {
  documentParams,
  fromBundle,
  loadCodecModules,
  ParamError,
  parseParams,
  recordedParams,
  schemaModules,
  configurationOnly,
  type Codecs,
} from "../../stream/codecs.js";
import { decodeSectionBody, decodeSource } from "../../stream/decode.js";
import { duplicateKey } from "../../stream/document.js";
import { encodeSectionBody, encodeStreamTo, schemaNamed } from "../../stream/encode.js";
import { extractRam, type RamImage } from "../../stream/extract.js";
import {
  StreamError,
  type Json,
  type SectionDocument,
  type StreamDocument,
  type StreamItem,
} from "../../stream/format.js";
import { stateToJson } from "../../stream/json.js";
import { printJson } from "../../stream/print.js";
import { FileSink, FileSource, SinkClosed, type ByteSource } from "../../stream/source.js";
import { printable } from "../../runtime/errors.js";
import { CliError } from "../cli-error.js";
import {
  isDirectory,
  readBytes,
  readText,
  reason,
  sameFile,
  writeAtomically,
  writeStreamingAtomically,
} from "../io.js";
import { findConfig } from "../config.js";
import { Progress } from "../progress.js";

/** How a stream named on the command line is called: `-` is standard input. */
const STDIN = "-";

export interface StreamOptions extends UserSchemas {
  readonly input: string;
  readonly output: string | undefined;
  readonly params: readonly string[];
  readonly section: string | undefined;
  /** Every device section from the stream's description: only the configuration's schema is used. */
  readonly noSchemas?: boolean;
  readonly quiet: boolean;
}

/** The user's schema folders and parameters: the command line's, else the project configuration's. */
interface UserSchemas {
  /** `--schemas DIR`, in order. */
  readonly schemas: readonly string[];
  /** `--param NAME=VALUE`, in order. */
  readonly params: readonly string[];
}

/**
 * The shipped schemas' codecs, then the user's (`--schemas`, else the configuration's folders),
 * which replace a shipped one of the same QEMU name; and the parameters the configuration gives,
 * which the command line's override.
 */
async function codecs(options: UserSchemas): Promise<{ known: Codecs; configParams: string[] }> {
  const config = findConfig();
  const folders = options.schemas.length > 0 ? options.schemas : (config?.schemas ?? []);
  const shipped = await fromBundle(
    schemaModules(join(packageRoot, "schemas"), join(packageRoot, "dist", "generated")),
    join(packageRoot, "dist", "bin", "shipped-codecs.js"),
  );
  // Only schemas of the user's need the cache (and, on first use, the compiler).
  const user =
    folders.length === 0
      ? []
      : await (await import("../user-schemas.js")).userCodecModules(folders);
  return {
    known: await loadCodecModules([...shipped, ...user]),
    configParams: [...(config?.params ?? [])],
  };
}

/** Where a schema is, as a document records it: the package's as `vmstate-dsl/schemas/…`. */
function schemaOrigin(schemaFile: string): string {
  const shipped = join(packageRoot, "schemas") + sep;
  return schemaFile.startsWith(shipped)
    ? `vmstate-dsl/schemas/${schemaFile.slice(shipped.length)}`
    : schemaFile;
}

/** The schema file of each section schema the document's items name. */
function schemasUsed(items: readonly StreamItem[], known: Codecs): Record<string, string> {
  const names = new Set<string>();
  for (const item of items) {
    if (item.type === "configuration") names.add(item.schema);
    if ((item.type === "full" || item.type === "start") && "schema" in item.body)
      names.add(item.body.schema);
  }
  const out: Record<string, string> = {};
  for (const name of [...names].sort()) {
    const schema = known.sections.get(name);
    if (schema) out[name] = schemaOrigin(schema.schemaFile);
  }
  return out;
}

export async function runDecode(options: StreamOptions): Promise<number> {
  if (
    options.output !== undefined &&
    options.input !== STDIN &&
    sameFile(options.output, options.input)
  )
    throw new CliError(`the output '${options.output}' is the input: write the document elsewhere`);
  if (options.section !== undefined) {
    const bytes = options.input === STDIN ? readBytes("/dev/stdin") : readBytes(options.input);
    return userErrors(async () => {
      const { known, configParams } = await codecs(options);
      const params = parseParams([...configParams, ...options.params], known.params);
      const schema = schemaNamed(known, options.section);
      const doc: SectionDocument = {
        format: "qemu-section",
        schema: schema.name,
        state: stateToJson(schema.codec.state, decodeSectionBody(bytes, schema, params)),
      };
      output(options.output, doc);
      return 0;
    });
  }
  const source = openStream(options.input);
  try {
    return await userErrors(async () => {
      const { known, configParams } = await codecs(options);
      const given = [...configParams, ...options.params];
      const params = parseParams(given, known.params);
      const progress = Progress.onTerminal("decode", source.size, options.quiet);
      const used = options.noSchemas === true ? configurationOnly(known) : known;
      const decoded = decodeSource(source, used, params, {
        ...(options.input === STDIN ? {} : { path: resolve(options.input) }),
        ...(progress ? { progress: (bytes, sections) => progress.update(bytes, sections) } : {}),
      });
      progress?.done();
      const doc: StreamDocument = {
        format: decoded.format,
        fileVersion: decoded.fileVersion,
        ...(decoded.source ? { source: decoded.source } : {}),
        params: recordedParams(params, known.params),
        schemas: schemasUsed(decoded.items, known),
        items: decoded.items,
      };
      output(options.output, doc);
      return 0;
    });
  } finally {
    source.close();
  }
}

export interface EncodeOptions extends UserSchemas {
  readonly input: string;
  readonly output: string | undefined;
  readonly params: readonly string[];
  /** Where the RAM sections' bytes are, instead of the document's source. */
  readonly source: string | undefined;
  readonly quiet: boolean;
}

export async function runEncode(options: EncodeOptions): Promise<number> {
  const text = readText(options.input);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // The file was read: what it holds is not a document, as a stream can be unreadable (exit 1).
    console.error(
      `vmstate: '${printable(options.input)}' is not JSON: ${printable((e as Error).message.split("\n")[0]!).slice(0, 200)}`,
    );
    return 1;
  }
  const twice = duplicateKey(text);
  if (twice !== undefined) {
    console.error(
      `vmstate: ${printable(options.input)}: ${twice}: the key is given twice; a document says each thing once`,
    );
    return 1;
  }
  if (options.output !== undefined && sameFile(options.output, options.input))
    throw new CliError(`the output '${options.output}' is the input: write the stream elsewhere`);
  if (options.output === undefined && process.stdout.isTTY)
    throw new CliError("the stream is binary and not written to a terminal: use -o FILE or a pipe");
  return userErrors(async () => {
    const { known, configParams } = await codecs(options);
    // The document's recorded parameters, then the configuration's, then the command line's.
    const recorded = isObject(doc) ? documentParams(doc["params"], known.params) : [];
    const params = parseParams([...recorded, ...configParams, ...options.params], known.params);
    if (isObject(doc) && doc["format"] === "qemu-section") {
      const section = doc as unknown as SectionDocument;
      const bytes = encodeSectionBody(section.state, schemaNamed(known, section.schema), params);
      if (options.output !== undefined) writeAtomically(options.output, bytes);
      else new FileSink(1, "standard output").write(bytes, 0, bytes.length);
      return 0;
    }
    const stream = doc as StreamDocument;
    const { source, path } = sourceOf(stream, options);
    try {
      if (source && options.output !== undefined && sameFile(options.output, path))
        throw new CliError(
          `the output '${options.output}' is the source stream the RAM is copied from: write the stream elsewhere`,
        );
      const progress = Progress.onTerminal("encode", source?.size, options.quiet);
      const encode = (fd: number, sinkName: string): void => {
        encodeStreamTo(stream, known, params, new FileSink(fd, sinkName), {
          ...(source ? { source, sourceName: `'${path}'` } : {}),
          ...(progress ? { progress: (bytes, items) => progress.update(bytes, items) } : {}),
        });
        progress?.done();
      };
      if (options.output === undefined) {
        try {
          encode(1, "standard output");
        } catch (e) {
          // A pipe closed by its reader (`| head`) ends the output, as for any command.
          if (!(e instanceof SinkClosed)) throw e;
        }
      } else writeStreamingAtomically(options.output, (fd) => encode(fd, `'${options.output}'`));
    } finally {
      source?.close();
    }
    return 0;
  });
}

/**
 * The stream a document's RAM sections are copied from: --source, or the one the document names,
 * opened; none when the document has no RAM in its source (bare sections, RAM as base64).
 */
function sourceOf(
  doc: StreamDocument,
  options: EncodeOptions,
): { source: ByteSource | undefined; path: string } {
  const refers =
    Array.isArray(doc?.items) &&
    doc.items.some(
      (item: unknown) => isObject(item) && isObject(item["body"]) && "source" in item["body"],
    );
  const named = (doc?.source as { path?: unknown } | undefined)?.path;
  if (!refers) return { source: undefined, path: "" };
  const path = options.source ?? (typeof named === "string" ? named : undefined);
  if (path === undefined)
    throw new StreamError(
      "the document's RAM sections were decoded from standard input, so it names no stream to copy them from: name a copy of that stream with --source FILE",
    );
  let source: FileSource;
  try {
    source = FileSource.open(path);
  } catch (e) {
    throw new StreamError(
      `cannot read the source stream '${path}' that the RAM sections are copied from (${reason(e)})${options.source === undefined ? ": if it has moved, name it with --source FILE" : ""}`,
    );
  }
  if (!source.seekable) {
    source.close();
    throw new StreamError(
      `the source stream '${path}' is not a file: the RAM sections are read from it at their offsets`,
    );
  }
  return { source, path };
}

export interface RamExtractOptions extends UserSchemas {
  readonly input: string;
  readonly dir: string;
  readonly params: readonly string[];
  readonly quiet: boolean;
}

/** `vmstate ram extract STREAM DIR`: one image per RAM block; all of them appear, or none does. */
export async function runRamExtract(options: RamExtractOptions): Promise<number> {
  const source = openStream(options.input);
  try {
    if (!isDirectory(options.dir)) {
      try {
        mkdirSync(options.dir, { recursive: true });
      } catch (e) {
        throw new CliError(`cannot create folder '${options.dir}': ${reason(e)}`);
      }
    }
    const opened: { fd: number; temp: string; file: string }[] = [];
    const create = (file: string): number => {
      const temp = join(options.dir, `.${file}.${process.pid}.tmp`);
      let fd: number;
      try {
        fd = openSync(temp, "w");
      } catch (e) {
        throw new CliError(`cannot write '${join(options.dir, file)}': ${reason(e)}`);
      }
      opened.push({ fd, temp, file: join(options.dir, file) });
      return fd;
    };
    let images: RamImage[] = [];
    try {
      const status = await userErrors(async () => {
        const { known, configParams } = await codecs(options);
        const params = parseParams([...configParams, ...options.params], known.params);
        const progress = Progress.onTerminal("ram extract", source.size, options.quiet);
        images = extractRam(
          source,
          known,
          params,
          create,
          progress && ((b, s) => progress.update(b, s)),
        ).images;
        progress?.done();
        return 0;
      });
      for (const { fd } of opened) closeSync(fd);
      if (status !== 0) {
        for (const { temp } of opened) unlinkSync(temp);
        return status;
      }
      for (const { temp, file } of opened) renameSync(temp, file);
    } catch (e) {
      for (const { fd, temp } of opened) {
        try {
          closeSync(fd);
        } catch {
          // Closed already.
        }
        try {
          unlinkSync(temp);
        } catch {
          // Gone already.
        }
      }
      throw e;
    }
    if (images.length === 0)
      console.error(`vmstate: the stream has no RAM block list; nothing was written`);
    for (const i of images)
      console.log(
        `${join(options.dir, i.file)}\t${i.id}\t${i.length} bytes\t${i.pages} pages, ${i.fillPages} zero pages`,
      );
    return 0;
  } finally {
    source.close();
  }
}

/** A stream to read: a file (read at any offset), or standard input. */
function openStream(input: string): FileSource {
  if (input === STDIN) return new FileSource(0, "standard input");
  try {
    return FileSource.open(input);
  } catch (e) {
    throw new CliError(`cannot read '${input}': ${reason(e)}`);
  }
}

function output(path: string | undefined, doc: StreamDocument | SectionDocument): void {
  const text = `${printJson(doc as unknown as Json)}\n`;
  if (path === undefined) process.stdout.write(text);
  else writeAtomically(path, text);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A stream or document that cannot be read is one message and exit status 1. */
async function userErrors(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof ParamError) throw new CliError(e.message);
    if (e instanceof StreamError) {
      console.error(`vmstate: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
