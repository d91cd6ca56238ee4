// `vmstate lsp`: a Language Server Protocol 3.17 server over standard input and output. Every
// answer comes from the compiler's own passes (lsp/analysis.ts); diagnostics are published a
// moment after the last change (debounced), while requests always answer on the latest text.

import { fileURLToPath, pathToFileURL } from "node:url";
import { relative } from "node:path";
import {
  createConnection,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
} from "vscode-languageserver/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import { readSchemaFile } from "../generator/codec-modules.js";
import { Formatter } from "../format/format.js";
import { Analysis } from "./analysis.js";
import { IncrementalParser } from "./incremental.js";
import * as F from "./features.js";

/** How long after the last change diagnostics are computed and published. */
export const DEBOUNCE_MS = 200;

export function startServer(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stdout,
): Connection {
  const connection = createConnection(ProposedFeatures.all, input, output);
  const documents = new TextDocuments(TextDocument);
  const analyses = new Map<string, { version: number; generation: number; analysis: Analysis }>();
  /** Counts changes to any document: a schema's analysis also depends on the files it imports. */
  let generation = 0;
  /** The last analysis whose text parsed, for completion while the text is broken. */
  const lastGood = new Map<string, Analysis>();
  const timers = new Map<string, NodeJS.Timeout>();
  const parsers = new Map<string, IncrementalParser>();
  const formatters = new Map<string, Formatter>();
  let root: string | undefined;

  /** Diagnostics name files as the CLI does: relative to the workspace folder. */
  const fileOf = (uri: string): string => {
    if (!uri.startsWith("file:")) return uri;
    const path = fileURLToPath(uri);
    return root ? relative(root, path) || path : path;
  };
  const uriOf = (file: string): string =>
    file.includes(":") && !file.startsWith("/")
      ? file
      : pathToFileURL(root && !file.startsWith("/") ? `${root}/${file}` : file).href;

  const analysisOf = (uri: string): Analysis | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const known = analyses.get(uri);
    if (known?.version === doc.version && known.generation === generation) return known.analysis;
    const file = fileOf(uri);
    let parser = parsers.get(uri);
    if (parser?.file !== file) parsers.set(uri, (parser = new IncrementalParser(file)));
    const analysis = new Analysis(doc.getText(), file, parser, readSchema);
    analyses.set(uri, { version: doc.version, generation, analysis });
    if (analysis.schema) lastGood.set(uri, analysis);
    return analysis;
  };

  /** An imported schema: the editor's text when it is open, else the file. */
  const readSchema = (path: string): string | undefined =>
    documents.get(uriOf(path))?.getText() ?? readSchemaFile(path);

  /** After a change, the open schemas that import something are checked again. */
  const publishImporters = (changed: string): void => {
    for (const [uri, a] of lastGood)
      if (uri !== changed && a.schema?.items.some((i) => i.kind === "import")) schedule(uri);
  };

  const schedule = (uri: string): void => {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => publish(uri), DEBOUNCE_MS),
    );
  };

  const publish = (uri: string): void => {
    timers.delete(uri);
    const a = analysisOf(uri);
    if (a) void connection.sendDiagnostics({ uri, diagnostics: F.lspDiagnostics(a, uriOf) });
  };

  connection.onInitialize((params) => {
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    if (folder?.startsWith("file:")) {
      root = fileURLToPath(folder);
      // Codec modules are paths relative to the schema, seen from the workspace as the CLI sees them.
      process.chdir(root);
    }
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: { prepareProvider: true },
        completionProvider: { triggerCharacters: ["."] },
        documentSymbolProvider: true,
        semanticTokensProvider: {
          legend: { tokenTypes: F.TOKEN_TYPES, tokenModifiers: F.TOKEN_MODIFIERS },
          full: true,
        },
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: ["quickfix"] },
        inlayHintProvider: true,
      },
      serverInfo: { name: "vmstate" },
    };
  });

  documents.onDidOpen((e) => {
    generation++;
    publish(e.document.uri);
  });
  documents.onDidChangeContent((e) => {
    generation++;
    schedule(e.document.uri);
    publishImporters(e.document.uri);
  });
  documents.onDidClose((e) => {
    generation++;
    clearTimeout(timers.get(e.document.uri));
    analyses.delete(e.document.uri);
    parsers.delete(e.document.uri);
    formatters.delete(e.document.uri);
    lastGood.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  const withAnalysis =
    <P extends { textDocument: { uri: string } }, R>(answer: (a: Analysis, p: P) => R, none: R) =>
    (p: P): R => {
      const a = analysisOf(p.textDocument.uri);
      return a ? answer(a, p) : none;
    };

  connection.onHover(withAnalysis((a, p) => F.hover(a, p.position) ?? null, null));
  connection.onDefinition(
    withAnalysis((a, p) => F.definition(a, p.textDocument.uri, p.position, uriOf) ?? null, null),
  );
  connection.onReferences(
    withAnalysis(
      (a, p) => F.references(a, p.textDocument.uri, p.position, p.context.includeDeclaration),
      [],
    ),
  );
  connection.onPrepareRename(
    withAnalysis((a, p) => {
      const ref = a.refAt(F.offsetOf(a, p.position));
      return ref ? { range: F.rangeOf(ref.span), placeholder: ref.def.name } : null;
    }, null),
  );
  connection.onRenameRequest(
    withAnalysis((a, p) => {
      const result = F.rename(a, p.position, p.newName);
      if ("refused" in result) return new ResponseError(-32803, result.refused);
      return { changes: { [p.textDocument.uri]: result.edits } };
    }, null),
  );
  connection.onCompletion((p) => {
    const current = analysisOf(p.textDocument.uri);
    const a = current?.schema ? current : (lastGood.get(p.textDocument.uri) ?? current);
    const doc = documents.get(p.textDocument.uri);
    return a && doc ? F.complete(a, doc.getText(), p.position) : [];
  });
  connection.onDocumentSymbol(withAnalysis((a) => F.documentSymbols(a), []));
  connection.languages.semanticTokens.on(
    withAnalysis((a) => ({ data: F.semanticTokens(a) }), { data: [] }),
  );
  connection.onDocumentFormatting((p) => {
    const doc = documents.get(p.textDocument.uri);
    if (!doc) return [];
    let formatter = formatters.get(p.textDocument.uri);
    if (!formatter) formatters.set(p.textDocument.uri, (formatter = new Formatter()));
    return F.formatting(doc, formatter, fileOf(p.textDocument.uri));
  });
  connection.onCodeAction(
    withAnalysis((a, p) => F.codeActions(a, p.textDocument.uri, p.context.diagnostics), []),
  );
  connection.languages.inlayHint.on(withAnalysis((a, p) => F.inlayHints(a, p.range), []));

  documents.listen(connection);
  connection.listen();
  return connection;
}
