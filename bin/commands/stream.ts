// `vmstate decode STREAM` and `vmstate encode DOCUMENT`: whole QEMU migration streams (or one
// section's body with --section) ↔ JSON, through the generated codecs of the package's schemas.

import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCodecs, parseParams, type Codecs } from "../../stream/codecs.js";
import { decodeSectionBody, decodeStream } from "../../stream/decode.js";
import { encodeDocument, schemaNamed } from "../../stream/encode.js";
import {
  StreamError,
  type Json,
  type SectionDocument,
  type StreamDocument,
} from "../../stream/format.js";
import { stateToJson } from "../../stream/json.js";
import { printJson } from "../../stream/print.js";
import { CliError } from "../cli-error.js";
import { readBytes, readText, writeAtomically } from "../io.js";

/** The package root: dist/bin/commands/stream.js → three folders up. */
const packageRoot = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");

export interface StreamOptions {
  readonly input: string;
  readonly output: string | undefined;
  readonly params: readonly string[];
  readonly section: string | undefined;
}

async function codecs(): Promise<Codecs> {
  return loadCodecs(join(packageRoot, "schemas"), join(packageRoot, "dist", "generated"));
}

export async function runDecode(options: StreamOptions): Promise<number> {
  const bytes = readBytes(options.input);
  return userErrors(async () => {
    const known = await codecs();
    const params = parseParams(options.params, known.params);
    let doc: StreamDocument | SectionDocument;
    if (options.section !== undefined) {
      const schema = schemaNamed(known, options.section);
      doc = {
        format: "qemu-section",
        schema: schema.name,
        state: stateToJson(schema.layout.state, decodeSectionBody(bytes, schema, params)),
      };
    } else {
      doc = decodeStream(bytes, known, params);
    }
    const text = `${printJson(doc as unknown as Json)}\n`;
    if (options.output === undefined) process.stdout.write(text);
    else writeAtomically(options.output, text);
    return 0;
  });
}

export async function runEncode(options: StreamOptions): Promise<number> {
  const text = readText(options.input);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CliError(`'${options.input}' is not JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  return userErrors(async () => {
    const known = await codecs();
    const params = parseParams(options.params, known.params);
    const bytes = encodeDocument(doc, known, params);
    if (options.output !== undefined) writeAtomically(options.output, bytes);
    else if (process.stdout.isTTY)
      throw new CliError(
        "the stream is binary and not written to a terminal: use -o FILE or a pipe",
      );
    else process.stdout.write(bytes);
    return 0;
  });
}

/** A stream or document that cannot be read is one message and exit status 1. */
async function userErrors(run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof StreamError) {
      console.error(`vmstate: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
