// `vmstate lsp` from a real editor: Neovim's built-in LSP client (`nvim --headless`), set up by
// test/nvim/vmstate.lua, shows a diagnostic, jumps to a definition and formats the buffer.
// Debian's `neovim` is installed by .ci/run; without it the test is skipped (but not on CI).

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliPath } from "./support/cli.js";
import { scratchDir } from "./support/scratch.js";

const nvim = spawnSync("nvim", ["--version"], { encoding: "utf8" });
const hasNvim = nvim.status === 0;
const onCi = process.env["CI"] === "true";

const schema = `const ETH_ALEN = 6;

section net "net" version 1 {
  mac: bytes[ETH_ALEN];
  len: u16;
  data: bytes[len];
}
`;

describe("Neovim's LSP client", () => {
  it("is installed on CI", () => {
    if (onCi) expect(hasNvim, "nvim is missing: .ci/run installs Debian's neovim").toBe(true);
  });

  it.skipIf(!hasNvim)(
    "shows a diagnostic, jumps to a definition, applies formatting",
    { timeout: 180_000 },
    () => {
      const dir = scratchDir("vmstate-nvim");
      const file = join(dir, "net.vmstate");
      const out = join(dir, "result.json");
      writeFileSync(file, schema);
      const run = spawnSync(
        "nvim",
        [
          "--headless",
          "--clean",
          "-c",
          `luafile ${join(import.meta.dirname, "nvim", "vmstate.lua")}`,
        ],
        {
          encoding: "utf8",
          timeout: 170_000,
          env: {
            ...process.env,
            VMSTATE_SCHEMA: file,
            VMSTATE_RESULT: out,
            VMSTATE_CLI: cliPath,
            VMSTATE_NODE: process.execPath,
          },
        },
      );
      expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
      const result = JSON.parse(readFileSync(out, "utf8")) as {
        diagnostic?: { code: string; line: number; col: number };
        definition: [number, number];
        formatted: string;
      };
      // data: bytes[len] has no bound: line 6 (0-based 5), at `len`.
      expect(result.diagnostic).toMatchObject({ code: "VMS5001", line: 5, col: 14 });
      // The cursor is on `ETH_ALEN` of line 1 (1-based rows, 0-based columns).
      expect(result.definition).toEqual([1, 6]);
      expect(result.formatted).toBe(schema.trimEnd());
    },
  );
});
