// Whole QEMU 7.2 streams (test/fixtures/qemu/streams): decoded section by section, encoded
// back byte-identical, and a stream that cannot be read explained in one message.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeSectionBody, decodeSource, decodeStream } from "../stream/decode.js";
import type { ByteSource } from "../stream/source.js";
import { encodeSectionBody, encodeStream } from "../stream/encode.js";
import type { StreamDocument, StreamItem } from "../stream/format.js";
import type { Json } from "../stream/format.js";
import { stateToJson } from "../stream/json.js";
import { loadCodecs, type Codecs } from "../stream/codecs.js";
import { StreamError } from "../stream/format.js";
import { root } from "./support/compile.js";
import { projectCodecs } from "./support/codecs.js";
import { fixturesDir, virtioNetPayloads } from "./support/fixtures.js";
import {
  fixtureStreams,
  offloadsAfterSubsections,
  streamBytes,
  streamErrorOf,
  streamParams,
} from "./support/streams.js";

interface IndexedSection {
  type: string;
  offset: number;
  section_id?: number;
  name?: string;
  payload_len?: number;
  machine?: string;
}

let codecs: Codecs;
beforeAll(async () => {
  codecs = await projectCodecs();
});

describe.each(fixtureStreams)("stream %s", (name) => {
  it("decodes every section and encodes back to the same bytes", () => {
    const bytes = streamBytes(name);
    const doc = decodeStream(bytes, codecs, streamParams(name));
    const again = encodeStream(
      JSON.parse(JSON.stringify(doc)) as StreamDocument,
      codecs,
      streamParams(name),
      bytes,
    );
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });

  it("finds the sections the fixture's index lists, at the same offsets", () => {
    const index = JSON.parse(
      readFileSync(join(fixturesDir, "streams", `${name}.sections.json`), "utf8"),
    ) as { sections: IndexedSection[]; eof_offset: number };
    const doc = decodeStream(streamBytes(name), codecs, streamParams(name));
    const sections = doc.items.filter((i) => i.type !== "eof" && i.type !== "vmdesc");
    expect(sections.map((s) => [s.type, s.offset])).toEqual(
      index.sections.map((s) => [s.type.toLowerCase(), s.offset]),
    );
    expect(doc.items.find((i) => i.type === "eof")?.offset).toBe(index.eof_offset);
    for (const [i, s] of index.sections.entries()) {
      const item = sections[i] as StreamItem & { sectionId?: number; idstr?: string };
      if (s.section_id !== undefined) expect(item.sectionId).toBe(s.section_id);
      if (s.name !== undefined) expect(item.idstr).toBe(s.name);
    }
  });

  it("decodes the virtio-net section with its schema, as the payload fixture", () => {
    const doc = decodeStream(streamBytes(name), codecs, streamParams(name));
    const section = doc.items.find((i) => i.type === "full" && i.idstr.endsWith("/virtio-net"));
    expect(
      section && "body" in section && "schema" in section.body ? section.body.schema : undefined,
    ).toBe("virtio-net");
    const schema = codecs.sections.get("virtio-net")!;
    const payload = virtioNetPayloads().find((p) => p.name === name)!.bytes;
    const body = section && "body" in section ? section.body : undefined;
    expect(body && "state" in body ? body.state : undefined).toEqual(
      stateToJson(schema.codec.state, decodeSectionBody(payload, schema, {})),
    );
  });
});

describe("section bodies", () => {
  it.each(virtioNetPayloads().map((p) => [p.name, p.bytes] as const))(
    "virtio-net payload %s: JSON and back, byte-identical",
    (_, bytes) => {
      const schema = codecs.sections.get("virtio-net")!;
      const json = JSON.parse(
        JSON.stringify(stateToJson(schema.codec.state, decodeSectionBody(bytes, schema, {}))),
      ) as Json;
      expect(Buffer.from(encodeSectionBody(json, schema, {})).equals(Buffer.from(bytes))).toBe(
        true,
      );
    },
  );

  it("the configuration section names the machine type", () => {
    const doc = decodeStream(streamBytes("pxe-loop-q35-modern"), codecs, {});
    const config = doc.items[0];
    expect(config?.type).toBe("configuration");
    const state = config?.type === "configuration" ? (config.state as { name: string }) : undefined;
    // A text field: the JSON string is the machine type itself.
    expect(state!.name).toBe("pc-q35-7.2");
  });
});

