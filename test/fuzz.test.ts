// The fuzz campaigns at the small scale of `npm test` (`npm run fuzz` runs them in full): every
// input loads, decodes, encodes or checks, or fails with the project's own error, within a
// generous time budget and with the heap in bounds; and the fuzz run itself catches a hang, a
// heap blow-up and a crash put in on purpose, and says so.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CAMPAIGNS, emptyStats, makeCampaign, runInputs, type Stats } from "../fuzz/campaigns.js";
import { buildCorpus, type Corpus } from "../fuzz/corpus.js";
import { checkLoadError, checkSchemaText } from "../fuzz/targets.js";
import { LoadError } from "../runtime/index.js";
import type { Codecs } from "../stream/codecs.js";
import { projectCodecs } from "./support/codecs.js";
import { root } from "./support/compile.js";

/** Generous: the slowest input of a quick run takes well under a second even on a busy machine. */
const BUDGET_MS = 10_000;
/** Heap growth over a campaign, sampled: far above what a campaign holds (a few MiB of state at a time). */
const HEAP_GROWTH_BOUND = 512 * 1024 * 1024;

let codecs: Codecs;
let corpus: Corpus;
beforeAll(async () => {
  codecs = await projectCodecs();
  corpus = buildCorpus(codecs);
});

function report(stats: Stats): string {
  return stats.findings
    .map((f) => `${f.campaign} #${f.index} (${f.what}): ${f.problem}`)
    .join("\n\n");
}

describe("fuzz campaigns, quick scale", () => {
  it("start from every fixture payload and stream, the configurations the fixtures lack, and every schema", () => {
    expect(corpus.payloads.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        "pxe-loop-pc",
        "linux-pc-user",
        "four-pairs-rss",
        "one-pair-rss",
        "four-pairs",
      ]),
    );
    expect(corpus.payloads).toHaveLength(11);
    expect(corpus.wholeStreams).toHaveLength(11);
    expect(corpus.schemas.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        "schemas/virtio-net.vmstate",
        "test/errors/unknown-name.vmstate",
        "examples/seed-bug/qemu-2.4.vmstate",
      ]),
    );
    // Every payload has its counts and lengths found, and every whole stream its section boundaries.
    for (const p of corpus.payloads) expect(p.hot.lengthFields.length, p.name).toBeGreaterThan(10);
    for (const s of corpus.wholeStreams) expect(s.boundaries.length, s.name).toBeGreaterThan(20);
  });

  it.each(CAMPAIGNS)(
    "%s: no exception but the project's own, none over budget, heap in bounds",
    (name) => {
      const campaign = makeCampaign(name, corpus, codecs, 1, "quick");
      const stats = emptyStats();
      const prototype = Object.getOwnPropertyNames(Object.prototype).sort();
      const base = process.memoryUsage().heapUsed;
      let peak = base;
      runInputs(
        campaign,
        Array.from({ length: campaign.size }, (_, i) => i),
        BUDGET_MS,
        stats,
        (i) => {
          if (i % 500 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
        },
      );
      expect(report(stats)).toBe("");
      expect(stats.inputs).toBe(campaign.size);
      expect(stats.crashes + stats.overBudget).toBe(0);
      // Both outcomes occur: the campaign reaches code that accepts and code that refuses.
      expect(stats.ok).toBeGreaterThan(0);
      expect(stats.refused).toBeGreaterThan(0);
      expect(peak - base).toBeLessThan(HEAP_GROWTH_BOUND);
      // No input, whatever names it holds, added anything to Object.prototype.
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototype);
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    },
  );

  it("a LoadError counts as the project's own only with a path, an offset inside the input and one printable line", () => {
    expect(checkLoadError(new LoadError("a.b", 3, "too large"), 10).verdict).toBe("refused");
    expect(checkLoadError(new LoadError("", 3, "too large"), 10).verdict).toBe("crash");
    expect(checkLoadError(new LoadError("a", 11, "too large"), 10).verdict).toBe("crash");
    expect(checkLoadError(new LoadError("a", 3, "two\nlines"), 10).verdict).toBe("crash");
    expect(checkLoadError(new LoadError("a", 3, "\u001b[31m"), 10).verdict).toBe("crash");
  });

  it("the hostile campaigns reach each class: deep nesting, long chains, struct chains, prototype names, binary, deep documents", () => {
    const schemas = makeCampaign("schema-hostile", corpus, codecs, 1, "quick");
    const whats = Array.from({ length: schemas.size }, (_, i) => schemas.input(i).what);
    for (const pattern of [
      /^nesting \d+ × \d{4,}/,
      /^chain \d+ of \d{3,}/,
      /chained structs/,
      /nested subsections/,
      /^(__proto__|constructor|toString|valueOf|hasOwnProperty|isPrototypeOf|propertyIsEnumerable|toLocaleString|__\w+__) in place/,
      /random bytes/,
      /in place/,
    ])
      expect(
        whats.some((w) => pattern.test(w)),
        String(pattern),
      ).toBe(true);
    const documents = makeCampaign("document-hostile", corpus, codecs, 1, "quick");
    const docs = Array.from({ length: documents.size }, (_, i) => documents.input(i).what);
    for (const pattern of [
      /nested \d{3,} deep/,
      /digits/,
      /control characters/,
      /(__proto__|constructor|toString|valueOf): an object/,
      /unchanged/,
    ])
      expect(
        docs.some((w) => pattern.test(w)),
        String(pattern),
      ).toBe(true);
  });

  it("a tab or an unknown escape in a string literal is a diagnostic, not a crash (found by the schema campaign)", () => {
    for (const text of [
      'section s "a\tb" version 1 { x: u8; }',
      'section s "a\\qb" version 1 { x: u8; }',
    ]) {
      expect(checkSchemaText(text, "string.vmstate").verdict).not.toBe("crash");
    }
  });

  it("an input is the same on every run with the same seed, and another seed gives others", () => {
    const a = makeCampaign("payload-mutations", corpus, codecs, 1, "quick");
    const b = makeCampaign("payload-mutations", corpus, codecs, 1, "quick");
    const c = makeCampaign("payload-mutations", corpus, codecs, 2, "quick");
    for (const i of [0, 17, 4711]) {
      expect(Buffer.from(a.input(i).data())).toEqual(Buffer.from(b.input(i).data()));
      expect(a.input(i).what).toBe(b.input(i).what);
    }
    expect(
      [0, 1, 2, 3].some(
        (i) => Buffer.compare(Buffer.from(a.input(i).data()), Buffer.from(c.input(i).data())) !== 0,
      ),
    ).toBe(true);
  });
});

