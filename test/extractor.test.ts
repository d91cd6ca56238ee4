// The trace extractor on random hand-written pairs: save and load functions built from a small
// grammar of Reader/Writer calls (scalars of every width, guarded blocks, counted loops) verify
// clean when they mirror each other, and every single mutation of one side — two operations
// swapped, one dropped, a width changed, a guard changed — is reported.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { verifyModule } from "../generator/verify/index.js";

const widths = [
  "u8",
  "i8",
  "u16",
  "u16le",
  "i16",
  "u32",
  "u32le",
  "i32",
  "i32le",
  "u64",
  "i64le",
  "bool",
] as const;
type Width = (typeof widths)[number];

type Op =
  | { kind: "scalar"; id: number; width: Width }
  | { kind: "if"; id: number; on: number; bit: number; body: Op[] }
  | { kind: "loop"; id: number; count: number; body: Op[] };

type Mutation = {
  kind: "swap" | "drop" | "width" | "guard";
  at: number;
  side: "save" | "load";
  choice: number;
};

/** Small 32-bit or narrower values a guard or count may read: the top-level scalars before `at`. */
function readable(ops: Op[], at: number): number[] {
  return ops
    .slice(0, at)
    .flatMap((o) =>
      o.kind === "scalar" && !["u64", "i64le", "bool"].includes(o.width) ? [o.id] : [],
    );
}

/** A random program: ids are unique, guards and counts read earlier top-level scalars. */
const program: fc.Arbitrary<Op[]> = fc
  .array(
    fc.tuple(
      fc.constantFrom("scalar", "scalar", "scalar", "if", "loop"),
      fc.constantFrom(...widths),
      fc.nat(31),
      fc.nat(),
      fc.array(fc.constantFrom(...widths), { minLength: 1, maxLength: 3 }),
    ),
    {
      minLength: 2,
      maxLength: 9,
    },
  )
  .map((rows) => {
    let next = 0;
    const ops: Op[] = [];
    for (const [kind, width, bit, pick, inner] of rows) {
      const refs = readable(ops, ops.length);
      const scalars = (): Op[] => inner.map((w) => ({ kind: "scalar", id: next++, width: w }));
      if (kind === "if" && refs.length > 0)
        ops.push({ kind: "if", id: next++, on: refs[pick % refs.length]!, bit, body: scalars() });
      else if (kind === "loop" && refs.length > 0)
        ops.push({ kind: "loop", id: next++, count: refs[pick % refs.length]!, body: scalars() });
      else ops.push({ kind: "scalar", id: next++, width });
    }
    return ops;
  });

function mutate(ops: Op[], m: Mutation): Op[] | undefined {
  const out = ops.map((o) => ({ ...o }));
  const at = m.at % out.length;
  switch (m.kind) {
    case "swap": {
      if (at + 1 >= out.length) return undefined;
      [out[at], out[at + 1]] = [out[at + 1]!, out[at]!];
      return out;
    }
    case "drop":
      out.splice(at, 1);
      return out.length > 0 ? out : undefined;
    case "width": {
      const o = out[at]!;
      if (o.kind !== "scalar") return undefined;
      const others = widths.filter((w) => w !== o.width);
      out[at] = { ...o, width: others[m.choice % others.length]! };
      return out;
    }
    case "guard": {
      const o = out[at]!;
      if (o.kind !== "if") return undefined;
      out[at] = { ...o, bit: (o.bit + 1 + (m.choice % 31)) % 32 };
      return out;
    }
  }
}

function render(ops: Op[], side: "save" | "load"): string {
  const lines: string[] = [];
  const emit = (list: Op[], indent: string, element: string | undefined): void => {
    for (const o of list) {
      const path = element ? `v${o.id}[]` : `v${o.id}`;
      if (o.kind === "scalar") {
        if (side === "save") {
          const source = element ? `s.v${o.id}[${element}]` : `s.v${o.id}`;
          lines.push(
            `${indent}const v${o.id} = ${source};`,
            `${indent}w.${o.width}(v${o.id}, "${path}");`,
          );
        } else if (element)
          lines.push(`${indent}out.v${o.id}[${element}] = r.${o.width}("${path}");`);
        else
          lines.push(
            `${indent}const v${o.id} = r.${o.width}("${path}");`,
            `${indent}out.v${o.id} = v${o.id};`,
          );
      } else if (o.kind === "if") {
        lines.push(`${indent}if ((v${o.on} & 0x${((1 << o.bit) >>> 0).toString(16)}) !== 0) {`);
        emit(o.body, `${indent}  `, element);
        lines.push(`${indent}}`);
      } else {
        lines.push(`${indent}for (let i${o.id} = 0; i${o.id} < v${o.count}; i${o.id}++) {`);
        emit(o.body, `${indent}  `, `i${o.id}`);
        lines.push(`${indent}}`);
      }
    }
  };
  if (side === "save") {
    lines.push("export function saveRandom(w: Writer, s: State, p: unknown): void {");
    emit(ops, "  ", undefined);
  } else {
    lines.push(
      "export function loadRandom(r: Reader, p: unknown): State {",
      "  const out: State = {};",
    );
    emit(ops, "  ", undefined);
    lines.push("  return out;");
  }
  lines.push("}");
  return lines.join("\n");
}

function verify(save: Op[], load: Op[]): string[] {
  const text = [
    'import type { Reader, Writer } from "../runtime/index.js";',
    "type State = Record<string, any>;",
    render(save, "save"),
    render(load, "load"),
  ].join("\n\n");
  return verifyModule("random.ts", text, [{ save: "saveRandom", load: "loadRandom" }]).map(
    (d) => `${d.code} ${d.message}`,
  );
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("swap", "drop", "width", "guard"),
  at: fc.nat(),
  side: fc.constantFrom("save", "load"),
  choice: fc.nat(),
});

describe("the extractor on random hand-written pairs", () => {
  it("accepts every pair whose two sides mirror each other", () => {
    fc.assert(
      fc.property(program, (ops) => {
        expect(verify(ops, ops)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it("reports every single mutation of one side", () => {
    let applied = 0;
    fc.assert(
      fc.property(program, mutation, (ops, m) => {
        const changed = mutate(ops, m);
        fc.pre(changed !== undefined);
        applied++;
        const found = m.side === "save" ? verify(changed, ops) : verify(ops, changed);
        expect(found.length, `${m.kind} on ${m.side} was not reported`).toBeGreaterThan(0);
        // An order mismatch, or (when the mutation moved a guard's value after it) a decision on
        // a value not read yet; never "cannot follow".
        for (const d of found) expect(d).toMatch(/^VMS800[13] /);
      }),
      { numRuns: 600 },
    );
    expect(applied).toBeGreaterThan(300);
  });
});
