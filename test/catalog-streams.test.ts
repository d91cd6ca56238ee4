// Every section of every fixture stream, with the catalog: decoded into fields by a schema (none
// left as bytes), laid out as the stream's own description lays it out, and the stream encoded
// back byte-identical.

import { beforeAll, describe, expect, it } from "vitest";
import { schemaForIdstr, type Codecs } from "../stream/codecs.js";
import { decodeStream } from "../stream/decode.js";
import { encodeSectionBody, encodeStream } from "../stream/encode.js";
import type { Json, StreamDocument, StreamItem } from "../stream/format.js";
import { projectCodecs } from "./support/codecs.js";
import {
  describedLayout,
  layoutDisagreements,
  schemaLayout,
  type DescribedEntry,
  type LayoutReader,
} from "./support/described-layout.js";
import { fixtureStreams, streamBytes, streamParams } from "./support/streams.js";

type FullItem = Extract<StreamItem, { type: "start" | "full" }>;

let codecs: Codecs;
beforeAll(async () => {
  codecs = await projectCodecs();
});

describe.each(fixtureStreams)("stream %s", (stream) => {
  let doc: StreamDocument;
  let full: FullItem[];
  beforeAll(() => {
    doc = decodeStream(streamBytes(stream), codecs, streamParams(stream));
    full = doc.items.filter((i): i is FullItem => i.type === "full");
  });

  it("decodes every section by a schema of the catalog", () => {
    const bytes = full.filter((i) => !("state" in i.body)).map((i) => i.idstr);
    expect(bytes).toEqual([]);
    expect(full.length).toBeGreaterThan(25);
  });

  it("reads each section's fields at the sizes and places the stream's description gives", () => {
    const bytes = streamBytes(stream);
    const params = streamParams(stream);
    const vmdesc = doc.items.find((i) => i.type === "vmdesc") as { json: string };
    const devices = (JSON.parse(vmdesc.json) as { devices: DescribedEntry[] }).devices;
    const found: string[] = [];
    for (const item of full) {
      const at = `${item.idstr} ${item.instanceId}`;
      const schema = schemaForIdstr(codecs, item.idstr)!;
      const body = encodeSectionBody((item.body as { state: Json }).state, schema, params);
      // The body is the stream's own bytes, after the section header.
      const start = item.offset! + 1 + 4 + 1 + item.idstr.length + 4 + 4;
      expect(Buffer.from(bytes.subarray(start, start + body.length)).equals(body), at).toBe(true);
      const entry = devices.find((d) => d.name === item.idstr && d.instance_id === item.instanceId);
      expect(entry, `${at} in the description`).toBeDefined();
      const described = describedLayout(entry!);
      const read = schemaLayout(schema, body, item.versionId, params);
      found.push(...layoutDisagreements(read, described, body.length).map((d) => `${at}: ${d}`));
    }
    expect(found).toEqual([]);
  });

  it("encodes back to the same bytes", () => {
    const bytes = streamBytes(stream);
    const copy = JSON.parse(JSON.stringify(doc)) as StreamDocument;
    const again = encodeStream(copy, codecs, streamParams(stream), bytes);
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe("the layout comparison", () => {
  /** A section of the pxe-loop-pc stream: its description, and the layout its schema reads. */
  function section(idstr: string): { entry: DescribedEntry; read: LayoutReader; length: number } {
    const doc = decodeStream(streamBytes("pxe-loop-pc"), codecs, {});
    const item = doc.items.find((i): i is FullItem => i.type === "full" && i.idstr === idstr)!;
    const vmdesc = doc.items.find((i) => i.type === "vmdesc") as { json: string };
    const entry = (JSON.parse(vmdesc.json) as { devices: DescribedEntry[] }).devices.find(
      (d) => d.name === idstr,
    )!;
    const schema = schemaForIdstr(codecs, item.idstr)!;
    const body = encodeSectionBody((item.body as { state: Json }).state, schema, {});
    const read = schemaLayout(schema, body, item.versionId, {});
    expect(layoutDisagreements(read, describedLayout(entry), body.length)).toEqual([]);
    return { entry, read, length: body.length };
  }

  it("finds a number the description sizes otherwise, and a description longer than the body", () => {
    const { entry, read, length } = section("i8259");
    // imr as a uint16: the bytes after it move too.
    const wider = structuredClone(entry);
    const imr = wider.fields!.find((f) => f.name === "imr")! as { type: string; size: number };
    Object.assign(imr, { type: "uint16", size: 2 });
    const found = layoutDisagreements(read, describedLayout(wider), length);
    expect(found[0]).toBe(`the description covers ${length + 1} bytes of ${length}`);
    expect(found).toContain("imr at 2: 2 bytes described, read otherwise");
  });

  it("finds a subsection the description does not name", () => {
    const { entry, read, length } = section("cpu");
    const names = describedLayout(entry).subsections;
    expect(names.length).toBeGreaterThan(1);
    const fewer = structuredClone(entry);
    const dropped = fewer.subsections!.shift()!;
    const found = layoutDisagreements(read, describedLayout(fewer), length);
    expect(found).toContain(
      `subsections read: ${names.join(", ")}; described: ${names.slice(1).join(", ")}`,
    );
    expect(dropped.vmsd_name).toBe(names[0]);
  });
});
