// Nesting depth: a scan of the tokens, before parsing, that finds text nested deeper than any pass may recurse.
//
// The parser and every later pass (checker, planner, emitter, compat, LSP, formatter) walk nested
// constructs by recursion, so a depth limit here is what keeps them all inside the stack. Nesting
// counts one level for each open bracket (`(`, `[`, `{`: parentheses, indexes, arguments, bodies,
// subsections), each `?` of a conditional still open, each prefix operator of a run (`- - !x`) and
// each suffix of a run (`a.b[0].c`, `u8[2][3]`), all of which the AST holds nested. Binary chains
// (`a + b + … + z`) are flat: they count nothing, and the passes walk them by iteration.

import type { IToken, TokenType } from "chevrotain";
import * as t from "./tokens.js";

/** The deepest nesting a schema may have (docs/security.md); real schemas stay below 10. */
export const MAX_NESTING = 64;

interface Level {
  /** `?` of conditionals opened at this bracket level and not ended by `,` or `;`. */
  conditionals: number;
  /** The current run of prefix operators, and of suffixes (`.name`, `[…]`). */
  prefixes: number;
  suffixes: number;
}

const opening = new Set<TokenType>([t.LParen, t.LBracket, t.LCurly]);
const closing = new Set<TokenType>([t.RParen, t.RBracket, t.RCurly]);
const prefixOperators = new Set<TokenType>([t.Bang, t.Tilde, t.Minus]);
const separators = new Set<TokenType>([t.Comma, t.Semicolon]);

/** A token that is (part of) an operand: it neither starts nor ends a run. */
function isOperand(type: TokenType): boolean {
  return type === t.Integer || type === t.True || type === t.False || isName(type);
}

function isName(type: TokenType): boolean {
  return type === t.Name || (type.CATEGORIES?.includes(t.Name) ?? false);
}

/** A token may carry a suffix after it: a name, or the end of an index or call. */
function endsOperand(token: IToken | undefined): boolean {
  if (token === undefined) return false;
  const type = token.tokenType;
  return type === t.RBracket || type === t.RParen || isName(type);
}

/** The first token at which the nesting exceeds `limit`, or undefined when it never does. */
export function tooDeep(tokens: readonly IToken[], limit = MAX_NESTING): IToken | undefined {
  const levels: Level[] = [{ conditionals: 0, prefixes: 0, suffixes: 0 }];
  /** The sum, over the open levels below the current one, of their own depth. */
  const outer: number[] = [0];
  let previous: IToken | undefined;
  for (const token of tokens) {
    const type = token.tokenType;
    const level = levels[levels.length - 1]!;
    const isSuffix =
      (type === t.Dot || type === t.LBracket || type === t.LParen) && endsOperand(previous);
    if (isSuffix) level.suffixes++;
    else if (prefixOperators.has(type)) {
      level.prefixes++;
      level.suffixes = 0;
    } else if (!closing.has(type) && !isOperand(type)) {
      level.prefixes = 0;
      level.suffixes = 0;
    }
    if (type === t.Question) level.conditionals++;
    if (separators.has(type)) level.conditionals = 0;
    const depth =
      outer[outer.length - 1]! +
      levels.length -
      1 +
      level.conditionals +
      level.prefixes +
      level.suffixes;
    if (depth > limit) return token;
    if (opening.has(type)) {
      outer.push(outer[outer.length - 1]! + level.conditionals + level.prefixes + level.suffixes);
      levels.push({ conditionals: 0, prefixes: 0, suffixes: 0 });
    } else if (closing.has(type) && levels.length > 1) {
      levels.pop();
      outer.pop();
    }
    previous = token;
  }
  return undefined;
}
