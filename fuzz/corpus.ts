// The inputs the fuzz campaigns start from, with what a mutation should aim at in each: the
// virtio-net payloads QEMU 7.2 wrote and those of configurations the fixtures lack; whole streams
// (for truncation) and the same streams without their RAM pages (small enough to mutate a lot);
// and the schema texts of the repository.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadVirtioNet } from "../generated/virtio-net.js";
import { Reader, pciCapability } from "../runtime/index.js";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import type { Json } from "../stream/format.js";
import { stateToJson } from "../stream/json.js";
import {
  configurations,
  streamWithState,
  virtioNetPayload,
  virtioNetState,
} from "./configurations.js";
import {
  packageRoot,
  sectionBoundaries,
  streamBytes,
  streamIndex,
  streamNames,
  streamParams,
  virtioNetPayloads,
} from "./fixtures.js";
import type { Hotspots, LengthField } from "./mutate-bytes.js";
import { RecordingReader } from "./recorder.js";

export interface BinaryInput {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly hot: Hotspots;
  /** The params a whole stream is decoded with (its machine type's: fixtures.ts streamParams). */
  readonly params?: Record<string, unknown>;
}

export interface WholeStream {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Offsets where something starts or ends: section headers, payloads, footers, EOF, the description. */
  readonly boundaries: readonly number[];
  /** Offset of the EOF marker; the description follows it. */
  readonly eof: number;
  /** The params it is decoded with (its machine type's: fixtures.ts streamParams). */
  readonly params?: Record<string, unknown>;
}

export interface Corpus {
  readonly payloads: readonly BinaryInput[];
  readonly streams: readonly BinaryInput[];
  readonly wholeStreams: readonly WholeStream[];
  readonly schemas: readonly { readonly name: string; readonly text: string }[];
  /**
   * Documents `vmstate encode` reads: whole small streams (with the stream, the source of their
   * RAM sections), and virtio-net section bodies.
   */
  readonly documents: readonly {
    readonly name: string;
    readonly json: Json;
    readonly source?: Uint8Array;
    readonly params?: Record<string, unknown>;
  }[];
}

/** Paths (as the reader sees them) of fields that hold a count, a length, an index or a version. */
const DECISIVE = new Set([
  "version_id",
  "irq_state[]",
  "config_vector",
  "queue_sel",
  "config_len",
  "num_queues",
  "vring.num",
  "vector",
  "mac_table.in_use",
  "max_queue_pairs",
  "curr_queue_pairs",
  "rss.rss_data.indirections_len",
  "rss.rss_data.default_queue",
  "queue",
]);

/** The corpus; each part is built the first time a campaign asks for it. */
export function buildCorpus(codecs: Codecs): Corpus {
  const built = once(() => {
    const linux = virtioNetPayloads().find((p) => p.name === "linux-pc-user");
    if (!linux) throw new Error("the linux-pc-user fixture is missing");
    const base = loadVirtioNet(new Reader(linux.bytes));
    return configurations.map((c) => ({ name: c.name, state: virtioNetState(base, c) }));
  });
  const payloads = once(() =>
    [
      ...virtioNetPayloads(),
      ...built().map((b) => ({ name: b.name, bytes: virtioNetPayload(b.state) })),
    ].map((p) => ({ ...p, hot: payloadHotspots(p.bytes) })),
  );
  const wholeStreams = once(() => {
    const fixtures: WholeStream[] = streamNames().map((name) => {
      const index = streamIndex(name);
      return {
        name,
        bytes: streamBytes(name),
        boundaries: sectionBoundaries(index),
        eof: index.eof_offset,
        params: streamParams(name),
      };
    });
    const linuxStream = streamBytes("linux-pc-user");
    const made: WholeStream[] = built().map((b) => {
      const bytes = streamWithState(linuxStream, b.state, codecs);
      return { name: `linux-pc-user+${b.name}`, bytes, ...documentBoundaries(bytes, codecs) };
    });
    return [...fixtures, ...made];
  });
  const streams = once(() =>
    wholeStreams().map((s) => {
      const params = s.params ?? {};
      const bytes = withoutRamPages(s.bytes, codecs, params);
      return {
        name: `${s.name} (no RAM pages)`,
        bytes,
        hot: streamHotspots(bytes, codecs, params),
        params,
      };
    }),
  );
  const documents = once(() => {
    const schema = codecs.sections.get("virtio-net")!;
    return [
      ...["pxe-loop-pc-legacy", "pxe-loop-pc-i440fx-2.3"].map((name) => {
        const stream = streams().find((s) => s.name.startsWith(`${name} `))!;
        return {
          name: `${stream.name} as JSON`,
          json: JSON.parse(
            JSON.stringify(decodeStream(stream.bytes, codecs, stream.params ?? {})),
          ) as Json,
          source: stream.bytes,
          params: stream.params ?? {},
        };
      }),
      ...payloads().map((p) => ({
        name: `${p.name} section as JSON`,
        json: {
          format: "qemu-section",
          schema: "virtio-net",
          state: stateToJson(
            schema.codec.state,
            loadVirtioNet(new Reader(p.bytes)) as unknown as Record<string, unknown>,
          ),
        },
      })),
    ];
  });
  const schemas = once(schemaTexts);
  return {
    get payloads() {
      return payloads();
    },
    get streams() {
      return streams();
    },
    get wholeStreams() {
      return wholeStreams();
    },
    get documents() {
      return documents();
    },
    get schemas() {
      return schemas();
    },
  };
}

function once<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

