// One fuzz input through the code under test, and how it came out: a result ("ok"), one of the
// project's own errors with a proper field path and offset ("refused"), or anything else ("crash":
// another exception, a malformed error, a state that loads but does not save back).

import { checkSchemaText as checkWithoutCodecs } from "../generator/check-text.js";
import { formatSchema } from "../format/format.js";
import { Analysis } from "../lsp/analysis.js";
import { documentSymbols, semanticTokens } from "../lsp/features.js";
import { IncrementalParser } from "../lsp/incremental.js";
import { loadVirtioNet, saveVirtioNet } from "../generated/virtio-net.js";
import { LoadError, Reader, Writer } from "../runtime/index.js";
import type { Codecs } from "../stream/codecs.js";
import { decodeSectionBody, decodeStream } from "../stream/decode.js";
import { encodeDocument, encodeStream } from "../stream/encode.js";
import { StreamError, type Json, type StreamDocument } from "../stream/format.js";
import { stateToJson } from "../stream/json.js";
import { printJson } from "../stream/print.js";

export type Verdict = "ok" | "refused" | "crash";

export interface Outcome {
  readonly verdict: Verdict;
  /** For a crash: what went wrong, with the exception's stack when there is one. */
  readonly problem?: string;
}

const OK: Outcome = { verdict: "ok" };
const REFUSED: Outcome = { verdict: "refused" };

function crash(problem: string, e?: unknown): Outcome {
  const stack =
    e instanceof Error
      ? `\n${e.stack ?? e.message}`
      : e === undefined
        ? ""
        : `\n${JSON.stringify(e) ?? typeof e}`;
  return { verdict: "crash", problem: problem + stack };
}

/** A message's longest acceptable length: values and names in it are cut, so this is generous. */
const MAX_MESSAGE = 2000;

/** One printable line: no line break, no control character, not megabytes long. */
function isOneLine(message: string): boolean {
  // The control characters are the point of the pattern.
  // eslint-disable-next-line no-control-regex
  return message.length <= MAX_MESSAGE && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(message);
}

/** A LoadError must name a path and an offset inside the input. */
export function checkLoadError(e: LoadError, length: number): Outcome {
  if (!Number.isInteger(e.offset) || e.offset < 0 || e.offset > length)
    return crash(`LoadError offset ${e.offset} outside the input (0 to ${length}): ${e.message}`);
  if (typeof e.path !== "string" || e.path.length === 0 || e.reason.length === 0)
    return crash(`LoadError without a path or reason: ${e.message}`);
  if (!isOneLine(e.message))
    return crash(`LoadError that is not one printable line: ${JSON.stringify(e.message)}`);
  return REFUSED;
}

/** A StreamError is the CLI's one line: not empty, no line breaks. */
function checkStreamError(e: StreamError): Outcome {
  if (e.message.length === 0 || !isOneLine(e.message))
    return crash(`StreamError that is not one line: ${JSON.stringify(e.message.slice(0, 500))}`);
  return REFUSED;
}

/**
 * The generated virtio-net loader on a section body. With `roundTrip`, a state that loads must
 * save, and what it saves must load and save to the same bytes.
 */
export function loadPayload(bytes: Uint8Array, roundTrip: boolean): Outcome {
  let state;
  try {
    state = loadVirtioNet(new Reader(bytes));
  } catch (e) {
    return e instanceof LoadError
      ? checkLoadError(e, bytes.length)
      : crash("load threw something other than a LoadError", e);
  }
  if (!roundTrip) return OK;
  try {
    const w = new Writer();
    saveVirtioNet(w, state);
    const saved = w.finish();
    const again = new Writer();
    saveVirtioNet(again, loadVirtioNet(new Reader(saved)));
    if (Buffer.compare(Buffer.from(saved), Buffer.from(again.finish())) !== 0)
      return crash("save(load(save(load(x)))) differs from save(load(x))");
  } catch (e) {
    return crash("a state that loaded did not save and load again", e);
  }
  return OK;
}

