// `check --watch` and `gen --watch`: run the command, then again whenever a file it read changes
// (a schema, a new or removed schema of a folder given, a hand-written codec module a schema names),
// printing its diagnostics each time. An error (a schema that does not check, a file that cannot
// be read) is printed and the watch goes on; Ctrl-C (SIGINT) or SIGTERM stops it, exit status 0.

import { readFileSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { parseSchema } from "../../grammar/index.js";
import { CliError } from "../cli-error.js";
import { CONFIG_FILE, findConfig } from "../config.js";
import { isDirectory, schemaInputs } from "../io.js";

/** How long after the last change the command runs again: editors write a file in several steps. */
const SETTLE_MS = 100;

/** The files a run depends on: the configuration, the schemas and the codec modules they name. */
export function watchedFiles(inputs: readonly string[]): {
  files: Set<string>;
  folders: Set<string>;
} {
  // The configuration: the one found, and those that would be found if created here.
  const files = new Set<string>([resolve(CONFIG_FILE), resolve("package.json")]);
  try {
    const config = findConfig();
    if (config) files.add(resolve(config.file));
  } catch {
    // A configuration that does not read: the run reports it.
  }
  const folders = new Set<string>();
  for (const input of inputs) if (isDirectory(input)) folders.add(resolve(input));
  let schemas: string[];
  try {
    schemas = schemaInputs(inputs);
  } catch {
    schemas = inputs.filter((i) => !isDirectory(i));
  }
  for (const schema of schemas) {
    files.add(resolve(schema));
    let text: string;
    try {
      text = readFileSync(schema, "utf8");
    } catch {
      continue;
    }
    for (const item of parseSchema(text, schema).schema?.items ?? [])
      if (item.kind === "codec") files.add(resolve(dirname(schema), item.module.value));
  }
  return { files, folders };
}

export async function watchCommand(
  name: string,
  inputs: () => readonly string[],
  run: () => Promise<number>,
): Promise<number> {
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;

  const runOnce = async (): Promise<void> => {
    try {
      const status = await run();
      process.stderr.write(
        `[${name} --watch] ${status === 0 ? "clean" : "errors"}; watching for changes (Ctrl-C stops)\n`,
      );
    } catch (e) {
      if (!(e instanceof CliError)) throw e;
      console.error(`vmstate: ${e.message}`);
      process.stderr.write(`[${name} --watch] watching for changes (Ctrl-C stops)\n`);
    }
    rewatch();
  };

  const trigger = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (running) {
        again = true;
        return;
      }
      running = runOnce().finally(() => {
        running = undefined;
        if (again) {
          again = false;
          trigger();
        }
      });
    }, SETTLE_MS);
  };

  /** One watcher per folder: editors replace files by renaming, which a watcher on the file misses. */
  const rewatch = (): void => {
    for (const w of watchers) w.close();
    watchers = [];
    let given: readonly string[] = [];
    try {
      given = inputs();
    } catch {
      // The inputs come from a configuration that does not read: watch it until it does.
    }
    const { files, folders } = watchedFiles(given);
    const byFolder = new Map<string, Set<string>>();
    for (const file of files) {
      const names = byFolder.get(dirname(file)) ?? new Set<string>();
      names.add(basename(file));
      byFolder.set(dirname(file), names);
    }
    for (const folder of folders) if (!byFolder.has(folder)) byFolder.set(folder, new Set());
    for (const [folder, names] of byFolder) {
      try {
        watchers.push(
          watch(folder, (_event, filename) => {
            const changed = filename?.toString();
            if (
              changed === undefined ||
              names.has(changed) ||
              (folders.has(folder) && changed.endsWith(".vmstate"))
            )
              trigger();
          }),
        );
      } catch {
        // A folder that does not exist (yet): nothing to watch there.
      }
    }
  };

  await runOnce();
  await new Promise<void>((stop) => {
    const quit = (): void => {
      clearTimeout(timer);
      for (const w of watchers) w.close();
      process.stderr.write(`[${name} --watch] stopped\n`);
      stop();
    };
    process.once("SIGINT", quit);
    process.once("SIGTERM", quit);
  });
  return 0;
}
