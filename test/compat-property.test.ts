// The compatibility checker against what save and load actually do: random small schemas, one
// random edit each. Whenever the edit changes the bytes (or the refusals) of save for some random
// valid state, some rule must report it; whenever one version's load refuses or misreads what the
// other's save wrote, a rule must report it in that direction; and an edit that keeps the wire (a
// rename, a move into a struct) must change no byte and be reported by none.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasErrors } from "../diagnostics/diagnostic.js";
import { compareVersions, type SchemaFile } from "../generator/compat/index.js";
import { checkText } from "../generator/index.js";
import { planSchema, type FunctionPlan } from "../generator/plan/plan.js";
import { Reader, Writer } from "../runtime/index.js";
import { generatedSchemas, planOf } from "./support/compile.js";
import { agrees, loadSection } from "./support/plan-reader.js";
import { saveSection } from "./support/plan-writer.js";
import {
  EDIT_KINDS,
  Random,
  randomEdit,
  randomSchema,
  renderSchema,
  type Edit,
} from "./support/random-schemas.js";
import { drawParams, Reject, StateBuilder, seededDraw } from "./support/states.js";

function schemaFile(text: string, file: string): SchemaFile | undefined {
  const checked = checkText(text, file);
  if (!checked.model || hasErrors(checked.diagnostics)) return undefined;
  return { file, text, plan: planSchema(checked.model) };
}

const section = (f: SchemaFile): FunctionPlan =>
  f.plan.functions.find((fn) => fn.layout.kind === "section")!;

type Result = Uint8Array | "refused";

function sameResult(a: Result, b: Result): boolean {
  if (a === "refused" || b === "refused") return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * What random states show about an edit: whether save writes differently, and whether a reader
 * of one version refuses or misreads what the other's writer sent (forward: the old writer and
 * the new reader). Parameters both versions have take one drawn value; a parameter only one has
 * stays at its default, as the checker assumes.
 */
function observe(
  old: SchemaFile,
  neu: SchemaFile,
  edit: Edit,
  seed: number,
): { differs: boolean; forward: boolean; backward: boolean } {
  const [o, n] = [section(old), section(neu)];
  const shared = old.plan.params.filter((p) => neu.plan.params.some((q) => q.name === p.name));
  const seen = { differs: false, forward: false, backward: false };
  for (let k = 0; k < 16; k++) {
    const draw = seededDraw(seed * 31 + k);
    const params = drawParams(shared, draw);
    for (const [from, to, map, direction] of [
      [o, n, edit.forward, "forward"],
      [n, o, edit.backward, "backward"],
    ] as const) {
      let state: Record<string, unknown>;
      try {
        state = new StateBuilder(draw, params).build(from);
      } catch (e) {
        if (e instanceof Reject) continue;
        throw e;
      }
      const mine = saveSection(from, state, params);
      // The writer must take the state drawn for it, and its own reader read it back, or the oracle is wrong.
      expect(mine).not.toBe("refused");
      const back = loadSection(from, mine as Uint8Array, params);
      expect(back !== "refused" && agrees(back, state)).toBe(true);
      if (!sameResult(mine, saveSection(to, map(state), params))) seen.differs = true;
      const theirs = loadSection(to, mine as Uint8Array, params);
      if (theirs === "refused" || !agrees(theirs, map(state))) seen[direction] = true;
    }
  }
  return seen;
}

describe("the plan writer and reader of the property test", () => {
  it.each(generatedSchemas().map((s) => [s.schema, s] as const))(
    "write and read what the generated code of %s does",
    async (_, { schema, module }) => {
      const plan = planOf(schema);
      const exports = (await import(module)) as Record<string, unknown>;
      for (const fn of plan.functions.filter((f) => f.layout.kind === "section")) {
        const save = exports[fn.saveName] as (w: Writer, s: unknown, p: unknown) => void;
        const load = exports[fn.loadName] as (r: Reader, p: unknown, version: number) => unknown;
        let compared = 0;
        for (let seed = 0; seed < 40; seed++) {
          const draw = seededDraw(seed);
          const params = drawParams(plan.params, draw);
          let state: Record<string, unknown>;
          try {
            state = new StateBuilder(draw, params).build(fn);
          } catch (e) {
            if (e instanceof Reject) continue;
            throw e;
          }
          const w = new Writer();
          w.u32(fn.layout.version, "version");
          save(w, state, params);
          const bytes = w.finish();
          expect(saveSection(fn, state, params)).toEqual(bytes);
          const loaded = loadSection(fn, bytes, params);
          expect(loaded).toEqual(load(new Reader(bytes.subarray(4)), params, fn.layout.version));
          compared++;
        }
        expect(compared).toBeGreaterThan(10);
      }
    },
  );
});

describe("compat against save", () => {
  it("reports every random edit that changes what save writes, and every break in its direction; renames and struct moves change nothing", () => {
    const seen = new Map<
      string,
      { runs: number; changed: number; broke: number; reported: number }
    >();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(...EDIT_KINDS),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (seed, kind, editSeed) => {
          const base = randomSchema(new Random(seed));
          const old = schemaFile(renderSchema(base), "old.vmstate");
          expect(old, renderSchema(base)).toBeDefined();
          const edit = randomEdit(new Random(editSeed), base, kind);
          fc.pre(edit !== undefined);
          const neu = schemaFile(renderSchema(edit.spec), "new.vmstate");
          // An edit can leave an invalid schema (a removed field a guard reads): not a version.
          fc.pre(neu !== undefined);
          const found = compareVersions([old!], [neu]);
          const { differs, forward, backward } = observe(old!, neu, edit, seed);
          const why = `${kind}\n--- old\n${old!.text}--- new\n${neu.text}`;
          const rules = found.map((d) => `${d.rule} ${d.direction}`);
          if (differs) expect(rules, why).not.toEqual([]);
          if (forward)
            expect(
              found.some((d) => d.direction !== "backward"),
              `${why}\nbreaks forward; found ${rules.join(", ")}`,
            ).toBe(true);
          if (backward)
            expect(
              found.some((d) => d.direction !== "forward"),
              `${why}\nbreaks backward; found ${rules.join(", ")}`,
            ).toBe(true);
          if (edit.wireIdentical) {
            expect(differs || forward || backward, why).toBe(false);
            expect(
              found.map((d) => `${d.rule}: ${d.message}`),
              why,
            ).toEqual([]);
          }
          const s = seen.get(kind) ?? { runs: 0, changed: 0, broke: 0, reported: 0 };
          seen.set(kind, {
            runs: s.runs + 1,
            changed: s.changed + (differs ? 1 : 0),
            broke: s.broke + (forward || backward ? 1 : 0),
            reported: s.reported + (found.length > 0 ? 1 : 0),
          });
        },
      ),
      { numRuns: 2500, maxSkipsPerRun: 20 },
    );
    // Every kind of edit was tried, and most changed the wire.
    expect([...seen.keys()].sort()).toEqual([...EDIT_KINDS].sort());
    if (process.env["VMSTATE_COMPAT_STATS"])
      console.log(JSON.stringify(Object.fromEntries(seen), null, 1));
  });
});
