// Lexer: the tokens of the .vmstate language, in the order Chevrotain must try them.

import { createToken, Lexer, type TokenType } from "chevrotain";

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n]+/,
  group: Lexer.SKIPPED,
});
export const LineComment = createToken({
  name: "LineComment",
  pattern: /\/\/[^\n]*/,
  group: "comments",
});
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: "comments",
});
/** An opening `/*` with no end: matched only when BlockComment fails, and reported as an error. */
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
});

/** Anything that can name a field, a type or a value: identifiers and the soft keywords. */
export const Name = createToken({ name: "Name", pattern: Lexer.NA, label: "a name" });

export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: "a name",
  categories: [Name],
});

/**
 * A keyword. Most are soft: they may also name a field (`features: u32;`, `version: u8;`), since
 * device state uses such words. Reserved are `if`, `true`, `false` and the words that start a
 * member other than a field (`let`, `validate`, `unused`, `subsection`), so that one token tells
 * the parser what a member is and it can recover well from errors.
 */
function keyword(word: string, soft = true): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(`${word}\\b`),
    longer_alt: Identifier,
    label: `'${word}'`,
    categories: soft ? [Name] : [],
  });
}

export const Const = keyword("const");
export const Features = keyword("features");
export const Param = keyword("param");
export const Struct = keyword("struct");
export const Codec = keyword("codec");
export const From = keyword("from");
export const Import = keyword("import");
export const Section = keyword("section");
export const Subsection = keyword("subsection", false);
export const Version = keyword("version");
export const Minimum = keyword("minimum");
export const Needed = keyword("needed");
export const If = keyword("if", false);
export const Since = keyword("since");
export const Equals = keyword("equals");
export const Was = keyword("was");
export const Again = keyword("again");
export const Max = keyword("max");
export const Unused = keyword("unused", false);
export const Let = keyword("let", false);
export const Validate = keyword("validate", false);
export const Each = keyword("each");
export const In = keyword("in");
export const True = keyword("true", false);
export const False = keyword("false", false);

/** Hexadecimal, binary or decimal; `_` may separate digits. A letter right after the digits is an error. */
export const Integer = createToken({
  name: "Integer",
  pattern: /(?:0[xX][0-9a-fA-F_]*|0[bB][01_]*|[0-9][0-9_]*)[A-Za-z0-9_]*/,
  label: "integer",
});
export const StringLiteral = createToken({
  name: "StringLiteral",
  pattern: /"(?:[^"\\\n]|\\.)*"/,
  label: "string",
});
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\n]|\\.)*/,
});

/** Every binary operator: the parser reads `a op b op c` flat, the AST builder applies precedence. */
export const BinaryOperator = createToken({
  name: "BinaryOperator",
  pattern: Lexer.NA,
  label: "operator",
});

const punct = (name: string, pattern: string, categories: TokenType[] = []): TokenType =>
  createToken({
    name,
    pattern: new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")),
    label: `'${pattern}'`,
    categories,
  });
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
  Name,
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  Const,
  Features,
  Param,
  Struct,
  Codec,
  From,
  Import,
  Subsection,
  Section,
  Version,
  Minimum,
  Needed,
  If,
  Since,
  Equals,
  Was,
  Again,
  Max,
  Unused,
  Let,
  Validate,
  Each,
  In,
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

export const vmstateLexer = new Lexer(allTokens, {
  positionTracking: "full",
  ensureOptimizations: false,
});
