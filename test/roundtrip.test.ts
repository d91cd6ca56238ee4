// Behaviour of generated code, for every schema in schemas/ and test/golden/: random valid states
// survive save → load, and the bytes of a save survive load → save.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Reader, Writer } from "../runtime/index.js";
import { generatedSchemas, planOf } from "./support/compile.js";
import { firstDifference } from "./support/diff.js";
import { drawParams, Reject, StateBuilder, seededDraw } from "./support/states.js";

type Save = (w: Writer, s: unknown, p: unknown) => void;
type Load = (r: Reader, p: unknown) => unknown;

describe.each(generatedSchemas())("$schema", ({ schema, module }) => {
  const plan = planOf(schema);
  const sections = plan.functions.filter((f) => f.layout.kind === "section");

  it.each(sections.map((s) => [s.layout.name, s] as const))(
    "section %s: load(save(x)) = x and save(load(bytes)) = bytes",
    async (_, fn) => {
      const exports = (await import(module)) as Record<string, unknown>;
      const save = exports[fn.saveName] as Save;
      const load = exports[fn.loadName] as Load;
      let built = 0;
      fc.assert(
        fc.property(fc.integer(), (seed) => {
          const draw = seededDraw(seed);
          const params = drawParams(plan.params, draw);
          let state: Record<string, unknown>;
          try {
            state = new StateBuilder(draw, params).build(fn);
          } catch (e) {
            if (e instanceof Reject) fc.pre(false);
            throw e;
          }
          built++;
          const w = new Writer();
          save(w, state, params);
          const bytes = w.finish();
          const r = new Reader(bytes);
          const back = load(r, params);
          expect(r.pos).toBe(bytes.length);
          expect(firstDifference(back, state)).toBeUndefined();
          const again = new Writer();
          save(again, back, params);
          expect(firstDifference(again.finish(), bytes)).toBeUndefined();
        }),
        { numRuns: 200, maxSkipsPerRun: 100 },
      );
      expect(built).toBe(200);
    },
  );
});
