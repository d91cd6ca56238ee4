// Constant values of checked expressions and the language's integer arithmetic; shared by check, plan and compat.

import type * as A from "../../grammar/ast.js";
import type { IrExpr } from "../model.js";

/** The constant value of an expression, if it was folded to one. */
export function constantOf(e: IrExpr): bigint | boolean | undefined {
  return e.kind === "literal" && e.type.kind !== "error" ? e.value : undefined;
}

/** Integer arithmetic with the language's semantics: unbounded integers, division truncates toward zero. */
export function arith(op: A.BinaryOp, l: bigint, r: bigint): bigint {
  switch (op) {
    case "+":
      return l + r;
    case "-":
      return l - r;
    case "*":
      return l * r;
    case "/":
      return l / r;
    case "%":
      return l % r;
    case "<<":
      return l << r;
    case ">>":
      return l >> r;
    case "&":
      return l & r;
    case "|":
      return l | r;
    case "^":
      return l ^ r;
    default:
      throw new Error(`not an arithmetic operator: ${op}`);
  }
}
