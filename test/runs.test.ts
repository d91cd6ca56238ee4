// Runs of fixed-size fields: one bounds check, constant offsets. The verifier must prove the runs
// of save and load alike (an edited offset, width, size or layout is an order mismatch naming both
// places), and a cut input must give the LoadError the fields read one by one would give.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verifyModule } from "../generator/verify/index.js";
import { loadVirtioNet } from "../generated/virtio-net.js";
import { atIndex, atPath, LoadError, Reader, type RunLayout } from "../runtime/index.js";
import { planOf, root } from "./support/compile.js";
import { virtioNetPayloads } from "./support/fixtures.js";

const file = "generated/virtio-net.ts";
const text = readFileSync(join(root, file), "utf8");
const pairs = planOf("schemas/virtio-net.vmstate").functions.map((f) => ({
  save: f.saveName,
  load: f.loadName,
}));

function edit(source: string, from: string, to: string): string {
  expect(source).toContain(from);
  return source.replace(from, to);
}

function lineOf(source: string, needle: string): number {
  expect(source).toContain(needle);
  return source.slice(0, source.indexOf(needle)).split("\n").length;
}

describe("the verifier and runs", () => {
  it("accepts the module as emitted, whose hottest struct is one run", () => {
    expect(text).toContain("const run$0 = r.run(28, loadModernQueueState$run0);");
    expect(verifyModule(file, text, pairs)).toEqual([]);
  });

  it("reports an edited offset in a loader's run, naming both places", () => {
    const wrong = edit(text, `r.u32At(run$0 + 8, "desc[1]")`, `r.u32At(run$0 + 12, "desc[1]")`);
    const [d, ...rest] = verifyModule(file, wrong, pairs);
    expect(rest).toEqual([]);
    expect(d?.code).toBe("VMS8001");
    expect(d?.message).toContain(
      "saveModernQueueState writes u32 'desc[1]' at offset 8 of its run at generated/virtio-net.ts:",
    );
    expect(d?.message).toContain(
      "where loadModernQueueState reads u32 'desc[1]' at offset 12 of its run at generated/virtio-net.ts:",
    );
    expect(d?.span.line).toBe(lineOf(wrong, `w.u32At(run$0 + 8, desc[1]!, "desc[1]")`));
    expect(d?.related[0]?.span.line).toBe(lineOf(wrong, `r.u32At(run$0 + 12, "desc[1]")`));
  });

  it("reports an edited width in a writer's run, naming both places", () => {
    const wrong = edit(text, `w.u16At(run$0, num, "num")`, `w.u32At(run$0, num, "num")`);
    const [d, ...rest] = verifyModule(file, wrong, pairs);
    expect(rest).toEqual([]);
    expect(d?.code).toBe("VMS8001");
    expect(d?.message).toContain("saveModernQueueState writes u32 'num' at offset 0 of its run");
    expect(d?.message).toContain("loadModernQueueState reads u16 'num' at offset 0 of its run");
    expect(d?.span.line).toBe(lineOf(wrong, `w.u32At(run$0, num, "num")`));
    expect(d?.related[0]?.span.line).toBe(lineOf(wrong, `r.u16At(run$0, "num")`));
  });

  it("reports a run whose size differs", () => {
    const wrong = edit(
      text,
      "r.run(28, loadModernQueueState$run0)",
      "r.run(32, loadModernQueueState$run0)",
    );
    const found = verifyModule(file, wrong, pairs);
    expect(found.map((d) => d.code)).toEqual(["VMS8001"]);
    expect(found[0]?.message).toContain(
      "saveModernQueueState writes a run of 28 bytes at generated/virtio-net.ts:",
    );
    expect(found[0]?.message).toContain("loadModernQueueState reads a run of 32 bytes");
  });

  it("reports padding a writer leaves out", () => {
    const wrong = edit(text, `  w.zeroAt(run$0 + 2, 1, "unused");\n`, "");
    const found = verifyModule(file, wrong, pairs);
    expect(found.map((d) => d.code)).toEqual(["VMS8001"]);
    expect(found[0]?.message).toContain("saveModernQueueState writes bool 'enabled' at offset 3");
    expect(found[0]?.message).toContain(
      "loadModernQueueState skips 1 unused bytes at offset 2 of its run",
    );
  });

  it("reports bytes that neither side puts anywhere, though the two agree", () => {
    const wrong = edit(
      edit(text, `  w.zeroAt(run$0 + 2, 1, "unused");\n`, ""),
      `  [2, 1, "unused", "unused"],\n`,
      "",
    );
    const found = verifyModule(file, wrong, pairs);
    expect(found.map((d) => d.code)).toEqual(["VMS8001"]);
    expect(found[0]?.message).toContain(
      "saveModernQueueState leaves out bytes 2 to 3 of its run of 28",
    );
    expect(found[0]?.message).toContain("loadModernQueueState skips bytes 2 to 3 of its run of 28");
  });

  it("reports a layout that does not say what the loader reads (its errors would be wrong)", () => {
    const wrong = edit(text, `[8, 4, "u32", "desc[1]"]`, `[8, 4, "u32", "avail[1]"]`);
    const found = verifyModule(file, wrong, pairs);
    expect(found.map((d) => d.code)).toEqual(["VMS8001"]);
    expect(found[0]?.message).toContain(
      "has a run layout that says u32 'avail[1]' at offset 8 of its run where it reads u32 'desc[1]'",
    );
  });

  it("reports an edited offset inside a loop of a run (QEMU's 1 024 queues), naming both places", () => {
    const wrong = edit(
      text,
      `r.u32At(run$0 + i_2 * 28 + 20, "desc[0]")`,
      `r.u32At(run$0 + i_2 * 28 + 24, "desc[0]")`,
    );
    const [d, ...rest] = verifyModule(file, wrong, pairs);
    expect(rest).toEqual([]);
    expect(d?.code).toBe("VMS8001");
    expect(d?.message).toContain("saveVirtioPci writes u32 'desc[0]' at offset 4 of its run");
    expect(d?.message).toContain("loadVirtioPci reads u32 'desc[0]' at offset 8 of its run");
    expect(d?.span.line).toBe(
      lineOf(wrong, `w.u32At(run$0 + i_2 * 28 + 20, i_2$desc[0]!, "desc[0]")`),
    );
    expect(d?.related[0]?.span.line).toBe(
      lineOf(wrong, `r.u32At(run$0 + i_2 * 28 + 24, "desc[0]")`),
    );
  });

  it("reports a loop of a run whose count or stride differs", () => {
    const count = verifyModule(
      file,
      edit(
        text,
        "for (let i_2 = 0; i_2 < 1024; i_2++) {",
        "for (let i_2 = 0; i_2 < 1023; i_2++) {",
      ),
      pairs,
    );
    expect(count.map((d) => d.code)).toEqual(["VMS8001"]);
    expect(count[0]?.message).toContain(
      "saveVirtioPci writes 1024 elements of 28 bytes 'modern_state.vqs[]' at offset 16 of its run",
    );
    expect(count[0]?.message).toContain("loadVirtioPci reads 1023 elements of 28 bytes");
    const stride = verifyModule(
      file,
      edit(text, `r.u16At(run$0 + i_2 * 28 + 16, "num")`, `r.u16At(run$0 + i_2 * 24 + 16, "num")`),
      pairs,
    );
    expect(stride.map((d) => [d.code, d.message])).toContainEqual([
      "VMS8002",
      "cannot follow this code: a loop in a run whose elements are not all the same number of bytes apart",
    ]);
  });

  it("reports a loop's layout that names the elements otherwise than the writer", () => {
    const wrong = edit(text, `    "modern_state.vqs[]",\n`, `    "modern_state.vq[]",\n`);
    const found = verifyModule(file, wrong, pairs);
    expect(found.map((d) => d.code)).toEqual(["VMS8001"]);
    expect(found[0]?.message).toContain(
      "has a run layout that says 1024 elements of 28 bytes 'modern_state.vq[]' at offset 16 of its run",
    );
  });

  it("refuses a read of a run after another wire operation", () => {
    const wrong = edit(
      text,
      `  const num = r.u16At(run$0, "num");\n`,
      `  r.u8("extra");\n  const num = r.u16At(run$0, "num");\n`,
    );
    const found = verifyModule(file, wrong, pairs);
    expect(found.map((d) => [d.code, d.message])).toContainEqual([
      "VMS8002",
      "cannot follow this code: a read or write of a run after other wire operations, or in another block",
    ]);
  });

  it("refuses a read at an offset that is not the run's base plus a literal", () => {
    const wrong = edit(
      text,
      `r.u32At(run$0 + 8, "desc[1]")`,
      `r.u32At(run$0 + version, "desc[1]")`,
    );
    const found = verifyModule(file, wrong, pairs);
    expect(found.map((d) => d.code)).toContain("VMS8002");
  });
});