/** A payload's decisive fields and subsection headers, from a recorded load. */
function payloadHotspots(bytes: Uint8Array): Hotspots {
  const r = new RecordingReader(bytes);
  loadVirtioNet(r);
  return hotspotsOf(r, 0);
}

/** Hot spots of the payload a RecordingReader read from `start` (offsets in the reader's input). */
function hotspotsOf(r: RecordingReader, start: number): Hotspots {
  const input = r.input;
  const lengthFields: LengthField[] = [];
  for (const f of r.fields) {
    if (DECISIVE.has(f.path) && (f.size === 1 || f.size === 2 || f.size === 4))
      lengthFields.push({ offset: f.start, size: f.size });
    // The configuration space: its status (capability list), capability pointer and MSI-X table size decide lengths.
    if (f.path === "config" && f.size === 256) {
      const msix = pciCapability(input.subarray(f.start, f.start + 256), 0x11);
      for (const at of [0x06, 0x34, ...(msix ? [msix + 2, msix + 3] : [])])
        lengthFields.push({ offset: f.start + at, size: 1 });
    }
  }
  const ranges: (readonly [number, number])[] = [];
  const firstSubsection = r.subsections.length > 0 ? Math.min(...r.subsections) : r.pos;
  ranges.push([start, firstSubsection + 8]);
  for (const at of r.subsections) {
    const len = input[at + 1]!;
    lengthFields.push({ offset: at + 1, size: 1 }, { offset: at + 2 + len, size: 4 });
    ranges.push([at, at + 2 + len + 4 + 8]);
  }
  ranges.push([Math.max(start, r.pos - 32), r.pos]);
  return { ranges, lengthFields };
}

/** A stream's headers, footers, name and length fields, and its virtio-net payload's hot spots. */
function streamHotspots(
  bytes: Uint8Array,
  codecs: Codecs,
  params: Record<string, unknown>,
): Hotspots {
  const doc = decodeStream(bytes, codecs, params);
  const ranges: (readonly [number, number])[] = [[0, 8]];
  const lengthFields: LengthField[] = [];
  for (const item of doc.items) {
    const at = item.offset ?? 0;
    switch (item.type) {
      case "configuration":
        ranges.push([at, at + 5]);
        lengthFields.push({ offset: at + 1, size: 4 });
        break;
      case "start":
      case "full": {
        const len = bytes[at + 5]!;
        const payload = at + 6 + len + 8;
        ranges.push([at, payload + 8]);
        lengthFields.push(
          { offset: at + 1, size: 4 },
          { offset: at + 5, size: 1 },
          { offset: payload - 4, size: 4 },
        );
        if (item.type === "full" && item.idstr.endsWith("/virtio-net")) {
          const r = new RecordingReader(bytes, payload);
          loadVirtioNet(r);
          const hot = hotspotsOf(r, payload);
          ranges.push(...hot.ranges);
          lengthFields.push(...hot.lengthFields);
        }
        break;
      }
      case "part":
      case "end":
        ranges.push([at, at + 5 + 16]);
        break;
      case "eof":
        ranges.push([at, at + 1]);
        break;
      case "vmdesc":
        ranges.push([at, at + 64]);
        lengthFields.push({ offset: at + 1, size: 4 });
        break;
      case "command":
        break;
    }
  }
  return { ranges, lengthFields };
}

/** The stream without its RAM PART sections (the pages); the rest, the description included, as it was. */
function withoutRamPages(
  bytes: Uint8Array,
  codecs: Codecs,
  params: Record<string, unknown>,
): Uint8Array {
  const doc = decodeStream(bytes, codecs, params);
  const offsets = doc.items.map((i) => i.offset ?? 0);
  const keep: Uint8Array[] = [];
  let from = 0;
  doc.items.forEach((item, n) => {
    if (item.type !== "part") return;
    keep.push(bytes.subarray(from, offsets[n]));
    from = offsets[n + 1] ?? bytes.length;
  });
  keep.push(bytes.subarray(from));
  const out = new Uint8Array(keep.reduce((s, k) => s + k.length, 0));
  let at = 0;
  for (const k of keep) {
    out.set(k, at);
    at += k.length;
  }
  decodeStream(out, codecs, params); // still a stream the decoder reads
  return out;
}

/** Offsets of a stream's items, their payloads and footers, and its EOF, from its decoded document. */
function documentBoundaries(
  bytes: Uint8Array,
  codecs: Codecs,
): { boundaries: number[]; eof: number } {
  const doc = decodeStream(bytes, codecs, {});
  const points = new Set<number>([0, 8, bytes.length]);
  for (const item of doc.items) {
    const at = item.offset ?? 0;
    points.add(at);
    if (item.type === "full" || item.type === "start") points.add(at + 6 + bytes[at + 5]! + 8);
    if (item.type === "part" || item.type === "end") points.add(at + 5);
  }
  const eof = doc.items.find((i) => i.type === "eof")?.offset ?? bytes.length;
  return { boundaries: [...points].sort((a, b) => a - b), eof };
}

/** Every schema of the repository: schemas/, the error corpus, the golden schemas, the examples. */
function schemaTexts(): { name: string; text: string }[] {
  const dirs = ["schemas", "test/errors", "test/golden", "examples/seed-bug"];
  return dirs.flatMap((dir) =>
    readdirSync(join(packageRoot, dir))
      .filter((f) => f.endsWith(".vmstate"))
      .sort()
      .map((f) => ({ name: `${dir}/${f}`, text: readFileSync(join(packageRoot, dir, f), "utf8") })),
  );
}
