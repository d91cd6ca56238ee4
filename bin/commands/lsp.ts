// `vmstate lsp`: the language server (lsp/server.ts) on standard input and output. Loaded only by
// this command, so that the other commands start without vscode-languageserver.

export async function runLsp(): Promise<number> {
  const { startServer } = await import("../../lsp/server.js");
  const connection = startServer();
  // The server runs until the client sends `exit` (or closes the pipe): the process then exits.
  await new Promise<void>((resolve) => connection.onExit(resolve));
  return 0;
}