describe("streams that cannot be read", () => {
  it("QEMU 2.5/2.6's order (curr_guest_offloads after the subsections): section, field, offset, expected and found bytes, bytes left", () => {
    const { bytes: moved, payload, length, offloads } = offloadsAfterSubsections();
    expect(streamBytes("linux-pc-user")[offloads + 8]).toBe(0x05);
    const message = streamErrorOf(() => decodeStream(moved, codecs, {}));
    expect(message).toContain(`section 41 "0000:00:02.0/virtio-net"`);
    // The reader takes the subsection header's first 8 bytes (05 15 "virtio") for curr_guest_offloads,
    // finds no subsection in "/64bit_features…", and expects the footer there.
    expect(message).toBe(
      `section 41 "0000:00:02.0/virtio-net": expected the section footer 7e 00 00 00 29 at byte offset ${offloads + 8}, ` +
        `found 2f 36 34 62 69 74 5f 66; the last field read was device.curr_guest_offloads (ending at byte offset ${offloads + 8}); ` +
        `${payload + length - (offloads + 8)} bytes of the section remain unread`,
    );
  });

  it("a bad value inside a section names the field, the offset and the bytes left", () => {
    const bytes = streamBytes("pxe-loop-pc").slice();
    const payload = 1096148;
    bytes.set([0x00, 0x00, 0x10, 0x00], payload + 351); // config_len 4096, past its bound of 256; the config (MAC, status) follows
    expect(streamErrorOf(() => decodeStream(bytes, codecs, {}))).toBe(
      `section 40 "0000:00:02.0/virtio-net" (schema virtio-net, version 11): config_len: config_len must be 0 to 256 at byte offset ${payload + 351} ` +
        `(bytes there: 00 00 10 00 52 54 00 12); ${46164 - 351} bytes of the section remain unread from there`,
    );
  });

  it("a stream cut short has lost its description: sections without a schema are kept up to their footers, and the cut is found", () => {
    const bytes = streamBytes("pxe-loop-pc").subarray(0, 1096148 + 500);
    expect(streamErrorOf(() => decodeStream(bytes, codecs, {}))).toBe(
      `section 40 "0000:00:02.0/virtio-net" (schema virtio-net, version 11): device.vlans[15]: unexpected end of input: u32le needs 4 bytes, 3 remain at byte offset 1096645 (bytes there: ff ff ff)`,
    );
  });

  it("not a stream, and an unknown section type", () => {
    expect(
      streamErrorOf(() => decodeStream(new TextEncoder().encode("hello world"), codecs, {})),
    ).toBe(
      `not a QEMU migration stream: expected the magic 51 45 56 4d ("QEVM") at byte offset 0, found 68 65 6c 6c`,
    );
    const bytes = streamBytes("pxe-loop-pc").slice();
    bytes[26] = 0x09;
    expect(streamErrorOf(() => decodeStream(bytes, codecs, {}))).toContain(
      "unknown section type 0x09 at byte offset 26",
    );
  });

  it("a parameter overrides what the stream implies, and a wrong one is caught", () => {
    const bytes = streamBytes("pxe-loop-pc");
    const plain = decodeStream(bytes, codecs, {});
    expect(decodeStream(bytes, codecs, { vectors: 4 })).toEqual(plain);
    expect(streamErrorOf(() => decodeStream(bytes, codecs, { vectors: 2 }))).toContain(
      `section 40 "0000:00:02.0/virtio-net"`,
    );
  });

  it("a RAM record this decoder does not know (xbzrle) is refused with its offset", () => {
    const bytes = streamBytes("pxe-loop-pc").slice();
    // The first record of the PART section (payload at 241): flags 0x08 (page) become 0x40 (xbzrle).
    expect(bytes[241 + 7]).toBe(0x08);
    bytes[241 + 7] = 0x40;
    expect(streamErrorOf(() => decodeStream(bytes, codecs, {}))).toBe(
      "RAM section: record at byte offset 241 has flags 0x40, which this decoder does not know (only zero, page, mem-size, continue and end)",
    );
  });

  it("a value the schema or the stream format refuses is named by its path in the document", () => {
    const doc = JSON.parse(
      JSON.stringify(decodeStream(streamBytes("pxe-loop-pc"), codecs, {})),
    ) as StreamDocument;
    const index = doc.items.findIndex((i) => i.type === "full" && i.idstr.endsWith("/virtio-net"));
    const section = doc.items[index] as unknown as {
      body: { state: { device: { promisc: number } } };
    };
    section.body.state.device.promisc = 300;
    const source = streamBytes("pxe-loop-pc");
    expect(streamErrorOf(() => encodeStream(doc, codecs, {}, source))).toBe(
      `cannot encode items[${index}].body.state.device.promisc: expected u8, found 300`,
    );
    // The stream's own fields too: a section id past 32 bits is the same kind of error, not a SaveError.
    const header = structuredClone(doc);
    (header.items[index] as { sectionId: number }).sectionId = 2 ** 33;
    expect(streamErrorOf(() => encodeStream(header, codecs, {}, source))).toBe(
      `cannot encode items[${index}].sectionId: expected u32, found 8589934592`,
    );
  });
});