/** `vmstate decode --section virtio-net`: the body decoded and turned into JSON. */
export function decodePayload(bytes: Uint8Array, codecs: Codecs): Outcome {
  const schema = codecs.sections.get("virtio-net");
  if (!schema) return crash("no virtio-net schema");
  try {
    printJson(stateToJson(schema.codec.state, decodeSectionBody(bytes, schema, {})));
  } catch (e) {
    return e instanceof StreamError
      ? checkStreamError(e)
      : crash("decode --section threw something other than a StreamError", e);
  }
  return OK;
}

/**
 * `vmstate decode`: a whole stream to its printed document. With `roundTrip`, a stream that
 * decodes must encode, and the encoded stream must decode to the same document (the bytes may
 * differ: a bool byte 2 reads as true and is written back as 1).
 */
export function decodeWholeStream(
  bytes: Uint8Array,
  codecs: Codecs,
  roundTrip: boolean,
  params: Record<string, unknown> = {},
): Outcome {
  let doc: StreamDocument;
  let printed: string;
  try {
    doc = decodeStream(bytes, codecs, params);
    printed = printJson(doc as unknown as Json);
  } catch (e) {
    return e instanceof StreamError
      ? checkStreamError(e)
      : crash("decode threw something other than a StreamError", e);
  }
  if (!roundTrip) return OK;
  try {
    const encoded = encodeStream(JSON.parse(printed) as StreamDocument, codecs, params, bytes);
    const again = decodeStream(encoded, codecs, params);
    if (withoutOffsets(again) !== withoutOffsets(doc))
      return crash("decode(encode(document)) differs from the document");
  } catch (e) {
    return crash(
      `a stream that decoded did not encode and decode again${e instanceof StreamError ? ` (${e.message})` : ""}`,
      e,
    );
  }
  return OK;
}

/** The document as JSON without the items' offsets (informational, and shifted by a re-encoding). */
function withoutOffsets(doc: StreamDocument): string {
  return JSON.stringify(doc.items.map(({ offset: _, ...rest }) => rest));
}

/**
 * `vmstate encode`: a document (JSON text) to a stream or a section body, as the CLI does it, with
 * the stream it was decoded from as the source of its RAM sections.
 */
export function encodeJson(
  text: string,
  codecs: Codecs,
  source?: Uint8Array,
  params: Record<string, unknown> = {},
): Outcome {
  try {
    encodeDocument(JSON.parse(text), codecs, params, source);
  } catch (e) {
    if (e instanceof StreamError) return checkStreamError(e);
    return crash("encode threw something other than a StreamError", e);
  }
  return OK;
}

/** The parser and checker on schema text: diagnostics, well formed, and never an exception. */
export function checkSchemaText(text: string, file: string): Outcome {
  let diagnostics;
  try {
    diagnostics = checkWithoutCodecs(text, file).diagnostics;
  } catch (e) {
    return crash("the parser or checker threw", e);
  }
  for (const d of diagnostics) {
    if (
      !/^VMS\d{4}$/.test(d.code) ||
      !(d.span.line >= 1) ||
      !(d.span.column >= 1) ||
      d.message.length === 0 ||
      !isOneLine(d.message)
    )
      return crash(`a malformed diagnostic: ${JSON.stringify(d)}`);
  }
  return diagnostics.some((d) => d.severity === "error") ? REFUSED : OK;
}

/** The formatter and the language server on schema text: diagnostics or a result, never an exception. */
export function serveSchemaText(text: string): Outcome {
  try {
    formatSchema(text, "hostile.vmstate");
    const analysis = new Analysis(text, "hostile.vmstate");
    semanticTokens(analysis);
    documentSymbols(analysis);
    new IncrementalParser("hostile.vmstate").parse(text);
  } catch (e) {
    return crash("the formatter or the language server threw", e);
  }
  return OK;
}
