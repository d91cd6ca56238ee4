// A `validate` step of a wire plan, as the generated code runs it: once, or for every element of
// a `validate each` array. Shared by the plan writer and reader of the property tests.

import type { ElementModel, IrExpr } from "../../generator/model.js";
import type { Step } from "../../generator/plan/plan.js";

/** Whether the check holds; `elements` is where the loop's current element is bound for `evaluate`. */
export function validationHolds(step: Step & { kind: "validate" }, value: (e: IrExpr) => unknown, elements: Map<ElementModel, unknown>): boolean {
  if (!step.each) return value(step.condition) === true;
  const items = value(step.each.array) as ArrayLike<unknown>;
  for (let i = 0; i < items.length; i++) {
    elements.set(step.each.model, items[i]);
    if (value(step.condition) !== true) return false;
  }
  return true;
}
