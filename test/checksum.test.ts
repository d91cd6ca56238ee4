// The RAM checksum (stream/checksum.ts): the WebAssembly sums and their JavaScript fallback agree
// with the definition, however the bytes are cut into pieces, and a change of any byte shows.

import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ARENA_START, Checksum, createArena, referenceChecksum } from "../stream/checksum.js";

/** The checksum of `data` fed to an arena in pieces of the given sizes (cycled). */
function inPieces(data: Uint8Array, sizes: readonly number[], wasm: boolean): string {
  const arena = createArena(ARENA_START + data.length, wasm);
  arena.bytes.set(data, ARENA_START);
  const sum = new Checksum(arena);
  sum.reset();
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const n = Math.min(sizes[i % sizes.length]!, data.length - at);
    sum.update(ARENA_START + at, n);
    at += n;
  }
  return sum.digest();
}

describe.each([true, false])("the checksum (WebAssembly: %s)", (wasm) => {
  it.each([0, 1, 63, 64, 65, 4096, 100_003])(
    "of %i bytes, in any pieces, is the definition's",
    (length) => {
      const data = new Uint8Array(randomBytes(length));
      const expected = referenceChecksum(data);
      for (const sizes of [[length || 1], [1], [7, 64, 1], [63], [4096, 5, 128]])
        expect(inPieces(data, sizes, wasm)).toBe(expected);
    },
  );

  it("changes with any one byte, with the length, and with the order of two stripes", () => {
    const data = new Uint8Array(randomBytes(8192));
    const base = inPieces(data, [8192], wasm);
    for (const at of [0, 1, 63, 64, 4095, 8191]) {
      const changed = data.slice();
      changed[at] = changed[at]! ^ 0x01;
      expect(inPieces(changed, [8192], wasm)).not.toBe(base);
    }
    expect(inPieces(data.subarray(0, 8191), [8191], wasm)).not.toBe(base);
    expect(inPieces(new Uint8Array([...data, 0]), [8193], wasm)).not.toBe(base);
    const swapped = data.slice();
    swapped.set(data.subarray(0, 64), 64);
    swapped.set(data.subarray(64, 128), 0);
    expect(inPieces(swapped, [8192], wasm)).not.toBe(base);
  });

  it("keeps an arena's bytes when it grows", () => {
    const arena = createArena(ARENA_START + 10, wasm);
    arena.bytes.set([1, 2, 3], ARENA_START);
    arena.grow(ARENA_START + (1 << 20));
    expect(arena.bytes.length).toBeGreaterThanOrEqual(ARENA_START + (1 << 20));
    expect([...arena.bytes.subarray(ARENA_START, ARENA_START + 3)]).toEqual([1, 2, 3]);
  });
});

it("is 128 bits of hex, and the same for the same bytes", () => {
  const data = new TextEncoder().encode("QEVM");
  expect(referenceChecksum(data)).toMatch(/^[0-9a-f]{32}$/);
  expect(referenceChecksum(data)).toBe(referenceChecksum(data.slice()));
});
