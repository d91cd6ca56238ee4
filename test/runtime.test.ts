// The runtime's speed measures keep its contract: a Reader stops at its own end (its scalar reads
// check their bounds inline), a Writer refuses a wrong value with a SaveError, and Writers that
// pass one working buffer along never change a result they have handed out.

import { describe, expect, it } from "vitest";
import { LoadError, Reader, SaveError, Writer } from "../runtime/index.js";

const SCALARS = [
  ["u8", 1],
  ["i8", 1],
  ["bool", 1],
  ["u16", 2],
  ["u16le", 2],
  ["i16", 2],
  ["i16le", 2],
  ["u32", 4],
  ["u32le", 4],
  ["i32", 4],
  ["i32le", 4],
  ["u64", 8],
  ["u64le", 8],
  ["i64", 8],
  ["i64le", 8],
] as const;

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe("Reader", () => {
  const input = Uint8Array.from({ length: 32 }, (_, i) => i + 1);

  it.each(SCALARS)(
    "%s stops at the reader's end, not the input's, and leaves the position",
    (method, size) => {
      for (let left = 0; left < size; left++) {
        const r = new Reader(input, 5, 5 + left);
        const read = () => (r[method] as (path: string) => unknown).call(r, "f");
        expect(read).toThrow(LoadError);
        expect(read).toThrow(
          `f: unexpected end of input: ${method} needs ${size} byte${size === 1 ? "" : "s"}, ${left} remain${left === 1 ? "s" : ""} (at byte offset 5)`,
        );
        expect(r.pos).toBe(5);
      }
      const r = new Reader(input, 5, 5 + size);
      (r[method] as (path: string) => unknown).call(r, "f");
      expect(r.pos).toBe(5 + size);
    },
  );

  it("reads big- and little-endian values at an offset into a larger buffer", () => {
    const bytes = new Uint8Array([0xaa, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0]);
    const r = new Reader(bytes.subarray(1), 0, 8);
    expect(r.u16("a")).toBe(0x1234);
    expect(r.u16le("b")).toBe(0x7856);
    expect(r.u32("c")).toBe(0x9abcdef0);
    expect(() => r.u8("d")).toThrow(/d: unexpected end of input: u8 needs 1 byte, 0 remain/);
  });

  it("reads a subsection name one character per byte, so a message shows the byte the stream has", () => {
    const name = [..."virtio/x"].map((c) => c.charCodeAt(0));
    name[7] = 0x80;
    const r = new Reader(new Uint8Array([0x05, name.length, ...name, 0, 0, 0, 1]));
    const read = r.subsection("virtio");
    expect(read?.charCodeAt(7)).toBe(0x80);
    expect(() => r.unknownSubsection(read!, "virtio")).toThrow(
      'unknown subsection "virtio/\\x80" of "virtio"',
    );
  });

  it("gives copies of byte fields, and an empty one for zero bytes", () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const r = new Reader(bytes);
    const empty = r.bytes(0, "e");
    expect(empty).toBeInstanceOf(Uint8Array);
    expect(empty.length).toBe(0);
    const three = r.bytes(3, "t");
    bytes[0] = 9;
    expect([...three]).toEqual([1, 2, 3]);
  });
});

