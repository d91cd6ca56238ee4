// Test helpers: a section body's layout as the stream's own description (the JSON QEMU appends
// after EOF) has it, the layout a schema reads, and whether the two agree.

import { expect } from "vitest";
import { eachRunField, Reader, type RunLayout } from "../../runtime/reader.js";
import type { SectionSchema } from "../../stream/codecs.js";

/** One device of the description (`devices[]`), or a subsection or struct within it. */
export interface DescribedEntry {
  vmsd_name?: string;
  name?: string;
  instance_id?: number;
  fields?: DescribedField[];
  subsections?: DescribedEntry[];
}

interface DescribedField {
  name: string;
  type: string;
  size: number;
  array_len?: number;
  struct?: DescribedEntry;
  fields?: DescribedField[];
}

/** A run of bytes: where it starts in the body, and how long it is. */
export type Leaf = readonly [offset: number, size: number];

/** A described run, and whether the description gives it as one number (or boolean). */
export interface DescribedLeaf {
  readonly at: number;
  readonly size: number;
  readonly name: string;
  readonly scalar: boolean;
}

/**
 * The description's types of one number or boolean (QEMU's VMStateInfo names; "timer" is a
 * QEMUTimer's expiry time, one int64). The others ("buffer", "unused_buffer", "pci config",
 * "pci irq state", "msix state", "virtio") are runs of bytes to the description.
 */
const SCALAR_TYPES = /^(u?int(8|16|32|64)( equal| le)?|bool|timer)$/;

/** A section body as the description lays it out: its runs, and its subsections' names in order. */
export interface DescribedLayout {
  readonly leaves: readonly DescribedLeaf[];
  readonly subsections: readonly string[];
}

/** The byte runs of a section body in wire order, as the stream's own description lays them out. */
export function describedLayout(entry: DescribedEntry): DescribedLayout {
  const leaves: DescribedLeaf[] = [];
  const subsections: string[] = [];
  let at = 0;
  const walk = (e: DescribedEntry): void => {
    for (const f of e.fields ?? []) {
      for (let i = 0; i < (f.array_len ?? 1); i++) {
        if (f.struct) walk(f.struct);
        else if (f.fields)
          walk({ fields: f.fields }); // VMSTATE_WITH_TMP: the tmp's fields inline
        else {
          leaves.push({ at, size: f.size, name: f.name, scalar: SCALAR_TYPES.test(f.type) });
          at += f.size;
        }
      }
    }
    for (const sub of e.subsections ?? []) {
      subsections.push(sub.vmsd_name!);
      at += 1 + 1 + sub.vmsd_name!.length + 4;
      walk(sub);
    }
  };
  walk(entry);
  return { leaves, subsections };
}

const reads = [
  "u8",
  "i8",
  "bool",
  "u16",
  "u16le",
  "i16",
  "i16le",
  "u32",
  "u32le",
  "i32",
  "i32le",
  "u64",
  "u64le",
  "i64",
  "i64le",
  "bytes",
  "text",
  "skip",
] as const;

/** A Reader that notes where each value it reads starts and how long it is, and each subsection. */
export class LayoutReader extends Reader {
  readonly leaves: Leaf[] = [];
  /** Where the runs of raw bytes (bytes, text, unused) start. */
  readonly runs = new Set<number>();
  /** Each subsection read: its name, and where its header starts. */
  readonly subsections: { name: string; at: number }[] = [];

  // A run's values are read at offsets from its start, not through the methods below: its layout
  // says where each is.
  override run(n: number, fields: RunLayout): number {
    const start = super.run(n, fields);
    eachRunField(fields, start, (at, width, what) => {
      this.leaves.push([at, width]);
      if (what === "unused") this.runs.add(at);
    });
    return start;
  }

  // A subsection's header is not a value: what the Reader reads of it is not noted.
  override subsection(owner: string): string | undefined {
    const noted = this.leaves.length;
    const name = super.subsection(owner);
    this.leaves.length = noted;
    return name;
  }

  override subsectionVersion(name: string, minimum: number, maximum: number, path: string): number {
    this.subsections.push({ name, at: this.pos - 2 - name.length });
    const noted = this.leaves.length;
    const version = super.subsectionVersion(name, minimum, maximum, path);
    this.leaves.length = noted;
    return version;
  }
}
for (const method of reads) {
  const read = Object.getOwnPropertyDescriptor(Reader.prototype, method)!.value as (
    this: Reader,
    ...args: unknown[]
  ) => unknown;
  Object.defineProperty(LayoutReader.prototype, method, {
    value: function (this: LayoutReader, ...args: unknown[]): unknown {
      const start = this.pos;
      const value = read.apply(this, args);
      this.leaves.push([start, this.pos - start]);
      if (method === "bytes" || method === "text" || method === "skip") this.runs.add(start);
      return value;
    },
  });
}

/** The layout the schema reads: where each value it reads starts, and its size. */
export function schemaLayout(
  schema: SectionSchema,
  body: Uint8Array,
  version: number,
  params: Record<string, unknown>,
): LayoutReader {
  const r = new LayoutReader(body);
  schema.codec.load(r, params, version);
  expect(r.pos).toBe(body.length);
  return r;
}

/**
 * Where the schema's reading disagrees with the description, as readable lines (none: they agree).
 * The two cover the body alike; each number the description gives is one value the schema reads,
 * of its size, or (a single byte) part of a run of raw bytes the schema reads (a
 * VMSTATE_UINT8_ARRAY read as bytes[N]); what the description gives as a buffer or as one opaque
 * field (virtio-net's VMSTATE_VIRTIO_DEVICE, slirp's buffer) the schema may read as several values,
 * none of them crossing its ends. The subsections are those the description names, in its order,
 * apart from those inside an opaque field (virtio_save writes virtio's own subsections there).
 */
export function layoutDisagreements(
  read: LayoutReader,
  layout: DescribedLayout,
  bodyLength: number,
): string[] {
  const out: string[] = [];
  const described = layout.leaves;
  const opaque = described.filter((l) => !l.scalar);
  const subsections = read.subsections
    .filter(({ at }) => !opaque.some((l) => l.at <= at && at < l.at + l.size))
    .map((s) => s.name);
  if (subsections.join() !== layout.subsections.join())
    out.push(
      `subsections read: ${subsections.join(", ") || "none"}; described: ${layout.subsections.join(", ") || "none"}`,
    );
  const end = described.reduce((n, l) => Math.max(n, l.at + l.size), 0);
  if (end !== bodyLength) out.push(`the description covers ${end} bytes of ${bodyLength}`);
  const starts = new Map(read.leaves.map(([at, size]) => [at, size]));
  const runs = read.leaves.filter(([at]) => read.runs.has(at));
  const inRun = (at: number): boolean => runs.some(([s, n]) => s <= at && at < s + n);
  for (const leaf of described) {
    if (leaf.size === 0) continue;
    if (leaf.scalar) {
      if (starts.get(leaf.at) === leaf.size) continue;
      if (leaf.size === 1 && inRun(leaf.at)) continue;
      out.push(`${leaf.name} at ${leaf.at}: ${leaf.size} bytes described, read otherwise`);
      continue;
    }
    // A buffer: no value the schema reads crosses either of its ends.
    for (const [at, size] of read.leaves) {
      const crosses =
        (at < leaf.at && at + size > leaf.at) ||
        (at < leaf.at + leaf.size && at + size > leaf.at + leaf.size);
      if (crosses) out.push(`${leaf.name} at ${leaf.at}: the value read at ${at} crosses its ends`);
    }
  }
  return out;
}
