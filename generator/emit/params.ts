// Whether a save or load function reads its Params: the name of its parameter follows (`p`, or
// `_p` as lint wants an unused one named).

import type { FunctionPlan, Step, ValuePlan } from "../plan/plan.js";
import { boundParams } from "./common.js";
import { withRuns } from "./runs.js";

/** Whether a function reads its parameters: it has parameter locals or passes them to a callee. */
export function usesParams(fn: FunctionPlan, side: "save" | "load" = "save"): boolean {
  // An imported struct that reads no parameter is given none (emit/save.ts, emit/load.ts).
  const calls = (value: ValuePlan): boolean =>
    (value.kind === "struct" && value.callee.importedFrom?.readsParams !== false) ||
    value.kind === "custom" ||
    (value.kind === "array" && calls(value.element));
  // The elements of a loop of a run are read in place: their struct's function is not called.
  const walk = (steps: readonly Step[]): boolean =>
    withRuns(steps, "").some(
      (s) =>
        (s.kind === "field" && calls(s.value)) ||
        (s.kind === "subsections" && s.arms.some((a) => walk(a.steps))),
    );
  return boundParams(fn, side).length > 0 || walk(fn.steps);
}

/** The name of the Params parameter: `_p` when the function does not read it (lint's convention). */
export function paramsName(fn: FunctionPlan, side: "save" | "load" = "save"): string {
  return usesParams(fn, side) ? "p" : "_p";
}
