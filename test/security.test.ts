// What docs/security.md promises, each checked: loaders allocate only from checked counts, names
// in a stream or a document never become property names, nothing evaluates code, messages about
// hostile names stay one printable line, and a hostile description or document is an error.

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadVirtioNet } from "../generated/virtio-net.js";
import { LoadError, Reader } from "../runtime/index.js";
import type { Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { encodeDocument, encodeStream } from "../stream/encode.js";
import { StreamError, type StreamDocument } from "../stream/format.js";
import { projectCodecs } from "./support/codecs.js";
import { generatedModuleFiles, root } from "./support/compile.js";
import { virtioNetPayloads } from "./support/fixtures.js";
import { streamBytes, streamErrorOf } from "./support/streams.js";

let codecs: Codecs;
beforeAll(async () => {
  codecs = await projectCodecs();
});

const generatedModules = [
  ...generatedModuleFiles().map((f) => join(root, f)),
  ...readdirSync(join(root, "test", "golden"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(root, "test", "golden", f)),
];

/** The bodies of a module's `load…` functions. */
function loaders(text: string): string[] {
  return text.split(/^export function /m).filter((part) => part.startsWith("load"));
}

describe("bounds", () => {
  it.each(generatedModules.map((m) => [m.slice(root.length + 1), m] as const))(
    "%s: every allocation and skip of a loader has a constant size or a count checked against its bound",
    (_, module) => {
      const text = readFileSync(module, "utf8");
      // A size may be a module constant of the schema (`export const ETH_ALEN = 6;`).
      const constants = new Set(
        [...text.matchAll(/^export const (\w+): number = (?:\d|0x)[\w]*;$/gm)].map((m) => m[1]!),
      );
      const constantSize = (size: string): boolean =>
        /^(\d+|r\.count\()/.test(size) || constants.has(size);
      let sizes = 0;
      for (const body of loaders(text)) {
        // Arrays: `const i$n = 6;` or `const i$n = r.count(…, max, …);`, then `new Array(i$n)`.
        for (const m of body.matchAll(/const (\w+\$n) = ([^;]*);/g)) {
          expect(constantSize(m[2]!), `${m[1]} = ${m[2]} in ${body.slice(0, 40)}`).toBe(true);
          expect(body).toContain(`new Array<`);
          sizes++;
        }
        // A loop of a run allocates its constant count, claimed whole by the run before.
        for (const m of body.matchAll(/new Array<[^>]+>\((\w+)\)/g))
          expect(m[1]).toMatch(/\$n$|^\d+$/);
        // Bytes and skips: a constant, or a checked count.
        for (const m of body.matchAll(/r\.(bytes|skip)\(\s*([^,]*)/g)) {
          expect(constantSize(m[2]!), `${m[1]}(${m[2]}) in ${body.slice(0, 40)}`).toBe(true);
          sizes++;
        }
        // Runs of fixed-size fields: claimed with a constant size.
        for (const m of body.matchAll(/r\.run\(\s*([^,]*)/g)) {
          expect(m[1], `run(${m[1]}) in ${body.slice(0, 40)}`).toMatch(/^\d+$/);
          sizes++;
        }
      }
      if (module.endsWith("virtio-net.ts")) expect(sizes).toBeGreaterThan(20);
    },
  );

  it("Reader.count refuses a count above its bound or below zero before anything is allocated", () => {
    const r = new Reader(new Uint8Array(8));
    expect(() => r.count(129, 128, "table")).toThrow(
      new LoadError("table", 0, "count 129 is out of range (0 to 128)"),
    );
    expect(() => r.count(-1, 128, "table")).toThrow(LoadError);
    expect(() => r.count(2n ** 64n, 128, "table")).toThrow(LoadError);
  });
});

describe("names from the input never become property names", () => {
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

  it("a subsection named virtio-net-device/__proto__ (or constructor) is an unknown subsection", () => {
    const payload = virtioNetPayloads().find((p) => p.name === "pxe-loop-pc")!.bytes;
    // The first subsection of the payload is virtio/64bit_features at 960 (decoded.txt); put a
    // virtio-net-device subsection of a hostile name there instead.
    for (const name of ["virtio-net-device/__proto__", "virtio-net-device/constructor"]) {
      const header = new Uint8Array([
        0x05,
        name.length,
        ...Buffer.from(name, "latin1"),
        0,
        0,
        0,
        1,
      ]);
      const bytes = new Uint8Array([
        ...payload.subarray(0, 960),
        ...header,
        ...payload.subarray(960),
      ]);
      let error: unknown;
      try {
        loadVirtioNet(new Reader(bytes));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LoadError);
      expect((error as LoadError).message).toBe(
        `device: unknown subsection "${name}" of "virtio-net-device" (bytes 05 ${name.length.toString(16)} 76 69 72 74 69 6f) (at byte offset 960)`,
      );
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  });

  it("a document with __proto__ or constructor members is refused by name, and the prototype is untouched", () => {
    const section = {
      format: "qemu-section",
      schema: "virtio-net",
      state: JSON.parse(`{"__proto__": {"polluted": 1}, "status": 0}`) as unknown,
    };
    expect(() => encodeDocument(section, codecs, {})).toThrow(
      new StreamError("state.__proto__: no such field in the schema"),
    );
    const doc = JSON.parse(
      JSON.stringify(decodeStream(streamBytes("pxe-loop-pc-legacy"), codecs, {})),
    ) as { items: Record<string, unknown>[] };
    const item = doc.items.find(
      (i) => i["type"] === "full" && String(i["idstr"]).endsWith("/virtio-net"),
    )!;
    (item["body"] as { state: Record<string, unknown> }).state = JSON.parse(
      `{"constructor": {"prototype": {"polluted": 1}}}`,
    ) as Record<string, unknown>;
    expect(() => encodeDocument(doc, codecs, {})).toThrow(
      /^items\[\d+\]\.body\.state\.constructor: no such field in the schema$/,
    );
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
  });

  it("a decoded state has the schema's keys and plain prototypes, whatever the stream holds", () => {
    const state = loadVirtioNet(
      new Reader(virtioNetPayloads().find((p) => p.name === "linux-pc-user")!.bytes),
    ) as unknown as Record<string, unknown>;
    const visit = (v: unknown): void => {
      if (typeof v !== "object" || v === null || v instanceof Uint8Array) return;
      expect([Object.prototype, Array.prototype]).toContain(Object.getPrototypeOf(v));
      for (const child of Object.values(v)) visit(child);
    };
    visit(state);
    expect(Object.keys(state)).toEqual([
      "pci",
      "msix_table",
      "msix_pba",
      "config_vector",
      "status",
      "isr",
      "queue_sel",
      "guest_features",
      "config_len",
      "config",
      "num_queues",
      "vq",
      "device",
      "virtio",
    ]);
  });
});

describe("no code is evaluated", () => {
  const sources = ["runtime", "stream", "generated"].flatMap((dir) =>
    readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => join(root, dir, f)),
  );

  it.each(sources.map((s) => [s.slice(root.length + 1), s] as const))(
    "%s has no eval, Function or require",
    (_, file) => {
      expect(readFileSync(file, "utf8")).not.toMatch(
        /\beval\s*\(|new\s+Function\b|\bFunction\s*\(|\brequire\s*\(/,
      );
    },
  );
});

describe("hostile names, descriptions and documents are one-line errors", () => {
  it("a section name with a line break and a terminal escape is shown escaped", () => {
    // pxe-loop-pc's timer section (at 1083232) is named "timer"; call it "t\nr\x1b[2J" (same length).
    const bytes = streamBytes("pxe-loop-pc").slice();
    expect(Buffer.from(bytes.subarray(1083238, 1083243)).toString("latin1")).toBe("timer");
    bytes.set([0x74, 0x0a, 0x1b, 0x5b, 0x4a], 1083238);
    const message = streamErrorOf(() => decodeStream(bytes, codecs, {}));
    expect(message).toBe(
      `section 0 "t\\x0a\\x1b[J" at byte offset 1083251 has no schema, and the stream's description does not list it, so its end cannot be found`,
    );
  });

  it.each([
    ["a size that is missing", `"size": 8}`, `"sise": 8}`],
    ["a negative size", `"size": 8}`, `"size": -8}`],
    ["a fractional size", `"size": 8}`, `"size": 0.8}`],
  ])("a description with %s gives no size, and the section's end is not guessed", (_, from, to) => {
    const bytes = streamBytes("pxe-loop-pc");
    const text = Buffer.from(bytes).toString("latin1");
    const at = text.indexOf(from, text.indexOf(`{"name": "timer"`, 1142482));
    expect(at).toBeGreaterThan(1142482);
    const changed = new Uint8Array(
      Buffer.from(text.slice(0, at) + to + text.slice(at + from.length), "latin1"),
    );
    changed.set([0, 0, 0, 0], 1142482 + 1);
    new DataView(changed.buffer).setUint32(1142482 + 1, changed.length - 1142482 - 5);
    // Without the device schemas, so that the timer section's end needs the description.
    const sections = new Map([...codecs.sections].filter(([name]) => name === "configuration"));
    expect(streamErrorOf(() => decodeStream(changed, { ...codecs, sections }, {}))).toBe(
      `section 0 "timer" at byte offset 1083251 has no schema, and the stream's description gives no byte counts for it (a size that is missing, negative or not an integer), so its end cannot be found`,
    );
  });

  it.each([
    [
      "items that are not objects",
      { format: "qemu-migration-stream", fileVersion: 3, items: [null] },
      /^items\[0\]: expected an item/,
    ],
    [
      "a section without a name",
      {
        format: "qemu-migration-stream",
        fileVersion: 3,
        items: [
          {
            type: "full",
            sectionId: 1,
            instanceId: 0,
            versionId: 1,
            body: { hex: "" },
            footer: false,
          },
        ],
      },
      /^items\[0\]\.idstr: expected a section name/,
    ],
    [
      "a body that is a number",
      {
        format: "qemu-migration-stream",
        fileVersion: 3,
        items: [
          {
            type: "full",
            sectionId: 1,
            idstr: "x",
            instanceId: 0,
            versionId: 1,
            body: 5,
            footer: false,
          },
        ],
      },
      /^items\[0\]\.body: a section body needs/,
    ],
    [
      "a value with its own toString",
      {
        format: "qemu-migration-stream",
        fileVersion: 3,
        items: [
          {
            type: "full",
            sectionId: { toString: 1, valueOf: 1 },
            idstr: "x",
            instanceId: 0,
            versionId: 1,
            body: { hex: "" },
            footer: false,
          },
        ],
      },
      /^cannot encode items\[0\]\.sectionId: expected u32, found an object$/,
    ],
    [
      "a schema name that is an object",
      { format: "qemu-section", schema: { toString: 1 }, state: {} },
      /^no schema for section \{"toString":1\}/,
    ],
  ])("encode: %s", (_, doc, message) => {
    expect(
      streamErrorOf(() => encodeDocument(JSON.parse(JSON.stringify(doc)), codecs, {})),
    ).toMatch(message);
  });

  it("a section name above U+00FF cannot be encoded (the stream has one byte per character)", () => {
    const doc = JSON.parse(
      JSON.stringify(decodeStream(streamBytes("pxe-loop-pc-legacy"), codecs, {})),
    ) as StreamDocument;
    const index = doc.items.findIndex((i) => i.type === "full");
    (doc.items[index] as { idstr: string }).idstr = "tim€r";
    expect(streamErrorOf(() => encodeStream(doc, codecs, {}))).toBe(
      `items[${index}].idstr: expected a section name of characters U+0000 to U+00FF (one byte each)`,
    );
  });
});
