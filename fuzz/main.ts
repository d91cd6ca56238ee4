#!/usr/bin/env node
// `npm run fuzz`: every campaign at full scale, on worker threads, with a time budget per input, a
// watchdog for inputs that never return, a V8 heap limit per worker and the process's peak RSS
// against a stated bound. Prints the counts; exits 1 on any crash, hang or memory over its bound.
//
//   node dist/fuzz/main.js [--seed N] [--quick] [--workers N] [--only CAMPAIGN,…] [--count N]
//                          [--budget-ms N] [--watchdog-ms N] [--heap-mb N] [--rss-mb N] [--replay CAMPAIGN:INDEX [--save FILE]]
//                          [--inject hang|oom|throw|slow]

import { writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { loadCodecs } from "../stream/codecs.js";
import {
  CAMPAIGNS,
  addStats,
  emptyStats,
  makeCampaign,
  type CampaignName,
  type Scale,
  type Stats,
} from "./campaigns.js";
import { buildCorpus } from "./corpus.js";
import { packageRoot } from "./fixtures.js";
import {
  INJECTED_INPUT,
  SLOTS,
  type Fault,
  type WorkerMessage,
  type WorkerOptions,
} from "./worker.js";

const MiB = 1024 * 1024;

interface Settings {
  readonly seed: number;
  readonly scale: Scale;
  readonly workers: number;
  readonly campaigns: readonly CampaignName[];
  readonly count: number;
  /** A single input over this is a finding: in a run this small, it stands for a hang. */
  readonly budgetMs: number;
  /** An input still running after this is stopped by the watchdog, and is a hang. */
  readonly watchdogMs: number;
  readonly heapMb: number;
  readonly rssMb: number;
  readonly inject: Fault | undefined;
}

function settings(argv: string[]): { settings: Settings; replay?: string; save?: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      seed: { type: "string" },
      quick: { type: "boolean" },
      workers: { type: "string" },
      only: { type: "string" },
      count: { type: "string" },
      "budget-ms": { type: "string" },
      "watchdog-ms": { type: "string" },
      "heap-mb": { type: "string" },
      "rss-mb": { type: "string" },
      replay: { type: "string" },
      save: { type: "string" },
      inject: { type: "string" },
    },
    strict: true,
  });
  const int = (v: string | undefined, fallback: number, name: string): number => {
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v)) throw new Error(`--${name} must be a whole number, not '${v}'`);
    return Number(v);
  };
  const scale: Scale = values.quick ? "quick" : "full";
  const campaigns = (values.only?.split(",") ?? [...CAMPAIGNS]) as CampaignName[];
  const unknown = campaigns.filter((c) => !CAMPAIGNS.includes(c));
  if (unknown.length > 0)
    throw new Error(`unknown campaign ${unknown.join(", ")} (campaigns: ${CAMPAIGNS.join(", ")})`);
  const inject = values.inject as Fault | undefined;
  if (inject !== undefined && !["hang", "oom", "throw", "slow"].includes(inject))
    throw new Error(`--inject must be hang, oom, throw or slow`);
  const budgetMs = int(values["budget-ms"], scale === "full" ? 1000 : 10_000, "budget-ms");
  return {
    settings: {
      seed: int(values.seed, 1, "seed"),
      scale,
      workers: Math.max(1, int(values.workers, Math.min(2, availableParallelism()), "workers")),
      campaigns,
      count: int(values.count, Number.MAX_SAFE_INTEGER, "count"),
      budgetMs,
      watchdogMs: int(values["watchdog-ms"], Math.max(3 * budgetMs, 2000), "watchdog-ms"),
      heapMb: int(values["heap-mb"], 256, "heap-mb"),
      rssMb: int(values["rss-mb"], 1024, "rss-mb"),
      inject,
    },
    ...(values.replay === undefined ? {} : { replay: values.replay }),
    ...(values.save === undefined ? {} : { save: values.save }),
  };
}

interface Hang {
  readonly campaign: CampaignName;
  readonly index: number;
  readonly kind: "hang" | "out of memory" | "worker error";
  readonly detail: string;
}

