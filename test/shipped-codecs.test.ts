// The bundle of the shipped codecs (dist/bin/shipped-codecs.js): the stream commands take the
// modules from it only while it holds each of them and is not older than any.

import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromBundle, loadCodecModules, schemaModules } from "../stream/codecs.js";
import { root } from "./support/compile.js";
import { scratchDir } from "./support/scratch.js";

const bundle = join(root, "dist", "bin", "shipped-codecs.js");
const shipped = (): ReturnType<typeof schemaModules> =>
  schemaModules(join(root, "schemas"), join(root, "dist", "generated"));

describe("the shipped codecs' bundle", () => {
  it("gives every shipped module, with the same section codecs as the modules themselves", async () => {
    const modules = shipped();
    const bundled = await fromBundle(modules, bundle);
    expect(bundled.every((m) => m.loaded !== undefined)).toBe(true);
    const [fromFiles, fromOne] = await Promise.all([
      loadCodecModules(modules),
      loadCodecModules(bundled),
    ]);
    expect([...fromOne.sections.keys()]).toEqual([...fromFiles.sections.keys()]);
    expect([...fromOne.params.keys()]).toEqual([...fromFiles.params.keys()]);
    for (const [name, { codec }] of fromOne.sections) {
      expect(codec.state).toEqual(fromFiles.sections.get(name)!.codec.state);
      expect(codec.params).toEqual(fromFiles.sections.get(name)!.codec.params);
    }
  });

  it("is not used when a module was written after it, lacks a module, or is missing", async () => {
    const dir = scratchDir("vmstate-shipped-codecs");
    mkdirSync(join(dir, "generated"));
    const modules = ["a", "b"].map((name) => {
      const modulePath = join(dir, "generated", `${name}.js`);
      writeFileSync(modulePath, `export const which = "${name} alone";\n`);
      return { schemaFile: join(dir, `${name}.vmstate`), modulePath };
    });
    const bundle = (name: string, text: string): string => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const whole = bundle(
      "whole.js",
      'export const a = { which: "a bundled" }, b = { which: "b bundled" };\n',
    );
    expect((await fromBundle(modules, whole)).map((m) => m.loaded?.["which"])).toEqual([
      "a bundled",
      "b bundled",
    ]);
    // `tsc` alone rewrote a module after the bundle was made.
    utimesSync(
      modules[1]!.modulePath,
      new Date(Date.now() + 60_000),
      new Date(Date.now() + 60_000),
    );
    expect(await fromBundle(modules, whole)).toBe(modules);
    utimesSync(modules[1]!.modulePath, new Date(0), new Date(0));
    expect(await fromBundle(modules, bundle("part.js", "export const a = {};\n"))).toBe(modules);
    expect(await fromBundle(modules, join(dir, "none.js"))).toBe(modules);
  });
});
