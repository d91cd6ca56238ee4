// Parser: the grammar of .vmstate as a Chevrotain CstParser (grammar only; the AST comes from ast-builder.ts).

import {
  CstParser,
  EOF,
  tokenMatcher,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from "chevrotain";
import { parserMessages } from "../diagnostics/catalog.js";
import * as t from "./tokens.js";

/** Messages in the form "expected ';' but found 'u8'". */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, previous, ruleName }) =>
    parserMessages.ExpectedButFound(
      label(expected),
      found(actual.image),
      mismatchHint(expected, actual, previous, ruleName),
    ),
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    parserMessages.ExpectedDeclaration(
      found(firstRedundant.image),
      unsupportedHint(firstRedundant.image),
    ),
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, ruleName }) => {
    const starts = new Set(
      expectedPathsPerAlt.flat().map((path) => (path[0] ? label(path[0]) : "")),
    );
    return parserMessages.ExpectedButFound(
      describeRule(ruleName, [...starts]),
      found(actual[0]?.image),
      unsupportedHint(actual[0]?.image),
    );
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual }) => {
    const starts = new Set(expectedIterationPaths.map((path) => (path[0] ? label(path[0]) : "")));
    return parserMessages.ExpectedButFound([...starts].join(" or "), found(actual[0]?.image), "");
  },
};

/** What to write instead of a construct the language does not have, by the word that starts it. */
const unsupported: Record<string, string> = {
  enum: ": enumerations are not in the language; use a constant per value and 'validate x == A || x == B, \"…\";'",
  typedef: ": a schema has no typedefs; declare a struct, or use the type where it is needed",
  needed:
    ": only a subsection has 'needed' (write it after the subsection's versions); a section is on the stream or not",
};

function unsupportedHint(image: string | undefined): string {
  return (image !== undefined && unsupported[image]) || "";
}

/** A hint for a token that is not what the rule expects: C habits, constructs not in the language. */
function mismatchHint(
  expected: TokenType,
  actual: IToken,
  previous: IToken,
  ruleName: string,
): string {
  if (expected === EOF) return unsupportedHint(actual.image);
  if (
    ruleName === "fieldDecl" &&
    expected === t.Colon &&
    tokenMatcher(actual, t.Name) &&
    previous.tokenType === t.Identifier
  ) {
    // `c u8;` lacks the colon; `uint8_t x;` is C's order.
    if (looksLikeType(actual.image))
      return `: a field is written name: type, as in '${previous.image}: ${actual.image};'`;
    if (looksLikeType(previous.image))
      return `: a field is written name: type, as in '${actual.image}: ${previous.image};'`;
  }
  if (expected === t.LCurly && actual.image === "needed" && ruleName === "body")
    return unsupportedHint("needed");
  return "";
}

/** A scalar of the language or of C (a hint only: the checker knows the types). */
function looksLikeType(name: string): boolean {
  return /^(?:[ui](?:8|16|32|64)(?:le)?|bool|bytes|text|u?int(?:8|16|32|64)(?:_t)?|char)$/.test(
    name,
  );
}

function label(token: TokenType): string {
  return token.LABEL ?? token.name;
}

function found(image: string | undefined): string {
  if (image === undefined || image === "") return "end of file";
  // A token may be a whole long literal: the message shows its start.
  return `'${image.length > 60 ? `${image.slice(0, 60)}…` : image}'`;
}

function describeRule(rule: string, starts: string[]): string {
  const names: Record<string, string> = {
    item: "a declaration (import, const, features, param, struct, codec or section)",
    member: "a field, 'unused', 'let', 'validate' or 'subsection'",
    primary: "an expression",
  };
  return names[rule] ?? starts.join(" or ");
}

export class VmstateParser extends CstParser {
  constructor() {
    super(t.allTokens, {
      recoveryEnabled: true,
      nodeLocationTracking: "full",
      errorMessageProvider: messages,
    });
    this.performSelfAnalysis();
  }

  public schema = this.RULE("schema", () => {
    this.MANY(() => this.SUBRULE(this.item));
  });

