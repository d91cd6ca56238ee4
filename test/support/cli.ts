// Runs the built CLI (dist/bin/vmstate.js) as a user would.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { root } from "./compile.js";

export const cliPath = join(root, "dist", "bin", "vmstate.js");

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function vmstate(
  args: readonly string[],
  cwd = root,
  env: Readonly<Record<string, string>> = {},
): Run {
  if (!existsSync(cliPath))
    throw new Error("dist/bin/vmstate.js is missing: run `npm run build` (npm test does)");
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 << 20,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
