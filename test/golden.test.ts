// Golden files: the generated code of each schema in test/golden/ is kept next to it and compared
// byte for byte (`npm run test:update` rewrites them after an intended change).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generate } from "../generator/index.js";

const dir = join(import.meta.dirname, "golden");

describe("golden generated code", () => {
  it.each(
    readdirSync(dir)
      .filter((f) => f.endsWith(".vmstate"))
      .sort(),
  )("%s", async (name) => {
    const file = `test/golden/${name}`;
    const output = file.replace(/\.vmstate$/, ".ts");
    const result = await generate(readFileSync(join(dir, name), "utf8"), file, {
      sourceName: file,
      outputName: output,
      runtimeImport: "../../runtime/index.js",
    });
    expect(result.diagnostics).toEqual([]);
    await expect(result.code).toMatchFileSnapshot(join(dir, name.replace(/\.vmstate$/, ".ts")));
  });
});
