// Readers that watch every read they make: the stream decoder (where the last field ended, for its
// messages) and the fuzzer's recorder (where each field lies). Not imported by generated code.

import { Reader } from "./reader.js";

/** Bytes each scalar read takes. */
const SCALAR_SIZES = { u8: 1, i8: 1, bool: 1, u16: 2, u16le: 2, i16: 2, i16le: 2, u32: 4, u32le: 4, i32: 4, i32le: 4, u64: 8, u64le: 8, i64: 8, i64le: 8 } as const;

/**
 * Makes every scalar read of `subclass` report the field it read, after it succeeded. The Reader's
 * scalar reads check their bounds inline rather than through `need()` (for speed), so overriding
 * `need()` alone, as a subclass does for bytes and padding, misses them.
 */
export function observeScalarReads<R extends Reader>(subclass: abstract new (bytes: Uint8Array) => R, seen: (reader: R, path: string, start: number, size: number) => void): void {
  for (const [method, size] of Object.entries(SCALAR_SIZES) as [keyof typeof SCALAR_SIZES, number][]) {
    const read = Reader.prototype[method] as (this: Reader, path: string) => unknown;
    Object.defineProperty(subclass.prototype, method, {
      value(this: R, path: string): unknown {
        const start = this.pos;
        const v = read.call(this, path);
        seen(this, path, start, size);
        return v;
      },
    });
  }
}
