// Syntax helpers of the trace extractor: names of paths, counted loops, wrappers to look through.

import { ts } from "ts-morph";

/** `a`, `a.b`, `a?.b`, `a[0]`: a name for a local or a path into one, or undefined. */
export function keyOf(e: ts.Expression): string | undefined {
  e = strip(e);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) {
    const object = keyOf(e.expression);
    return object === undefined ? undefined : `${object}.${e.name.text}`;
  }
  if (
    ts.isElementAccessExpression(e) &&
    (ts.isNumericLiteral(e.argumentExpression) || ts.isIdentifier(e.argumentExpression))
  ) {
    const object = keyOf(e.expression);
    return object === undefined ? undefined : `${object}[${e.argumentExpression.getText()}]`;
  }
  return undefined;
}

/** The local under `w.present(…)`, `w.object(…)` wrappers, if the value is one. */
export function rootLocal(
  valueExpr: ts.Expression,
  ios: ReadonlySet<string>,
  source: ts.SourceFile,
): string | undefined {
  let e = strip(valueExpr);
  while (
    ts.isCallExpression(e) &&
    ts.isPropertyAccessExpression(e.expression) &&
    ios.has(e.expression.expression.getText(source)) &&
    e.arguments[0]
  )
    e = strip(e.arguments[0]);
  return keyOf(e);
}

/** Removes parentheses, `!` non-null assertions, `as` casts. */
export function strip(e: ts.Expression): ts.Expression {
  for (;;) {
    if (
      ts.isParenthesizedExpression(e) ||
      ts.isNonNullExpression(e) ||
      ts.isAsExpression(e) ||
      ts.isSatisfiesExpression(e)
    )
      e = e.expression;
    else return e;
  }
}

export function isLiteral(e: ts.Expression): boolean {
  e = strip(e);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken)
    return isLiteral(e.operand);
  return (
    ts.isNumericLiteral(e) ||
    ts.isBigIntLiteral(e) ||
    ts.isStringLiteral(e) ||
    e.kind === ts.SyntaxKind.TrueKeyword ||
    e.kind === ts.SyntaxKind.FalseKeyword
  );
}

export function findCall(
  e: ts.Expression,
  ios: ReadonlySet<string>,
  method: string,
): ts.CallExpression | undefined {
  e = strip(e);
  if (!ts.isCallExpression(e)) return undefined;
  const callee = e.expression;
  if (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    ios.has(callee.expression.text)
  ) {
    if (callee.name.text === method) return e;
    return e.arguments[0] ? findCall(e.arguments[0], ios, method) : undefined;
  }
  return undefined;
}

/** The index of `for (let i = 0; i < n; i++)` or `for (; i < n; i++)`, or undefined. */
export function countedLoopIndex(s: ts.ForStatement): string | undefined {
  const cond = s.condition;
  if (
    !cond ||
    !ts.isBinaryExpression(cond) ||
    cond.operatorToken.kind !== ts.SyntaxKind.LessThanToken ||
    !ts.isIdentifier(cond.left)
  )
    return undefined;
  const index = cond.left.text;
  const init = s.initializer;
  if (init) {
    if (!ts.isVariableDeclarationList(init) || init.declarations.length !== 1) return undefined;
    const d = init.declarations[0]!;
    if (
      !ts.isIdentifier(d.name) ||
      d.name.text !== index ||
      !d.initializer ||
      !ts.isNumericLiteral(d.initializer) ||
      d.initializer.text !== "0"
    )
      return undefined;
  }
  const inc = s.incrementor;
  const steps =
    inc !== undefined &&
    (ts.isPostfixUnaryExpression(inc) || ts.isPrefixUnaryExpression(inc)) &&
    inc.operator === ts.SyntaxKind.PlusPlusToken &&
    ts.isIdentifier(inc.operand) &&
    inc.operand.text === index;
  if (!steps) return undefined;
  // The body may not change the index.
  let assigned = false;
  const visit = (n: ts.Node): void => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      ts.isIdentifier(n.left) &&
      n.left.text === index
    )
      assigned = true;
    if (
      (ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) &&
      ts.isIdentifier(n.operand) &&
      n.operand.text === index &&
      n !== inc
    ) {
      if (
        n.operator === ts.SyntaxKind.PlusPlusToken ||
        n.operator === ts.SyntaxKind.MinusMinusToken
      )
        assigned = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(s.statement);
  return assigned ? undefined : index;
}

export function loopName(s: ts.Statement): string {
  if (ts.isWhileStatement(s)) return "while loop";
  if (ts.isDoStatement(s)) return "do-while loop";
  if (ts.isForOfStatement(s)) return "for-of loop";
  return "for-in loop";
}

/** What a statement is, in words ("switch", "labeled"), for messages. */
export function statementName(s: ts.Statement): string {
  return ts.SyntaxKind[s.kind]
    .replace(/Statement$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase();
}

export function asStatements(s: ts.Statement): readonly ts.Statement[] {
  return ts.isBlock(s) ? s.statements : [s];
}