/** Runs the campaigns on worker threads; resolves with the counts per campaign and what went wrong. */
async function run(s: Settings): Promise<{
  perCampaign: Map<CampaignName, Stats>;
  failures: Hang[];
  heapPeak: number;
  rssPeak: number;
  sizes: Record<string, number>;
}> {
  const progress = new SharedArrayBuffer(s.workers * SLOTS * 4);
  const slots = new Int32Array(progress);
  const perCampaign = new Map<CampaignName, Stats>(s.campaigns.map((c) => [c, emptyStats()]));
  const failures: Hang[] = [];
  let heapPeak = 0;
  let rssPeak = process.memoryUsage().rss;
  let sizes: Record<string, number> = {};
  const here = (w: number): { campaign: CampaignName; index: number } => ({
    campaign: CAMPAIGNS[slots[w * SLOTS]!]!,
    index: slots[w * SLOTS + 1]!,
  });
  // A line every 30 s, so that a long run shows it is alive.
  const started = Date.now();
  const ticker = setInterval(() => {
    let done = 0;
    for (let w = 0; w < s.workers; w++) done += slots[w * SLOTS + 3]!;
    console.log(`  … ${((Date.now() - started) / 1000).toFixed(0)} s: ${done} inputs`);
  }, 30_000);

  await Promise.all(
    Array.from({ length: s.workers }, (_, w) => {
      const options: WorkerOptions = {
        worker: w,
        workers: s.workers,
        seed: s.seed,
        scale: s.scale,
        campaigns: s.campaigns,
        count: s.count,
        budgetMs: s.budgetMs,
        inject: s.inject,
        progress,
      };
      const worker = new Worker(new URL("./worker.js", import.meta.url), {
        workerData: options,
        resourceLimits: { maxOldGenerationSizeMb: s.heapMb },
      });
      return new Promise<void>((resolve) => {
        let last = { campaign: -1, index: -1, since: Date.now() };
        let finished = false;
        const watchdog = setInterval(() => {
          rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
          const now = {
            campaign: slots[w * SLOTS]!,
            index: slots[w * SLOTS + 1]!,
            since: Date.now(),
          };
          if (
            now.campaign !== last.campaign ||
            now.index !== last.index ||
            slots[w * SLOTS + 2] === 0
          ) {
            last = now;
            return;
          }
          if (Date.now() - last.since > s.watchdogMs) {
            failures.push({
              ...here(w),
              kind: "hang",
              detail: `still running after ${s.watchdogMs} ms; the worker was stopped`,
            });
            finished = true;
            void worker.terminate();
          }
        }, 100);
        worker.on("message", (m: WorkerMessage) => {
          if (m.type === "ready") sizes = m.sizes;
          if (m.type === "campaign") {
            addStats(perCampaign.get(m.name)!, m.stats);
            heapPeak = Math.max(heapPeak, m.heapPeak);
          }
          if (m.type === "done") finished = true;
        });
        worker.on("error", (e: Error & { code?: string }) => {
          const oom = e.code === "ERR_WORKER_OUT_OF_MEMORY";
          failures.push({
            ...here(w),
            kind: oom ? "out of memory" : "worker error",
            detail: oom
              ? `the worker's heap went over ${s.heapMb} MiB and V8 stopped it`
              : (e.stack ?? e.message),
          });
          finished = true;
        });
        worker.on("exit", () => {
          clearInterval(watchdog);
          if (!finished)
            failures.push({
              ...here(w),
              kind: "worker error",
              detail: "the worker exited before it finished",
            });
          resolve();
        });
      });
    }),
  );
  clearInterval(ticker);
  rssPeak = Math.max(rssPeak, process.resourceUsage().maxRSS * 1024);
  return { perCampaign, failures, heapPeak, rssPeak, sizes };
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

function pad(text: string | number, width: number, right = true): string {
  const t = String(text);
  return right ? t.padStart(width) : t.padEnd(width);
}

/** One input, in this thread, with its outcome in full; `--save` keeps the input in a file. */
async function replay(s: Settings, which: string, save: string | undefined): Promise<number> {
  const [name, indexText] = which.split(":");
  if (!CAMPAIGNS.includes(name as CampaignName) || !/^\d+$/.test(indexText ?? ""))
    throw new Error(`--replay takes CAMPAIGN:INDEX, not '${which}'`);
  const codecs = await loadCodecs(
    join(packageRoot, "schemas"),
    join(packageRoot, "dist", "generated"),
  );
  const campaign = makeCampaign(name as CampaignName, buildCorpus(codecs), codecs, s.seed, s.scale);
  const input = campaign.input(Number(indexText));
  console.log(`${name} #${indexText} (seed ${s.seed}, ${s.scale}): ${input.what}`);
  if (save) {
    writeFileSync(save, input.data());
    console.log(`input saved to ${save}`);
  }
  const start = performance.now();
  const outcome = input.run();
  console.log(
    `${outcome.verdict} in ${(performance.now() - start).toFixed(1)} ms${outcome.problem ? `\n${outcome.problem}` : ""}`,
  );
  return outcome.verdict === "crash" ? 1 : 0;
}

async function main(): Promise<number> {
  const { settings: s, replay: which, save } = settings(process.argv.slice(2));
  if (which) return replay(s, which, save);
  console.log(
    `vmstate fuzz: seed ${s.seed}, ${s.scale} scale, ${s.workers} worker${s.workers === 1 ? "" : "s"}; ` +
      `budget ${s.budgetMs} ms per input (watchdog ${s.watchdogMs} ms), heap limit ${s.heapMb} MiB per worker, RSS bound ${s.rssMb} MiB` +
      (s.inject
        ? `; injecting a fault (${s.inject}) as ${INJECTED_INPUT.campaign} #${INJECTED_INPUT.index}`
        : ""),
  );
  const started = performance.now();
  const { perCampaign, failures, heapPeak, rssPeak, sizes } = await run(s);
  const seconds = (performance.now() - started) / 1000;

  const total = emptyStats();
  console.log(
    `\n${pad("campaign", 20, false)} ${pad("inputs", 9)} ${pad("ok", 9)} ${pad("refused", 9)} ${pad("crashes", 8)} ${pad("over budget", 12)} ${pad("slowest ms", 11)}`,
  );
  for (const [name, st] of perCampaign) {
    addStats(total, st);
    const planned = sizes[name];
    const note = planned !== undefined && planned !== st.inputs ? `  (of ${planned})` : "";
    console.log(
      `${pad(name, 20, false)} ${pad(st.inputs, 9)} ${pad(st.ok, 9)} ${pad(st.refused, 9)} ${pad(st.crashes, 8)} ${pad(st.overBudget, 12)} ${pad(st.slowest ? st.slowest.ms.toFixed(1) : "-", 11)}${note}`,
    );
  }
  console.log(
    `${pad("total", 20, false)} ${pad(total.inputs, 9)} ${pad(total.ok, 9)} ${pad(total.refused, 9)} ${pad(total.crashes, 8)} ${pad(total.overBudget, 12)} ${pad(total.slowest ? total.slowest.ms.toFixed(1) : "-", 11)}`,
  );
  const mutations = (
    ["payload-mutations", "stream-mutations", "document-mutations"] as const
  ).reduce((n, c) => n + (perCampaign.get(c)?.inputs ?? 0), 0);
  console.log(`\nrandom mutations of payloads, streams and documents: ${mutations}`);
  if (total.slowest)
    console.log(
      `slowest input: ${total.slowest.ms.toFixed(1)} ms, ${total.slowest.campaign} #${total.slowest.index} (${total.slowest.what})`,
    );
  console.log(
    `peak RSS ${mib(rssPeak)} (bound ${s.rssMb} MiB); worker heap ${mib(heapPeak)} at most when sampled (limit ${s.heapMb} MiB, enforced by V8)`,
  );
  console.log(`time: ${seconds.toFixed(1)} s`);

  const problems: { campaign?: CampaignName; index?: number; text: string }[] = [];
  for (const f of total.findings)
    problems.push({
      campaign: f.campaign,
      index: f.index,
      text: `${f.campaign} #${f.index} (${f.what}): ${f.problem}`,
    });
  for (const f of failures)
    problems.push({
      campaign: f.campaign,
      index: f.index,
      text: `${f.campaign} #${f.index}: ${f.kind}: ${f.detail}`,
    });
  if (rssPeak > s.rssMb * MiB)
    problems.push({ text: `peak RSS ${mib(rssPeak)} is over the bound of ${s.rssMb} MiB` });
  if (problems.length === 0 && total.crashes === 0 && total.overBudget === 0) {
    console.log("result: no crash, no input over its budget, memory within its bounds");
    return 0;
  }
  console.log(
    `result: ${total.crashes} crash(es), ${total.overBudget} input(s) over budget, ${failures.length} hang(s) or worker failure(s)`,
  );
  for (const p of problems) {
    console.log(`\n${p.text}`);
    if (p.campaign !== undefined)
      console.log(
        `  replay: node dist/fuzz/main.js --seed ${s.seed}${s.scale === "quick" ? " --quick" : ""} --replay ${p.campaign}:${p.index}`,
      );
  }
  return 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`fuzz: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  },
);
