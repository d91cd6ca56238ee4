// The VS Code extension's client: starts `vmstate lsp` from the workspace's installed vmstate-dsl
// package (node_modules/vmstate-dsl/dist/bin/vmstate.js), or the one the `vmstate.server.path`
// setting names, or `vmstate` on the PATH, and connects VS Code's language client to it over stdio.

const { existsSync } = require("node:fs");
const { join } = require("node:path");
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

/** The vmstate CLI module of a workspace folder, when its package is installed there. */
function installedCli(folder) {
  try {
    const manifest = require.resolve("vmstate-dsl/package.json", { paths: [folder] });
    const cli = join(manifest, "..", "dist", "bin", "vmstate.js");
    return existsSync(cli) ? cli : undefined;
  } catch {
    return undefined;
  }
}

function serverOptions() {
  const configured = vscode.workspace.getConfiguration("vmstate").get("server.path");
  const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const module = configured || folders.map(installedCli).find((cli) => cli !== undefined);
  // `module` runs with VS Code's own Node; the client adds `--stdio`, which `vmstate lsp` accepts.
  if (module) return { module, args: ["lsp"], transport: TransportKind.stdio };
  return { command: "vmstate", args: ["lsp"], transport: TransportKind.stdio };
}

function activate(context) {
  client = new LanguageClient("vmstate", "vmstate", serverOptions(), {
    documentSelector: [{ language: "vmstate" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.vmstate") },
  });
  context.subscriptions.push({ dispose: () => client?.stop() });
  return client.start();
}

function deactivate() {
  return client?.stop();
}

module.exports = { activate, deactivate };