/** A stream read `step` bytes at a time at most, as a file (any offset) or as a pipe (in order, size unknown). */
function piecemeal(bytes: Uint8Array, step: number, pipe: boolean): ByteSource {
  let next = 0;
  return {
    size: pipe ? undefined : bytes.length,
    seekable: !pipe,
    read(into, at, n, position) {
      if (pipe) expect(position).toBe(next);
      const got = Math.max(0, Math.min(n, step, bytes.length - position));
      into.set(bytes.subarray(position, position + got), at);
      next = position + got;
      return got;
    },
    close() {},
  };
}

describe("reads of any size, from a file or a pipe", () => {
  it.each([
    [1, false],
    [7, true],
    [4093, false],
    [4093, true],
    [65539, true],
  ])("reads of at most %i bytes (a pipe: %s) give the same document", (step, pipe) => {
    for (const name of ["pxe-loop-pc", "pxe-loop-pc-i440fx-2.3", "linux-pc-user"]) {
      const bytes = streamBytes(name);
      const doc = decodeSource(piecemeal(bytes, step, pipe), codecs, streamParams(name));
      const whole = decodeStream(bytes, codecs, streamParams(name));
      expect(doc.items).toEqual(whole.items);
      expect(doc.source).toEqual(whole.source);
    }
  });

  it("a stream cut anywhere, read as a pipe, is one StreamError, never another exception", () => {
    const bytes = streamBytes("pxe-loop-pc");
    for (const end of [1, 8, 20, 26, 100, 241, 5000, 1083214, 1083300, 1100000, 1142481, 1200000]) {
      const message = streamErrorOf(() =>
        decodeSource(piecemeal(bytes.subarray(0, end), 65536, true), codecs, {}),
      );
      expect(message.split("\n")).toHaveLength(1);
    }
    // Cut right after the EOF, it is a stream without its description, which is read.
    const items = decodeSource(
      piecemeal(bytes.subarray(0, 1142482), 65536, true),
      codecs,
      {},
    ).items;
    expect(items.at(-1)?.type).toBe("eof");
  });
});

describe("the generated modules the stream tools load", () => {
  it("a missing one is a StreamError that says to generate and build, not a module error", async () => {
    const missing = loadCodecs(join(root, "schemas"), join(root, "docs"));
    await expect(missing).rejects.toThrow(StreamError);
    await expect(missing).rejects.toThrow(
      /^the generated module of .*\/([\w-]+)\.vmstate is missing \(.*docs\/\1\.js\): run `npm run gen` and `npm run build`$/,
    );
  });
});

describe("a stream without its description", () => {
  it("is read when every device section has a schema", () => {
    // The header, the configuration section and the virtio-net section (with its footer) of
    // pxe-loop-pc, then EOF: a stream QEMU's suppress-vmdesc would write for such a machine.
    const bytes = streamBytes("pxe-loop-pc");
    const small = new Uint8Array([
      ...bytes.subarray(0, 26),
      ...bytes.subarray(1096111, 1142312 + 5),
      0x00,
    ]);
    const doc = decodeStream(small, codecs, {});
    expect(doc.items.map((i) => i.type)).toEqual(["configuration", "full", "eof"]);
    expect(Buffer.from(encodeStream(doc, codecs, {}, small)).equals(Buffer.from(small))).toBe(true);
  });
});
