// `npm run bench:lsp`: how long `vmstate lsp` takes to answer after an edit of a 2 000-line schema.
// The server runs as an editor runs it, a child process spoken to over stdio (vscode-jsonrpc).
// Each round changes one number in the middle of the schema and sends, right after the change, a
// request that needs the new text analysed (hover, completion, semantic tokens, symbols, inlay
// hints, formatting); the time is from sending the change to the answer. Diagnostics are timed
// from the change to their arrival, less the server's debounce. The last line is one JSON object.

import { spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-jsonrpc/node.js";
import { packageRoot } from "../fuzz/fixtures.js";
import { DEBOUNCE_MS } from "../lsp/server.js";
import { lspBenchSchema } from "./lsp-schema.js";

const ROUNDS = Number(process.env["BENCH_ROUNDS"] ?? 30);
const cli = join(packageRoot, "dist", "bin", "vmstate.js");
const uri = "file:///bench/dev.vmstate";

function stats(values: readonly number[]): { median: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (f: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))]!;
  return { median: q(0.5), p95: q(0.95), max: sorted[sorted.length - 1]! };
}

async function main(): Promise<void> {
  const text = lspBenchSchema();
  const lines = text.split("\n");
  const child = spawn(process.execPath, [cli, "lsp"], { stdio: ["pipe", "pipe", "inherit"] });
  const rpc = createMessageConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );
  let onDiagnostics: ((count: number) => void) | undefined;
  rpc.onNotification("textDocument/publishDiagnostics", (p: { diagnostics: unknown[] }) =>
    onDiagnostics?.(p.diagnostics.length),
  );
  rpc.listen();
  await rpc.sendRequest("initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  await rpc.sendNotification("initialized", {});
  let diagnostics = new Promise<number>((r) => (onDiagnostics = r));
  await rpc.sendNotification("textDocument/didOpen", {
    textDocument: { uri, languageId: "vmstate", version: 1, text },
  });
  const initial = await diagnostics;
  if (initial !== 0) throw new Error(`the benchmark's schema has ${initial} diagnostics`);

  // The line edited: `const LIMIT_k = N;` in the middle, its number changing every round.
  const middle = lines.findIndex((l, i) => i > lines.length / 2 && l.startsWith("const LIMIT_"));
  const name = /const (\w+)/.exec(lines[middle]!)![1]!;
  const use = lines.findIndex((l) => l.includes(`max ${name}]`));
  const useColumn = lines[use]!.indexOf(name) + 1;
  const afterSet = lines[use]!.indexOf(".MQ") + 1;
  let version = 1;
  const times: Record<string, number[]> = {};
  const requests: [string, string, () => object][] = [
    ["hover", "textDocument/hover", () => ({ position: { line: use, character: useColumn } })],
    [
      "definition",
      "textDocument/definition",
      () => ({ position: { line: use, character: useColumn } }),
    ],
    [
      "completion after Set.",
      "textDocument/completion",
      () => ({ position: { line: use, character: afterSet } }),
    ],
    ["semantic tokens", "textDocument/semanticTokens/full", () => ({})],
    ["document symbols", "textDocument/documentSymbol", () => ({})],
    [
      "inlay hints",
      "textDocument/inlayHint",
      () => ({
        range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } },
      }),
    ],
    [
      "formatting",
      "textDocument/formatting",
      () => ({ options: { tabSize: 2, insertSpaces: true } }),
    ],
  ];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, method, params] of requests) {
      const edited = lines[middle]!.replace(/= \d+;/, `= ${100 + ((version * 7) % 900)};`);
      const start = performance.now();
      await rpc.sendNotification("textDocument/didChange", {
        textDocument: { uri, version: ++version },
        contentChanges: [
          {
            range: {
              start: { line: middle, character: 0 },
              end: { line: middle, character: lines[middle]!.length },
            },
            text: edited,
          },
        ],
      });
      lines[middle] = edited;
      await rpc.sendRequest(method, { textDocument: { uri }, ...params() });
      (times[label] ??= []).push(performance.now() - start);
    }
    // Diagnostics after the same kind of edit, once those of the edits above are out.
    await new Promise((r) => setTimeout(r, 3 * DEBOUNCE_MS));
    diagnostics = new Promise<number>((r) => (onDiagnostics = r));
    const edited = lines[middle]!.replace(/= \d+;/, `= ${100 + ((version * 7) % 900)};`);
    const start = performance.now();
    await rpc.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: ++version },
      contentChanges: [
        {
          range: {
            start: { line: middle, character: 0 },
            end: { line: middle, character: lines[middle]!.length },
          },
          text: edited,
        },
      ],
    });
    lines[middle] = edited;
    await diagnostics;
    (times[`diagnostics (less the ${DEBOUNCE_MS} ms debounce)`] ??= []).push(
      performance.now() - start - DEBOUNCE_MS,
    );
  }
  await rpc.sendRequest("shutdown");
  await rpc.sendNotification("exit");
  rpc.dispose();

  console.log(
    `vmstate lsp, ${lines.length}-line schema, ${ROUNDS} rounds; ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log("ms from the edit to the answer     median     p95     max");
  const summary: Record<string, number> = {};
  for (const [label, values] of Object.entries(times)) {
    const s = stats(values);
    summary[label] = Number(s.median.toFixed(2));
    console.log(
      `${label.padEnd(34)} ${s.median.toFixed(1).padStart(7)} ${s.p95.toFixed(1).padStart(7)} ${s.max.toFixed(1).padStart(7)}`,
    );
  }
  console.log(JSON.stringify({ lines: lines.length, rounds: ROUNDS, medianMs: summary }));
}

await main();
