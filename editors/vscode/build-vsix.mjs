// Builds editors/vscode/vmstate.vsix with @vscode/vsce, offline: the extension's dependencies come
// from the npm registry through `npm ci` (its package-lock.json), vsce itself needs no network.
// The client library (vscode-languageclient and what it needs) goes into the package's node_modules.

import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: "inherit" });

run(npm, ["ci", "--no-audit", "--no-fund"], here);
// Only the client and its runtime dependencies go into the .vsix: stage them apart from vsce's.
const stage = mkdtempSync(join(tmpdir(), "vmstate-vsix-"));
try {
  for (const entry of [
    "package.json",
    "package-lock.json",
    "extension.js",
    "README.md",
    "language-configuration.json",
    "syntaxes",
    ".vscodeignore",
  ])
    cpSync(join(here, entry), join(stage, entry), { recursive: true });
  run(npm, ["ci", "--omit=dev", "--no-audit", "--no-fund"], stage);
  run(
    process.execPath,
    [
      join(here, "node_modules", "@vscode", "vsce", "vsce"),
      "package",
      "--allow-missing-repository",
      "--skip-license",
      "--out",
      join(here, "vmstate.vsix"),
    ],
    stage,
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}