/**
 * What reading a layout's fields one by one, each with its own bounds check, throws: an element
 * of a loop read as the element-by-element code reads it (its error under the element's index).
 */
function fieldByField(r: Reader, layout: RunLayout): LoadError | undefined {
  try {
    readFields(r, layout);
  } catch (e) {
    if (e instanceof LoadError) return e;
    throw e;
  }
  return undefined;
}

function readFields(r: Reader, layout: RunLayout): void {
  for (const entry of layout) {
    if (entry.length === 4) {
      const [, width, what, path] = entry;
      if (what === "unused") r.skip(width, path);
      else (r[what as "u8"] as (path: string) => unknown).call(r, path);
      continue;
    }
    const [, count, , path, element] = entry;
    for (let i = 0; i < count; i++) {
      try {
        // An element that is one scalar is read under the array's path, as its loop did.
        if (element.length === 1 && element[0]![3] === "") {
          const [, width, what] = element[0] as readonly [number, number, string, string];
          if (what === "unused") r.skip(width, path);
          else (r[what as "u8"] as (path: string) => unknown).call(r, path);
        } else readFields(r, element);
      } catch (e) {
        throw element.length === 1 && element[0]![3] === ""
          ? atIndex(e, i)
          : atIndex(atPath(e, path), i);
      }
    }
  }
}

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** A Reader whose runs read their fields one by one: the code as it was before runs. */
class FieldByFieldReader extends Reader {
  override run(n: number, fields: RunLayout): number {
    const start = this.pos;
    const e = fieldByField(this, fields);
    if (e !== undefined) throw e;
    if (this.pos !== start + n)
      throw new Error(`a layout of ${this.pos - start} bytes in a run of ${n}`);
    return start;
  }
}