/** Runs the built fuzz tool (dist/fuzz/main.js) and collects its output. */
function fuzz(
  args: readonly string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "dist", "fuzz", "main.js"), ...args], {
      cwd: root,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe.concurrent("npm run fuzz (dist/fuzz/main.js)", () => {
  it("prints its seed and counts, and exits 0 when nothing goes wrong", async () => {
    const r = await fuzz(["--quick", "--count", "24", "--seed", "7", "--workers", "1"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(
      /^vmstate fuzz: seed 7, quick scale, 1 worker; budget 10000 ms per input/,
    );
    for (const c of CAMPAIGNS) expect(r.stdout).toMatch(new RegExp(`^${c} +24 `, "m"));
    expect(r.stdout).toMatch(new RegExp(`^total +${24 * CAMPAIGNS.length} `, "m"));
    expect(r.stdout).toMatch(/^peak RSS \d+ MiB \(bound 1024 MiB\); worker heap \d+ MiB/m);
    expect(r.stdout).toContain(
      "result: no crash, no input over its budget, memory within its bounds",
    );
    expect(r.status).toBe(0);
  });

  // A fault put in place of payload-mutations #3 must be caught, named, and fail the run. The
  // watchdog and the budget are far above what any real input takes, even on a machine at load 15:
  // only the injected fault can reach them.
  const one = ["--quick", "--only", "payload-mutations", "--count", "8", "--workers", "1"];
  it.each([
    [
      "hang",
      ["--watchdog-ms", "20000"],
      /payload-mutations #3: hang: still running after 20000 ms; the worker was stopped/,
    ],
    [
      "oom",
      ["--heap-mb", "128"],
      /payload-mutations #3: out of memory: the worker's heap went over 128 MiB and V8 stopped it/,
    ],
    [
      "throw",
      [],
      /payload-mutations #3 \(an injected fault \(throw\)\): the fuzz target itself threw: TypeError: injected/,
    ],
    [
      "slow",
      ["--budget-ms", "3000"],
      /payload-mutations #3 \(an injected fault \(slow\)\): took \d+\.\d ms, over the budget of 3000 ms/,
    ],
  ] as const)("catches an injected %s", async (fault, extra, message) => {
    const r = await fuzz([...one, ...extra, "--inject", fault]);
    expect(r.stdout).toMatch(message);
    expect(r.stdout).toContain(
      "replay: node dist/fuzz/main.js --seed 1 --quick --replay payload-mutations:3",
    );
    expect(r.status).toBe(1);
  });
});
