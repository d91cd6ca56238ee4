// Comments in generated code: the schema's doc comments become JSDoc on types, properties and
// functions, and `//` lines above the statements of lets, validations and padding. Every text that
// goes into a comment passes through here, escaped so that nothing a schema says can end the
// comment early (a `*/` in a name or a comment, a line break in a `//` comment).

/** Line terminators of JavaScript: a `//` comment ends at any of them. */
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;

/** Text for inside a `/** … *\/` block: `*\/` cannot close it, line breaks are `\n`. */
export function docText(...parts: readonly (string | undefined)[]): string {
  return parts
    .filter((p): p is string => p !== undefined && p !== "")
    .join("\n\n")
    .split(LINE_BREAK)
    .join("\n")
    .replace(/\*\//g, "*\\/");
}

/** A doc as `//` comment lines, one per line of it. */
export function lineComments(doc: string | undefined): string[] {
  if (doc === undefined || doc === "") return [];
  return doc.split(LINE_BREAK).map((line) => (line === "" ? "//" : `// ${line}`));
}
