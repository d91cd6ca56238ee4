// A prettier plugin for .vmstate files: `prettier --plugin vmstate-dsl/prettier --write .`. The
// layout is the formatter's (format/format.ts); prettier only hands it the text. A file with a
// syntax error fails the way prettier reports a parse error: with its line and column.

import { doc, type Parser, type Plugin, type Printer, type SupportLanguage } from "prettier";
import { formatSchema } from "./format.js";

interface VmstateRoot {
  readonly type: "vmstate";
  readonly text: string;
  readonly formatted: string;
}

/** The error prettier prints as `file: SyntaxError: message (line:column)`. */
class VmstateSyntaxError extends SyntaxError {
  constructor(
    message: string,
    readonly loc: { start: { line: number; column: number } },
  ) {
    super(message);
  }
}

export const languages: SupportLanguage[] = [
  {
    name: "vmstate",
    parsers: ["vmstate"],
    extensions: [".vmstate"],
    vscodeLanguageIds: ["vmstate"],
  },
];

export const parsers: Record<string, Parser<VmstateRoot>> = {
  vmstate: {
    astFormat: "vmstate",
    parse: (text): VmstateRoot => {
      const result = formatSchema(text);
      if (result.text === undefined) {
        const first = result.diagnostics[0];
        throw new VmstateSyntaxError(
          first ? `${first.code}: ${first.message}` : "cannot be formatted",
          { start: { line: first?.span.line ?? 1, column: first?.span.column ?? 1 } },
        );
      }
      return { type: "vmstate", text, formatted: result.text };
    },
    locStart: () => 0,
    locEnd: (node) => node.text.length,
  },
};

export const printers: Record<string, Printer<VmstateRoot>> = {
  vmstate: {
    // The formatter's text as it is: every line break is its own (no re-filling by prettier).
    print: (path) => {
      const { join, hardline } = doc.builders;
      const text = path.node.formatted;
      return text === "" ? "" : [join(hardline, text.replace(/\n$/, "").split("\n")), hardline];
    },
  },
};

const plugin: Plugin<VmstateRoot> = { languages, parsers, printers };
export default plugin;
