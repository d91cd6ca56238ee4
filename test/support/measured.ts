// Runs the built CLI in a child process that reports, when it exits, its peak resident memory and
// the modules it loaded: ES modules as a resolve hook sees them, CommonJS ones from the require
// cache. The reporter is a module given to `node --import` as a data: URL, so nothing is added to
// the CLI itself.

import { spawn, type StdioOptions } from "node:child_process";
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cliPath } from "./cli.js";
import { root } from "./compile.js";

const hooks = `
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.VMSTATE_REPORT + ".modules", resolved.url + "\\n");
  return resolved;
}`;

/** The reporter; with `modules`, it also registers the hooks (which run in a thread of their own, with memory of their own). */
const reporter = (modules: boolean): string => `
import { appendFileSync, writeFileSync } from "node:fs";
import { createRequire, register } from "node:module";
${modules ? `register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}));` : ""}
process.on("exit", () => {
  const report = process.env.VMSTATE_REPORT;
  writeFileSync(report, String(process.resourceUsage().maxRSS));
  const cjs = Object.keys(createRequire(process.argv[1]).cache);
  if (cjs.length > 0) appendFileSync(report + ".modules", cjs.join("\\n") + "\\n");
});`;

export interface MeasuredRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Peak resident set size, in MiB. */
  readonly maxRssMiB: number;
  /** URLs (and CommonJS paths) of the modules the process loaded, when asked for. */
  readonly modules: readonly string[];
}

/** Each loaded file of the CLI's bundle, followed by the URLs its sources would have unbundled. */
function unbundled(loaded: readonly string[]): string[] {
  const bin = pathToFileURL(join(root, "dist", "bin")).href + "/";
  const held = JSON.parse(
    readFileSync(join(root, "dist", "bin", "bundle-inputs.json"), "utf8"),
  ) as Record<string, string[]>;
  return loaded.flatMap((url) => {
    const sources = url.startsWith(bin) ? held[url.slice(bin.length)] : undefined;
    if (sources === undefined) return [url];
    const asLoaded = (source: string): string =>
      pathToFileURL(
        source.startsWith("node_modules/") || source.startsWith("dist/")
          ? join(root, source)
          : join(root, "dist", source.replace(/\.ts$/, ".js")),
      ).href;
    return [url, ...sources.map(asLoaded)];
  });
}

/**
 * `vmstate ARGS` in a child process; `stdinFrom` names a file to send to its standard input
 * through a pipe. The modules are listed only when asked for: the hook that lists them takes
 * memory of its own, which would be counted.
 */
export async function vmstateMeasured(
  args: readonly string[],
  { stdinFrom, modules = false }: { stdinFrom?: string; modules?: boolean } = {},
): Promise<MeasuredRun> {
  const dir = mkdtempSync(join(tmpdir(), "vmstate-measured-"));
  const report = join(dir, "report");
  try {
    const child = spawn(
      process.execPath,
      [`--import=data:text/javascript,${encodeURIComponent(reporter(modules))}`, cliPath, ...args],
      {
        cwd: root,
        env: { ...process.env, VMSTATE_REPORT: report },
        stdio: [stdinFrom === undefined ? "ignore" : "pipe", "pipe", "pipe"] as StdioOptions,
      },
    );
    if (stdinFrom !== undefined) {
      const input = createReadStream(stdinFrom);
      input.pipe(child.stdin!);
      // The child may stop reading early (a stream it refuses): that is its answer, not an error.
      child.stdin!.on("error", () => input.destroy());
    }
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const status = await new Promise<number | null>((resolve) =>
      child.once("close", (code) => resolve(code)),
    );
    const maxRss = existsSync(report) ? Number(readFileSync(report, "utf8")) : NaN;
    const loaded = existsSync(`${report}.modules`)
      ? readFileSync(`${report}.modules`, "utf8").split("\n").filter(Boolean)
      : [];
    return { status, stdout, stderr, maxRssMiB: maxRss / 1024, modules: unbundled(loaded) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
