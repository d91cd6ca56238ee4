// A Reader that records where each field and subsection header of a successful load lies, so a
// fuzz campaign knows the counts, lengths and indices of a base input and where its headers are.

import { eachRunField, Reader, type RunLayout } from "../runtime/index.js";

export interface RecordedField {
  /** The path as the generated code passes it to the reader: relative to the struct being read. */
  readonly path: string;
  readonly start: number;
  readonly size: number;
}

export class RecordingReader extends Reader {
  readonly fields: RecordedField[] = [];
  /** Offsets of subsection headers (the 0x05 marker); the name's length is the byte after it. */
  readonly subsections: number[] = [];

  protected override need(n: number, path: string, what: string): number {
    const at = super.need(n, path, what);
    this.fields.push({ path, start: at, size: n });
    return at;
  }

  // A run's values are read at offsets from its start: its layout says where each is. An array
  // element's path is the array's with `[]`, as the field-by-field reads pass it.
  override run(n: number, layout: RunLayout): number {
    const start = super.run(n, layout);
    eachRunField(layout, start, (at, size, _what, path) =>
      this.fields.push({ path: path.replace(/\[\d+\]$/, "[]"), start: at, size }),
    );
    return start;
  }

  override subsection(owner: string): string | undefined {
    const at = this.pos;
    const name = super.subsection(owner);
    if (name !== undefined) this.subsections.push(at);
    return name;
  }
}

/** Bytes each scalar read takes. */
const SCALAR_SIZES = {
  u8: 1,
  i8: 1,
  bool: 1,
  u16: 2,
  u16le: 2,
  i16: 2,
  i16le: 2,
  u32: 4,
  u32le: 4,
  i32: 4,
  i32le: 4,
  u64: 8,
  u64le: 8,
  i64: 8,
  i64le: 8,
} as const;

// The Reader's scalar reads check their bounds inline rather than through need() (for speed), so
// overriding need() records bytes and padding only: each scalar read is recorded here.
for (const [method, size] of Object.entries(SCALAR_SIZES) as [
  keyof typeof SCALAR_SIZES,
  number,
][]) {
  // The Reader's own read, called on the recording reader.
  const read = (reader: Reader, path: string): unknown =>
    (Reader.prototype[method] as (this: Reader, path: string) => unknown).call(reader, path);
  Object.defineProperty(RecordingReader.prototype, method, {
    value(this: RecordingReader, path: string): unknown {
      const start = this.pos;
      const v = read(this, path);
      this.fields.push({ path, start, size });
      return v;
    },
  });
}
