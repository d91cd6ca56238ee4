// Lexer: the tokens of the .vmstate language, in the order Chevrotain must try them.

import { createToken, Lexer, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({ name: "WhiteSpace", pattern: /[ \t\r\n]+/, group: Lexer.SKIPPED });
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\n]*/, group: Lexer.SKIPPED });
export const BlockComment = createToken({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED });
/** An opening `/*` with no end: matched only when BlockComment fails, and reported as an error. */
export const UnterminatedComment = createToken({ name: "UnterminatedComment", pattern: /\/\*[\s\S]*/ });

export const Identifier = createToken({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, label: "a name" });

function keyword(word: string): TokenType {
  return createToken({ name: word[0]!.toUpperCase() + word.slice(1), pattern: new RegExp(`${word}\\b`), longer_alt: Identifier, label: `'${word}'` });
}

export const Const = keyword("const");
export const Features = keyword("features");
export const Param = keyword("param");
export const Struct = keyword("struct");
export const Section = keyword("section");
export const Subsection = keyword("subsection");
export const Version = keyword("version");
export const Minimum = keyword("minimum");
export const Needed = keyword("needed");
export const If = keyword("if");
export const Since = keyword("since");
export const Equals = keyword("equals");
export const Max = keyword("max");
export const Unused = keyword("unused");
export const Let = keyword("let");
export const Validate = keyword("validate");
export const True = keyword("true");
export const False = keyword("false");

/** Hexadecimal, binary or decimal; `_` may separate digits. A letter right after the digits is an error. */
export const Integer = createToken({ name: "Integer", pattern: /(?:0[xX][0-9a-fA-F_]*|0[bB][01_]*|[0-9][0-9_]*)[A-Za-z0-9_]*/, label: "integer" });
export const StringLiteral = createToken({ name: "StringLiteral", pattern: /"(?:[^"\\\n]|\\.)*"/, label: "string" });
export const UnterminatedString = createToken({ name: "UnterminatedString", pattern: /"(?:[^"\\\n]|\\.)*/ });

/** Every binary operator: the parser reads `a op b op c` flat, the AST builder applies precedence. */
export const BinaryOperator = createToken({ name: "BinaryOperator", pattern: Lexer.NA, label: "operator" });

const punct = (name: string, pattern: string, categories: TokenType[] = []): TokenType =>
  createToken({ name, pattern: new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), label: `'${pattern}'`, categories });
const binary = (name: string, pattern: string): TokenType => punct(name, pattern, [BinaryOperator]);

export const LCurly = punct("LCurly", "{");
export const RCurly = punct("RCurly", "}");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const Semicolon = punct("Semicolon", ";");
export const Colon = punct("Colon", ":");
export const Comma = punct("Comma", ",");
export const Dot = punct("Dot", ".");
export const QuestionQuestion = binary("QuestionQuestion", "??");
export const Question = punct("Question", "?");
export const OrOr = binary("OrOr", "||");
export const AndAnd = binary("AndAnd", "&&");
export const Pipe = binary("Pipe", "|");
export const Caret = binary("Caret", "^");
export const Amp = binary("Amp", "&");
export const EqEq = binary("EqEq", "==");
export const NotEq = binary("NotEq", "!=");
export const ShiftLeft = binary("ShiftLeft", "<<");
export const ShiftRight = binary("ShiftRight", ">>");
export const LessEq = binary("LessEq", "<=");
export const GreaterEq = binary("GreaterEq", ">=");
export const Less = binary("Less", "<");
export const Greater = binary("Greater", ">");
export const Assign = punct("Assign", "=");
export const Plus = binary("Plus", "+");
export const Minus = binary("Minus", "-");
export const Star = binary("Star", "*");
export const Slash = binary("Slash", "/");
export const Percent = binary("Percent", "%");
export const Bang = punct("Bang", "!");
export const Tilde = punct("Tilde", "~");

/** The order matters: comments before `/`, longer operators before their prefixes, keywords before Identifier. */
export const allTokens: TokenType[] = [
  BinaryOperator,
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  Const,
  Features,
  Param,
  Struct,
  Subsection,
  Section,
  Version,
  Minimum,
  Needed,
  If,
  Since,
  Equals,
  Max,
  Unused,
  Let,
  Validate,
  True,
  False,
  Identifier,
  Integer,
  StringLiteral,
  UnterminatedString,
  LCurly,
  RCurly,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Semicolon,
  Colon,
  Comma,
  Dot,
  QuestionQuestion,
  Question,
  OrOr,
  AndAnd,
  Pipe,
  Caret,
  Amp,
  EqEq,
  NotEq,
  ShiftLeft,
  ShiftRight,
  LessEq,
  GreaterEq,
  Less,
  Greater,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Bang,
  Tilde,
];

export const vmstateLexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false });