describe("Writer", () => {
  const written = (fill: number, n: number): Uint8Array => {
    const w = new Writer();
    for (let i = 0; i < n; i++) w.u8(fill, "x");
    return w.finish();
  };

  it.each(SCALARS)(
    "%s refuses a value of the wrong type or range with a SaveError naming the field, and writes nothing",
    (method, size) => {
      const wrong =
        method === "bool"
          ? [1, "true", undefined]
          : size === 8
            ? [1, "1", 1n << 64n, -(1n << 64n)]
            : [1n, "1", 1.5, 2 ** 33, NaN, undefined];
      for (const v of wrong) {
        const w = new Writer();
        const write = () => (w[method] as (v: unknown, path: string) => void).call(w, v, "f");
        expect(write).toThrow(SaveError);
        expect(write).toThrow(/^f: expected /);
        expect(w.finish().length).toBe(0);
      }
    },
  );

  it.each(SCALARS)(
    "%sAt, the write of a run, refuses what %s refuses with the same SaveError, and writes the same bytes",
    (method, size) => {
      const values =
        method === "bool"
          ? [true, false, 1, "true", undefined]
          : size === 8
            ? [0n, 5n, -1n, 1n << 63n, 1, "1", 1n << 64n, -(1n << 64n)]
            : [
                0,
                1,
                -1,
                127,
                128,
                255,
                256,
                65535,
                2 ** 31,
                2 ** 32 - 1,
                1n,
                "1",
                1.5,
                2 ** 33,
                NaN,
              ];
      for (const v of values) {
        const one = new Writer();
        const byOne = errorOf(() =>
          (one[method] as (v: unknown, path: string) => void).call(one, v, "f"),
        );
        const run = new Writer();
        const at = run.run(size, "f");
        const byRun = errorOf(() =>
          (run[`${method}At`] as (o: number, v: unknown, path: string) => void).call(
            run,
            at,
            v,
            "f",
          ),
        );
        expect(byRun, String(v)).toEqual(byOne);
        if (byOne === undefined) expect(run.finish()).toEqual(one.finish());
      }
    },
  );

  it("zeroes a run's padding, though a lent buffer holds an earlier Writer's bytes", () => {
    written(0xff, 64);
    const w = new Writer();
    const at = w.run(8, "a");
    w.u32At(at, 0x01020304, "a");
    w.zeroAt(at + 4, 3, "unused");
    w.u8At(at + 7, 9, "b");
    expect([...w.finish()]).toEqual([1, 2, 3, 4, 0, 0, 0, 9]);
  });

  it("never changes a result it has handed out, when the next Writer reuses its buffer", () => {
    const first = written(0x11, 700);
    const second = written(0x22, 700);
    expect(first.every((b) => b === 0x11)).toBe(true);
    expect(second.every((b) => b === 0x22)).toBe(true);
    expect(first.buffer).not.toBe(second.buffer);
  });

  it("goes on after finish() without changing the first result", () => {
    const w = new Writer();
    w.u32(0x01020304, "a");
    const first = w.finish();
    w.u16(0x0506, "b");
    const second = w.finish();
    expect([...first]).toEqual([1, 2, 3, 4]);
    expect([...second]).toEqual([1, 2, 3, 4, 5, 6]);
    written(0x33, 2000); // a Writer that may take a working buffer: not either result's
    expect([...first]).toEqual([1, 2, 3, 4]);
    expect([...second]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("does not lend out a result when finish() is called twice", () => {
    new Writer(); // takes the spare working buffer, if there is one, and keeps it
    const w = new Writer(16);
    for (let i = 0; i < 16; i++) w.u8(i, "a");
    const first = w.finish(); // w's working buffer becomes the spare …
    new Writer(16); // … and is taken again
    const again = w.finish(); // w holds `first` now: it must not become the spare
    const next = new Writer(16);
    for (let i = 0; i < 16; i++) next.u8(0xff, "b");
    const expected = Array.from({ length: 16 }, (_, i) => i);
    expect([...first]).toEqual(expected);
    expect([...again]).toEqual(expected);
    expect([...next.finish()]).toEqual(new Array(16).fill(0xff));
  });

  it("keeps two Writers in use at once apart", () => {
    const a = new Writer();
    const b = new Writer();
    for (let i = 0; i < 3000; i++) {
      a.u16(i, "a");
      b.u16(0xffff - i, "b");
    }
    const ra = new Reader(a.finish());
    const rb = new Reader(b.finish());
    for (let i = 0; i < 3000; i++) {
      expect(ra.u16("a")).toBe(i);
      expect(rb.u16("b")).toBe(0xffff - i);
    }
  });

  it("is not disturbed by a Writer that failed half-way", () => {
    const broken = new Writer();
    broken.u32(7, "a");
    expect(() => broken.u8(256, "b")).toThrow(/b: expected u8, found 256/);
    const out = written(0x44, 10);
    expect([...out]).toEqual(new Array(10).fill(0x44));
  });

  it("grows from any capacity, by scalars, bytes and padding", () => {
    const w = new Writer(0);
    const block = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    for (let i = 0; i < 100; i++) {
      w.u64(BigInt(i), "n");
      w.bytes(block, block.length, "block");
      w.skip(3, "pad");
    }
    const out = w.finish();
    expect(out.length).toBe(100 * (8 + 5000 + 3));
    const r = new Reader(out);
    for (let i = 0; i < 100; i++) {
      expect(r.u64("n")).toBe(BigInt(i));
      expect(r.bytes(5000, "block")).toEqual(block);
      expect([...r.bytes(3, "pad")]).toEqual([0, 0, 0]);
    }
  });
});
