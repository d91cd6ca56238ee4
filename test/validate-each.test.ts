// `validate each x in array: condition`: every element is checked on load and on save, and the
// error names the element (golden schema test/golden/arrays.vmstate).

import { describe, expect, it } from "vitest";
import { LoadError, Reader, SaveError, Writer } from "../runtime/index.js";
import { loadArrays, saveArrays, type Arrays } from "./golden/arrays.js";

function state(words: number[]): Arrays {
  return {
    mac: new Uint8Array(6),
    vector: [1, 2, 3, 4],
    length: 2,
    payload: new Uint8Array([1, 2]),
    count: words.length,
    words,
    wide: false,
    slots: words.map((_, i) => ({ id: i, value: undefined, small: i })),
    fixed_slots: [
      { id: 7, value: 1n, small: undefined },
      { id: 8, value: 2n, small: undefined },
    ],
    grid: [
      [1, 2, 3],
      [4, 5, 6],
    ],
    pairs: words.flatMap(() => [
      { left: 1, right: -1 },
      { left: 2, right: -2 },
    ]),
    matrix: words.map(() => [
      { left: 0, right: 0 },
      { left: 0, right: 0 },
    ]),
  };
}

describe("validate each", () => {
  it("accepts elements that pass and round-trips", () => {
    const w = new Writer();
    saveArrays(w, state([1, 0x7fff, 3]));
    expect(loadArrays(new Reader(w.finish()))).toEqual(state([1, 0x7fff, 3]));
  });

  it("refuses to save a state with an element that fails, naming it", () => {
    expect(() => saveArrays(new Writer(), state([1, 2, 0x8000]))).toThrow(
      new SaveError("words[2]", "a word has its top bit set"),
    );
  });

  it("refuses to load a stream with an element that fails, naming it and its place", () => {
    const w = new Writer();
    saveArrays(w, state([1, 2, 3]));
    const bytes = w.finish();
    // words start after mac (6), vector (16), length (2), payload (2), count (1): three u16le.
    const words = 6 + 16 + 2 + 2 + 1;
    expect(bytes[words + 2 * 1]).toBe(2);
    bytes[words + 2 * 1 + 1] = 0x80; // words[1] = 0x8002
    let error: unknown;
    try {
      loadArrays(new Reader(bytes));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LoadError);
    expect((error as LoadError).path).toBe("words[1]");
    expect((error as LoadError).reason).toBe("a word has its top bit set");
  });
});