  private item = this.RULE("item", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
      { ALT: () => this.SUBRULE(this.featuresDecl) },
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.structDecl) },
      { ALT: () => this.SUBRULE(this.codecDecl) },
      { ALT: () => this.SUBRULE(this.sectionDecl) },
    ]);
  });

  /** `import { A, B } from "./other.vmstate";`: declarations of another schema file. */
  private importDecl = this.RULE("importDecl", () => {
    this.CONSUME(t.Import);
    this.CONSUME(t.LCurly);
    this.AT_LEAST_ONE_SEP({ SEP: t.Comma, DEF: () => this.CONSUME(t.Name) });
    this.CONSUME(t.RCurly);
    this.CONSUME(t.From);
    this.CONSUME(t.StringLiteral);
    this.CONSUME(t.Semicolon);
  });

  /** `codec Name(args) from "module.ts";`: a type whose save and load are hand-written TypeScript. */
  private codecDecl = this.RULE("codecDecl", () => {
    this.CONSUME(t.Codec);
    this.CONSUME(t.Name);
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      this.MANY_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.structParam) });
      this.CONSUME(t.RParen);
    });
    this.CONSUME(t.From);
    this.CONSUME(t.StringLiteral);
    this.CONSUME(t.Semicolon);
  });

  private constDecl = this.RULE("constDecl", () => {
    this.CONSUME(t.Const);
    this.CONSUME(t.Name);
    this.OPTION(() => {
      this.CONSUME(t.Colon);
      this.SUBRULE(this.namedType);
    });
    this.CONSUME(t.Assign);
    this.SUBRULE(this.expression);
    this.CONSUME(t.Semicolon);
  });

  private featuresDecl = this.RULE("featuresDecl", () => {
    this.CONSUME(t.Features);
    this.CONSUME(t.Name);
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.featureBit));
    this.CONSUME(t.RCurly);
  });

  private featureBit = this.RULE("featureBit", () => {
    this.CONSUME(t.Name);
    this.CONSUME(t.Assign);
    this.SUBRULE(this.expression);
    this.CONSUME(t.Semicolon);
  });

  private paramDecl = this.RULE("paramDecl", () => {
    this.CONSUME(t.Param);
    this.CONSUME(t.Name);
    this.OPTION2(() => this.CONSUME(t.Question));
    this.CONSUME(t.Colon);
    this.SUBRULE(this.namedType);
    this.OPTION(() => {
      this.CONSUME(t.Assign);
      this.SUBRULE(this.expression);
    });
    this.CONSUME(t.Semicolon);
  });

  private structDecl = this.RULE("structDecl", () => {
    this.CONSUME(t.Struct);
    this.CONSUME(t.Name);
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      this.MANY_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.structParam) });
      this.CONSUME(t.RParen);
    });
    this.OPTION2(() => this.CONSUME(t.StringLiteral));
    this.OPTION3(() => {
      this.CONSUME(t.Version);
      this.SUBRULE(this.expression);
    });
    this.SUBRULE(this.body);
  });

  private structParam = this.RULE("structParam", () => {
    this.CONSUME(t.Name);
    this.CONSUME(t.Colon);
    this.SUBRULE(this.namedType);
  });

  private sectionDecl = this.RULE("sectionDecl", () => {
    this.CONSUME(t.Section);
    this.CONSUME(t.Name);
    this.CONSUME(t.StringLiteral);
    this.SUBRULE(this.versions);
    this.SUBRULE(this.body);
  });

  /** `version E` and an optional `minimum E`. */
  private versions = this.RULE("versions", () => {
    this.CONSUME(t.Version);
    this.SUBRULE(this.expression, { LABEL: "version" });
    this.OPTION(() => {
      this.CONSUME(t.Minimum);
      this.SUBRULE2(this.expression, { LABEL: "minimum" });
    });
  });

  private body = this.RULE("body", () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.member));
    this.CONSUME(t.RCurly);
  });

  private member = this.RULE("member", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.fieldDecl) },
      { ALT: () => this.SUBRULE(this.unusedDecl) },
      { ALT: () => this.SUBRULE(this.letDecl) },
      { ALT: () => this.SUBRULE(this.validateDecl) },
      { ALT: () => this.SUBRULE(this.subsectionDecl) },
    ]);
  });

  /**
   * `a.b: T;`, with constant indexes into arrays (`channels[0].irq_disabled`); `again PATH: T;` is
   * the second copy of a value sent twice.
   */
  private fieldDecl = this.RULE("fieldDecl", () => {
    this.OPTION({
      GATE: () => this.LA(1).tokenType === t.Again && tokenMatcher(this.LA(2), t.Name),
      DEF: () => this.CONSUME(t.Again),
    });
    this.CONSUME(t.Name);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.Dot);
            this.CONSUME2(t.Name);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.LBracket);
            this.SUBRULE(this.expression, { LABEL: "index" });
            this.CONSUME(t.RBracket);
          },
        },
      ]);
    });
    this.CONSUME(t.Colon);
    this.SUBRULE(this.typeRef);
    this.SUBRULE(this.clauses);
    this.CONSUME(t.Semicolon);
  });

  private unusedDecl = this.RULE("unusedDecl", () => {
    this.CONSUME(t.Unused);
    this.SUBRULE(this.dimension);
    this.SUBRULE(this.clauses);
    this.CONSUME(t.Semicolon);
  });

  private clauses = this.RULE("clauses", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.If) },
        { ALT: () => this.CONSUME(t.Since) },
        { ALT: () => this.CONSUME(t.Equals) },
        { ALT: () => this.CONSUME(t.Was) },
      ]);
      this.SUBRULE(this.expression);
    });
  });

  private letDecl = this.RULE("letDecl", () => {
    this.CONSUME(t.Let);
    this.CONSUME(t.Name);
    this.CONSUME(t.Assign);
    this.SUBRULE(this.expression);
    this.CONSUME(t.Semicolon);
  });

  /** `validate C, "m";` or, for every element of an array, `validate each x in a: C, "m";`. */
  private validateDecl = this.RULE("validateDecl", () => {
    this.CONSUME(t.Validate);
    this.OPTION({
      GATE: () => this.LA(1).tokenType === t.Each && this.LA(3).tokenType === t.In,
      DEF: () => {
        this.CONSUME(t.Each);
        this.CONSUME(t.Name, { LABEL: "element" });
        this.CONSUME(t.In);
        this.SUBRULE2(this.expression, { LABEL: "array" });
        this.CONSUME(t.Colon);
      },
    });
    this.SUBRULE(this.expression);
    this.CONSUME(t.Comma);
    this.CONSUME(t.StringLiteral);
    this.CONSUME(t.Semicolon);
  });

  private subsectionDecl = this.RULE("subsectionDecl", () => {
    this.CONSUME(t.Subsection);
    this.CONSUME(t.Name);
    this.CONSUME(t.StringLiteral);
    this.SUBRULE(this.versions);
    this.OPTION(() => {
      this.CONSUME(t.Needed);
      this.SUBRULE(this.expression);
    });
    this.SUBRULE(this.body);
  });

  /** `u32`, `VirtQueue(msix)`, then any number of `[count]` or `[count max N]`. */
  private typeRef = this.RULE("typeRef", () => {
    this.SUBRULE(this.namedType);
    this.MANY(() => this.SUBRULE(this.dimension));
  });

  private dimension = this.RULE("dimension", () => {
    this.CONSUME(t.LBracket);
    this.SUBRULE(this.expression, { LABEL: "count" });
    this.OPTION(() => {
      this.CONSUME(t.Max);
      this.SUBRULE2(this.expression, { LABEL: "max" });
    });
    this.CONSUME(t.RBracket);
  });

  private namedType = this.RULE("namedType", () => {
    this.CONSUME(t.Name);
    this.OPTION(() => {
      this.CONSUME(t.LParen);
      this.MANY_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.expression) });
      this.CONSUME(t.RParen);
    });
  });

  // ------------------------------------------------------------- expressions

  /** `a op b op c ? x : y`; precedence is applied by the AST builder. */
  public expression = this.RULE("expression", () => {
    this.SUBRULE(this.binary, { LABEL: "test" });
    this.OPTION(() => {
      this.CONSUME(t.Question);
      this.SUBRULE(this.expression, { LABEL: "then" });
      this.CONSUME(t.Colon);
      this.SUBRULE2(this.expression, { LABEL: "else" });
    });
  });

  private binary = this.RULE("binary", () => {
    this.SUBRULE(this.unary, { LABEL: "operands" });
    this.MANY(() => {
      this.CONSUME(t.BinaryOperator, { LABEL: "operators" });
      this.SUBRULE2(this.unary, { LABEL: "operands" });
    });
  });

  private unary = this.RULE("unary", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.Bang, { LABEL: "prefix" }) },
        { ALT: () => this.CONSUME(t.Tilde, { LABEL: "prefix" }) },
        { ALT: () => this.CONSUME(t.Minus, { LABEL: "prefix" }) },
      ]);
    });
    this.SUBRULE(this.postfix);
  });

  private postfix = this.RULE("postfix", () => {
    this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(t.Dot, { LABEL: "suffix" });
            this.CONSUME(t.Name, { LABEL: "member" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.LBracket, { LABEL: "suffix" });
            this.SUBRULE(this.expression, { LABEL: "index" });
            this.CONSUME(t.RBracket, { LABEL: "close" });
          },
        },
      ]);
    });
  });

  private primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(t.Integer) },
      { ALT: () => this.CONSUME(t.True) },
      { ALT: () => this.CONSUME(t.False) },
      {
        ALT: () => {
          this.CONSUME(t.Name);
          this.OPTION(() => {
            this.CONSUME(t.LParen);
            this.MANY_SEP({
              SEP: t.Comma,
              DEF: () => this.SUBRULE(this.expression, { LABEL: "args" }),
            });
            this.CONSUME(t.RParen);
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(t.LParen, { LABEL: "open" });
          this.SUBRULE2(this.expression, { LABEL: "inner" });
          this.CONSUME2(t.RParen, { LABEL: "close" });
        },
      },
    ]);
  });
}

/** One shared instance: building a Chevrotain parser is expensive, and `input =` resets it. */
export const parser = new VmstateParser();
