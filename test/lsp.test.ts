// `vmstate lsp` as an editor runs it: a child process spoken to over stdio by vscode-jsonrpc, the
// library VS Code's own client is built on. Each request goes through the protocol, as it would
// from an editor.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from "vscode-jsonrpc/node.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lspBenchSchema } from "../bench/lsp-schema.js";
import { parseSchema } from "../grammar/index.js";
import { Analysis } from "../lsp/analysis.js";
import { IncrementalParser } from "../lsp/incremental.js";
import { cliPath } from "./support/cli.js";
import { root } from "./support/compile.js";
import { repositorySchemas } from "./support/repository-schemas.js";

interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}
interface LspDiagnostic {
  range: Range;
  code: string;
  message: string;
  relatedInformation?: { message: string }[];
}

const schema = `// A device.
const ETH_ALEN = 6;

features NetF {
  CSUM = 0;
  MQ = 22;
}

param queues: u16 = 1;

/** A queue. */
struct Queue(msix: bool) {
  num: u32;
  vector: u16 if msix;
}

section net "net" version 2 {
  features: u32;
  mac: bytes[ETH_ALEN];
  len: u16;
  data: bytes[len];
  q: Queue(has(features, NetF.MQ));
  pairs: u16 if queues > 1 since 2;
}
`;

/** Line and character of the n-th occurrence of `needle` (plus `delta` characters). */
function at(text: string, needle: string, n = 0, delta = 0): { line: number; character: number } {
  let offset = -1;
  for (let i = 0; i <= n; i++) offset = text.indexOf(needle, offset + 1);
  if (offset < 0) throw new Error(`no ${needle}`);
  const before = text.slice(0, offset + delta);
  const line = before.split("\n").length - 1;
  return { line, character: before.length - before.lastIndexOf("\n") - 1 };
}

