// A fuzz worker thread: loads the codecs and the corpus, runs its share of every campaign (the
// inputs whose number modulo the worker count is its own), and reports counts per campaign. The
// number of the input it is running sits in shared memory, for the main thread's hang watchdog.

import { getHeapStatistics } from "node:v8";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { loadCodecs } from "../stream/codecs.js";
import {
  CAMPAIGNS,
  emptyStats,
  makeCampaign,
  runInputs,
  type Campaign,
  type CampaignName,
  type Scale,
  type Stats,
} from "./campaigns.js";
import { buildCorpus } from "./corpus.js";
import { packageRoot } from "./fixtures.js";

/** A fault the fuzz run must catch, put in on purpose to show that it does (`--inject`). */
export type Fault = "hang" | "oom" | "throw" | "slow";

export interface WorkerOptions {
  readonly worker: number;
  readonly workers: number;
  readonly seed: number;
  readonly scale: Scale;
  readonly campaigns: readonly CampaignName[];
  /** At most this many inputs of each campaign (all workers together). */
  readonly count: number;
  readonly budgetMs: number;
  readonly inject: Fault | undefined;
  /** Int32 slots per worker: [campaign number, input number, 1 while an input runs, inputs done]. */
  readonly progress: SharedArrayBuffer;
}

export type WorkerMessage =
  | { readonly type: "ready"; readonly sizes: Record<string, number> }
  | {
      readonly type: "campaign";
      readonly name: CampaignName;
      readonly stats: Stats;
      readonly heapPeak: number;
    }
  | { readonly type: "done" };

/** Int32 slots each worker has in the shared progress memory. */
export const SLOTS = 4;

/** The input that `--inject` replaces: the fourth of payload-mutations. */
export const INJECTED_INPUT = { campaign: "payload-mutations" as CampaignName, index: 3 };

function withFault(campaign: Campaign, fault: Fault, budgetMs: number): Campaign {
  if (campaign.name !== INJECTED_INPUT.campaign) return campaign;
  return {
    ...campaign,
    input(index) {
      if (index !== INJECTED_INPUT.index) return campaign.input(index);
      return {
        what: `an injected fault (${fault})`,
        data: () => "",
        run() {
          if (fault === "throw") throw new TypeError("injected");
          if (fault === "slow")
            for (const until = performance.now() + 2 * budgetMs; performance.now() < until;);
          if (fault === "oom")
            for (const held: number[][] = []; ;) held.push(new Array<number>(1 << 20).fill(1));
          if (fault === "hang") for (;;);
          return { verdict: "ok" };
        },
      };
    },
  };
}

async function main(options: WorkerOptions): Promise<void> {
  const port = parentPort!;
  const codecs = await loadCodecs(
    join(packageRoot, "schemas"),
    join(packageRoot, "dist", "generated"),
  );
  const corpus = buildCorpus(codecs);
  const progress = new Int32Array(options.progress, options.worker * SLOTS * 4, SLOTS);
  const campaigns = options.campaigns.map((name) => {
    const c = makeCampaign(name, corpus, codecs, options.seed, options.scale);
    return options.inject ? withFault(c, options.inject, options.budgetMs) : c;
  });
  port.postMessage({
    type: "ready",
    sizes: Object.fromEntries(campaigns.map((c) => [c.name, Math.min(c.size, options.count)])),
  } satisfies WorkerMessage);
  for (const campaign of campaigns) {
    const stats = emptyStats();
    let heapPeak = getHeapStatistics().used_heap_size;
    const id = CAMPAIGNS.indexOf(campaign.name);
    const end = Math.min(campaign.size, options.count);
    const indices = {
      *[Symbol.iterator]() {
        for (let i = options.worker; i < end; i += options.workers) yield i;
      },
    };
    runInputs(campaign, indices, options.budgetMs, stats, (index) => {
      Atomics.store(progress, 0, id);
      Atomics.store(progress, 1, index);
      Atomics.store(progress, 2, 1);
      Atomics.add(progress, 3, 1);
      if ((index & 255) === options.worker)
        heapPeak = Math.max(heapPeak, getHeapStatistics().used_heap_size);
    });
    Atomics.store(progress, 2, 0);
    heapPeak = Math.max(heapPeak, getHeapStatistics().used_heap_size);
    port.postMessage({
      type: "campaign",
      name: campaign.name,
      stats,
      heapPeak,
    } satisfies WorkerMessage);
  }
  port.postMessage({ type: "done" } satisfies WorkerMessage);
}

if (parentPort && workerData) await main(workerData as WorkerOptions);
