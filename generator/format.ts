// Formatting: prettier with fixed options, so generated files are the same bytes on every machine.

import { format } from "prettier";

export const PRETTIER_OPTIONS = { parser: "typescript", printWidth: 100, endOfLine: "lf" } as const;

export async function formatTypeScript(text: string): Promise<string> {
  return format(text, PRETTIER_OPTIONS);
}
