// A Reader that records where each field and subsection header of a successful load lies, so a
// fuzz campaign knows the counts, lengths and indices of a base input and where its headers are.

import { Reader } from "../runtime/index.js";
import { observeScalarReads } from "../runtime/observe.js";

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

  override subsection(owner: string): string | undefined {
    const at = this.pos;
    const name = super.subsection(owner);
    if (name !== undefined) this.subsections.push(at);
    return name;
  }
}

observeScalarReads(RecordingReader, (r, path, start, size) => r.fields.push({ path, start, size }));