describe("vmstate lsp over stdio", () => {
  let child: ChildProcess;
  let rpc: MessageConnection;
  const dir = mkdtempSync(join(tmpdir(), "vmstate-lsp-"));
  const file = join(dir, "net.vmstate");
  const uri = pathToFileURL(file).href;
  const diagnostics: { uri: string; diagnostics: LspDiagnostic[] }[] = [];
  let waiters: (() => void)[] = [];
  let version = 1;

  const nextDiagnostics = async (): Promise<LspDiagnostic[]> => {
    const count = diagnostics.length;
    while (diagnostics.length === count) await new Promise<void>((r) => waiters.push(r));
    return diagnostics[diagnostics.length - 1]!.diagnostics;
  };
  const change = (text: string): Promise<void> =>
    rpc.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: ++version },
      contentChanges: [{ text }],
    });
  const pos = (needle: string, n = 0, delta = 1) => ({
    textDocument: { uri },
    position: at(schema, needle, n, delta),
  });

  beforeAll(async () => {
    writeFileSync(file, schema);
    child = spawn(process.execPath, [cliPath, "lsp", "--stdio"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    rpc = createMessageConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    rpc.onNotification(
      "textDocument/publishDiagnostics",
      (p: { uri: string; diagnostics: LspDiagnostic[] }) => {
        diagnostics.push(p);
        const w = waiters;
        waiters = [];
        for (const resolve of w) resolve();
      },
    );
    rpc.listen();
    const init = await rpc.sendRequest<{ capabilities: Record<string, unknown> }>("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      capabilities: {},
      workspaceFolders: null,
    });
    expect(init.capabilities).toMatchObject({ hoverProvider: true, definitionProvider: true });
    await rpc.sendNotification("initialized", {});
  }, 60_000);

  afterAll(async () => {
    await rpc.sendRequest("shutdown");
    await rpc.sendNotification("exit");
    await new Promise((r) => child.once("exit", r));
    rpc.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("publishes the checker's diagnostics with code, range and related information", async () => {
    const published = nextDiagnostics();
    await rpc.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "vmstate", version, text: schema },
    });
    const ds = await published;
    expect(ds.map((d) => d.code)).toEqual(["VMS5001"]);
    expect(ds[0]!.range.start).toEqual(at(schema, "len]"));
  });

  it("rechecks after a change, and again when it is fixed", { timeout: 60_000 }, async () => {
    const broken = schema
      .replace("features: u32;", "features: u8;")
      .replace("data: bytes[len];", "data: bytes[len max 64];");
    let published = nextDiagnostics();
    await change(broken);
    const ds = await published;
    expect(ds.map((d) => d.code)).toEqual(["VMS3004"]);
    published = nextDiagnostics();
    await change(schema);
    expect((await published).map((d) => d.code)).toEqual(["VMS5001"]);
  });

  it("offers 'max N' for an unbounded count", async () => {
    const [d] = diagnostics[diagnostics.length - 1]!.diagnostics;
    const actions = await rpc.sendRequest<
      { title: string; edit: { changes: Record<string, { newText: string }[]> } }[]
    >("textDocument/codeAction", {
      textDocument: { uri },
      range: d!.range,
      context: { diagnostics: [d] },
    });
    expect(actions[0]!.title).toBe("Add 'max 65535'");
    expect(actions[0]!.edit.changes[uri]![0]!.newText).toBe("len max 65535");
  });

  it(
    "offers '?? false' for a bool that may be absent, '?? 0' for a number",
    { timeout: 60_000 },
    async () => {
      const text = schema.replace(
        "  pairs: u16 if queues > 1 since 2;\n",
        "  pairs: u16 if queues > 1 since 2;\n  multi: bool if queues > 1;\n  w: u8 if multi;\n  v: u8[pairs max 4];\n",
      );
      const published = nextDiagnostics();
      await change(text);
      const ds = (await published).filter((d) => d.code === "VMS4003");
      expect(ds).toHaveLength(2);
      const titles: string[] = [];
      for (const d of ds) {
        const actions = await rpc.sendRequest<{ title: string }[]>("textDocument/codeAction", {
          textDocument: { uri },
          range: d.range,
          context: { diagnostics: [d] },
        });
        titles.push(...actions.map((a) => a.title));
      }
      expect(titles).toEqual(["Add '?? false'", "Add '?? 0'"]);
      const restored = nextDiagnostics();
      await change(schema);
      await restored;
    },
  );

  it("hovers: a field's type, offset and gates; a constant's value; a feature bit's number", async () => {
    const hover = async (needle: string, n = 0): Promise<string> =>
      (await rpc.sendRequest<{ contents: { value: string } }>("textDocument/hover", pos(needle, n)))
        .contents.value;
    const len = await hover("len: u16");
    expect(len).toContain("len: u16");
    expect(len).toContain("offset 10, 2 bytes in section 'net'");
    const pairs = await hover("pairs:");
    expect(pairs).toContain("offset 16 or later");
    expect(pairs).toContain("only if `queues > 1`");
    expect(pairs).toContain("from version 2");
    expect(await hover("ETH_ALEN", 1)).toContain("value: `6`");
    expect(await hover("MQ", 1)).toContain("feature bit 22");
    expect(await hover("Queue(msix")).toContain("A queue.");
  });

  it("goes to definitions and finds references", async () => {
    const def = await rpc.sendRequest<{ range: Range }>(
      "textDocument/definition",
      pos("Queue(has"),
    );
    expect(def.range.start).toEqual(at(schema, "Queue(msix"));
    const bit = await rpc.sendRequest<{ range: Range }>("textDocument/definition", pos("MQ", 1));
    expect(bit.range.start).toEqual(at(schema, "MQ = 22"));
    const field = await rpc.sendRequest<{ range: Range }>(
      "textDocument/definition",
      pos("features,"),
    );
    expect(field.range.start).toEqual(at(schema, "features: u32"));
    const refs = await rpc.sendRequest<{ range: Range }[]>("textDocument/references", {
      ...pos("ETH_ALEN"),
      context: { includeDeclaration: true },
    });
    expect(refs.map((r) => r.range.start)).toEqual([
      at(schema, "ETH_ALEN"),
      at(schema, "ETH_ALEN", 1),
    ]);
  });

  it("renames, and refuses a name that is taken", async () => {
    const edit = await rpc.sendRequest<{ changes: Record<string, { newText: string }[]> }>(
      "textDocument/rename",
      {
        ...pos("len: u16"),
        newName: "length",
      },
    );
    expect(edit.changes[uri]!.map((e) => e.newText)).toEqual(["length", "length"]);
    await expect(
      rpc.sendRequest("textDocument/rename", { ...pos("len: u16"), newName: "mac" }),
    ).rejects.toThrow(/'mac' is taken/);
  });

  it("completes feature bits after 'Set.', and names, keywords and scalar types elsewhere", async () => {
    const text = schema.replace("NetF.MQ", "NetF.");
    await change(text);
    const bits = await rpc.sendRequest<{ label: string }[]>("textDocument/completion", {
      textDocument: { uri },
      position: at(text, "NetF.)", 0, 5),
    });
    expect(bits.map((b) => b.label).sort()).toEqual(["CSUM", "MQ"]);
    const all = await rpc.sendRequest<{ label: string }[]>("textDocument/completion", {
      textDocument: { uri },
      position: at(text, "pairs"),
    });
    const labels = all.map((c) => c.label);
    for (const l of ["u32", "i16le", "bytes", "subsection", "ETH_ALEN", "Queue", "len", "has"])
      expect(labels).toContain(l);
    await change(schema);
  });

  it("lists symbols, semantic tokens and inlay hints", async () => {
    const symbols = await rpc.sendRequest<{ name: string; children: { name: string }[] }[]>(
      "textDocument/documentSymbol",
      {
        textDocument: { uri },
      },
    );
    expect(symbols.map((s) => s.name)).toEqual(["ETH_ALEN", "NetF", "queues", "Queue", "net"]);
    expect(symbols[4]!.children.map((c) => c.name)).toEqual([
      "features",
      "mac",
      "len",
      "data",
      "q",
      "pairs",
    ]);
    const tokens = await rpc.sendRequest<{ data: number[] }>("textDocument/semanticTokens/full", {
      textDocument: { uri },
    });
    expect(tokens.data.length % 5).toBe(0);
    expect(tokens.data.length).toBeGreaterThan(5 * 20);
    const hints = await rpc.sendRequest<{ label: string }[]>("textDocument/inlayHint", {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
    expect(hints.map((h) => h.label)).toEqual([
      "offset 0",
      "offset 4",
      "offset 0",
      "offset 4",
      "offset 10",
    ]);
  });

  it("formats the document in the canonical layout", async () => {
    const messy = schema.replace("len: u16;", "len :u16 ;");
    await change(messy);
    const edits = await rpc.sendRequest<{ newText: string }[]>("textDocument/formatting", {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe(schema);
    await change(schema);
  });
});

describe("the server's incremental parse", () => {
  const strip = (schema: unknown): string =>
    JSON.stringify(schema, (_k, v: unknown) =>
      typeof v === "bigint" ? `${v}n` : v instanceof Map ? [...(v as Map<unknown, unknown>)] : v,
    );

  it("gives parseSchema's tree for every repository schema, and after edits", () => {
    const parser = new IncrementalParser("s.vmstate");
    for (const file of repositorySchemas) {
      const text = readFileSync(join(root, file), "utf8");
      expect(strip(parser.parse(text)), file).toBe(strip(parseSchema(text, "s.vmstate")));
      // An edit near the start moves every later declaration; an edit inside one re-parses it.
      for (const edited of [
        `const ADDED = 1;\n\n${text}`,
        text.replace(/: u8;/, ": u16;"),
        text.replace("{", "{ x: "),
      ]) {
        expect(strip(parser.parse(edited)), file).toBe(strip(parseSchema(edited, "s.vmstate")));
      }
    }
  });

  it("the benchmark's schema is clean and has 2 000 lines", () => {
    const text = lspBenchSchema();
    expect(text.split("\n").length).toBeGreaterThanOrEqual(2000);
    expect(new Analysis(text, "bench.vmstate").diagnostics).toEqual([]);
  });
});