const kinds = ["u8", "i8", "bool", "u16", "i16le", "u32", "i32le", "u64", "i64le"] as const;
const widths: Record<(typeof kinds)[number], number> = {
  u8: 1,
  i8: 1,
  bool: 1,
  u16: 2,
  i16le: 2,
  u32: 4,
  i32le: 4,
  u64: 8,
  i64le: 8,
};

describe("a cut run", () => {
  it("throws the LoadError of the first field that does not fit, as field-by-field reads do", () => {
    const scalar = fc.oneof(
      fc.constantFrom(...kinds).map((what): { what: string; width: number } => ({
        what,
        width: widths[what],
      })),
      fc.integer({ min: 1, max: 9 }).map((width) => ({ what: "unused", width })),
    );
    type Field =
      | { what: string; width: number }
      | { count: number; element: Field[] | "scalar"; scalar: { what: string; width: number } };
    const field: fc.Arbitrary<Field> = fc.oneof(
      scalar,
      fc.record({
        count: fc.integer({ min: 1, max: 4 }),
        element: fc.oneof(
          fc.constant("scalar" as const),
          fc.array(scalar, { minLength: 1, maxLength: 3 }),
        ),
        scalar,
      }),
    );
    /** The layout of `fields` from offset 0, and its size. */
    const layoutOf = (fields: readonly Field[], prefix: string): [RunLayout, number] => {
      let at = 0;
      const layout = fields.map((f, i): RunLayout[number] => {
        const start = at;
        if ("what" in f) {
          at += f.width;
          return [start, f.width, f.what, `${prefix}f${i}`];
        }
        const [element, stride] =
          f.element === "scalar"
            ? [[[0, f.scalar.width, f.scalar.what, ""] as const], f.scalar.width]
            : layoutOf(f.element, "");
        at += f.count * stride;
        return [start, f.count, stride, `${prefix}a${i}[]`, element];
      });
      return [layout, at];
    };
    fc.assert(
      fc.property(
        fc.array(field, { minLength: 1, maxLength: 8 }),
        fc.nat(8),
        fc.nat(200),
        (fields, before, cut) => {
          const [layout, at] = layoutOf(fields, "");
          const bytes = new Uint8Array(before + (cut % (at + 1)));
          const run = errorOf(() => new Reader(bytes, before).run(at, layout));
          const oneByOne = fieldByField(new Reader(bytes, before), layout);
          expect(run).toEqual(oneByOne);
          if (bytes.length - before < at) {
            expect(run).toBeInstanceOf(LoadError);
            expect((run as LoadError).message).toBe(oneByOne!.message);
          } else expect(run).toBeUndefined();
        },
      ),
    );
  });

  it("gives each cut of QEMU's virtio-net sections the error of the field-by-field code", () => {
    for (const { name, bytes } of virtioNetPayloads()) {
      const lengths = Array.from({ length: Math.min(1100, bytes.length) }, (_, i) => i);
      for (let n = 1100; n < bytes.length; n += 7) lengths.push(n);
      for (const n of lengths) {
        const cut = bytes.subarray(0, n);
        const runs = errorOf(() => loadVirtioNet(new Reader(cut)));
        const fields = errorOf(() => loadVirtioNet(new FieldByFieldReader(cut)));
        expect(runs, `${name} cut at ${n}`).toEqual(fields);
        if (runs instanceof LoadError)
          expect(runs.message, `${name} cut at ${n}`).toBe((fields as LoadError).message);
      }
    }
  });
});
