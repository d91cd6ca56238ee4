// The top-level declarations of a token list, split without parsing: what lets the language
// server and the formatter parse only the declarations an edit touched.

import type { IToken } from "chevrotain";
import * as t from "./tokens.js";

/**
 * The tokens of each top-level declaration, or undefined when they do not split into such (an
 * unterminated string or comment, unbalanced braces, tokens after the last declaration).
 */
export function topLevelDeclarations(tokens: readonly IToken[]): IToken[][] | undefined {
  const chunks: IToken[][] = [];
  let current: IToken[] = [];
  let depth = 0;
  for (const tok of tokens) {
    if (tok.tokenType === t.UnterminatedString || tok.tokenType === t.UnterminatedComment)
      return undefined;
    current.push(tok);
    if (tok.tokenType === t.LCurly) depth++;
    else if (tok.tokenType === t.RCurly) {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) {
        // `features X { … }`, `struct S { … }`, `section … { … }` end at their closing brace.
        chunks.push(current);
        current = [];
      }
    } else if (tok.tokenType === t.Semicolon && depth === 0) {
      chunks.push(current);
      current = [];
    }
  }
  return depth === 0 && current.length === 0 ? chunks : undefined;
}
