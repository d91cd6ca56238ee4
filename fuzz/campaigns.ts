// The fuzz campaigns: what each one feeds to which target, how many inputs it has at each scale,
// and the runner that times every input and keeps the counts. Input number i of a campaign is the
// same on every run with the same seed, so any finding can be run again on its own.

import type { Codecs } from "../stream/codecs.js";
import type { Corpus } from "./corpus.js";
import { hostileDocument, hostileSchema } from "./hostile.js";
import { mutateJson } from "./mutate-json.js";
import { mutateText } from "./mutate-text.js";
import { mutateBytes } from "./mutate-bytes.js";
import { Random, inputSeed } from "./random.js";
import {
  checkSchemaText,
  decodePayload,
  decodeWholeStream,
  encodeJson,
  loadPayload,
  serveSchemaText,
  type Outcome,
} from "./targets.js";

export const CAMPAIGNS = [
  "payload-truncations",
  "stream-truncations",
  "payload-mutations",
  "stream-mutations",
  "document-mutations",
  "schema-mutations",
  "schema-hostile",
  "document-hostile",
] as const;
export type CampaignName = (typeof CAMPAIGNS)[number];

/** `quick` is what `npm test` runs; `full` is `npm run fuzz`. */
export type Scale = "quick" | "full";

const MUTATIONS: Record<
  Scale,
  {
    payload: number;
    stream: number;
    document: number;
    schema: number;
    hostileSchema: number;
    hostileDocument: number;
  }
> = {
  quick: {
    payload: 8_000,
    stream: 600,
    document: 200,
    schema: 500,
    hostileSchema: 150,
    hostileDocument: 60,
  },
  full: {
    payload: 900_000,
    stream: 100_000,
    document: 10_000,
    schema: 20_000,
    hostileSchema: 4_000,
    hostileDocument: 2_000,
  },
};

/** Truncations: every length of every payload (full), or every length up to 1500 and then every 97th (quick). */
const TRUNCATION_STEP: Record<Scale, { dense: number; stride: number }> = {
  quick: { dense: 1500, stride: 97 },
  full: { dense: Infinity, stride: 1 },
};

/**
 * Whole streams are cut at every section boundary (quick: every third, a different third in each
 * stream) and at this many random other points each.
 */
const RANDOM_CUTS: Record<Scale, number> = { quick: 4, full: 250 };
const BOUNDARY_SHARE: Record<Scale, number> = { quick: 3, full: 1 };

export interface FuzzInput {
  /** What the input is, for a report: the base input and what was done to it. */
  readonly what: string;
  /** The input itself (bytes, or text), to keep a finding. */
  data(): Uint8Array | string;
  run(): Outcome;
}

export interface Campaign {
  readonly name: CampaignName;
  readonly size: number;
  input(index: number): FuzzInput;
}

export function makeCampaign(
  name: CampaignName,
  corpus: Corpus,
  codecs: Codecs,
  seed: number,
  scale: Scale,
): Campaign {
  const id = CAMPAIGNS.indexOf(name);
  const random = (index: number): Random => new Random(inputSeed(seed, id, index));
  switch (name) {
    case "payload-truncations": {
      const { dense, stride } = TRUNCATION_STEP[scale];
      const cuts = corpus.payloads.map((p) => lengthsBelow(p.bytes.length, dense, stride));
      const table = new Table(cuts.map((c) => c.length));
      return {
        name,
        size: table.size,
        input(index) {
          const [p, k] = table.locate(index);
          const payload = corpus.payloads[p]!;
          const n = cuts[p]![k]!;
          const bytes = payload.bytes.subarray(0, n);
          return {
            what: `${payload.name} cut to ${n} of ${payload.bytes.length} bytes`,
            data: () => bytes,
            run: () => loadPayload(bytes, false),
          };
        },
      };
    }
    case "stream-truncations": {
      // Each cut twice: the stream as it is up to the cut, and the same with the stream's end (EOF and
      // the description) put back, so that the description still delimits the sections.
      const cuts = corpus.wholeStreams.map((s, i) => {
        const rnd = new Random(inputSeed(seed, id, -1 - i));
        const points = new Set(
          s.boundaries.filter(
            (b, k) => b < s.bytes.length && (k + i) % BOUNDARY_SHARE[scale] === 0,
          ),
        );
        for (let k = 0; k < RANDOM_CUTS[scale]; k++) points.add(rnd.below(s.bytes.length));
        return [...points].sort((a, b) => a - b);
      });
      const table = new Table(cuts.map((c) => 2 * c.length));
      return {
        name,
        size: table.size,
        input(index) {
          const [s, k] = table.locate(index);
          const stream = corpus.wholeStreams[s]!;
          const n = cuts[s]![k >> 1]!;
          const withEnd = (k & 1) === 1;
          const eof = stream.eof;
          const bytes =
            withEnd && n < eof
              ? concat(stream.bytes.subarray(0, n), stream.bytes.subarray(eof))
              : stream.bytes.subarray(0, n);
          return {
            what: `${stream.name} cut at ${n}${withEnd && n < eof ? " with its EOF and description" : ""}`,
            data: () => bytes,
            run: () => decodeWholeStream(bytes, codecs, false, stream.params),
          };
        },
      };
    }
    case "payload-mutations":
      return {
        name,
        size: MUTATIONS[scale].payload,
        input(index) {
          const rnd = random(index);
          const base = rnd.pick(corpus.payloads);
          const { bytes, kinds } = mutateBytes(base.bytes, base.hot, rnd);
          // Every 8th that loads is also saved and loaded again; every 16th also goes through decode --section.
          return {
            what: `${base.name}: ${kinds.join(" + ")}`,
            data: () => bytes,
            run: () => {
              const loaded = loadPayload(bytes, index % 8 === 0);
              return loaded.verdict !== "crash" && index % 16 === 1
                ? worst(loaded, decodePayload(bytes, codecs))
                : loaded;
            },
          };
        },
      };
    case "stream-mutations":
      return {
        name,
        size: MUTATIONS[scale].stream,
        input(index) {
          const rnd = random(index);
          const base = rnd.pick(corpus.streams);
          const { bytes, kinds } = mutateBytes(base.bytes, base.hot, rnd);
          return {
            what: `${base.name}: ${kinds.join(" + ")}`,
            data: () => bytes,
            run: () => decodeWholeStream(bytes, codecs, index % 8 === 0, base.params),
          };
        },
      };
    case "document-mutations":
      return {
        name,
        size: MUTATIONS[scale].document,
        input(index) {
          const rnd = random(index);
          const base = rnd.pick(corpus.documents);
          const text = JSON.stringify(mutateJson(base.json, rnd));
          return {
            what: `${base.name}, mutated`,
            data: () => text,
            run: () => encodeJson(text, codecs, base.source, base.params),
          };
        },
      };
    case "schema-mutations":
      return {
        name,
        size: MUTATIONS[scale].schema,
        input(index) {
          const rnd = random(index);
          const base = rnd.pick(corpus.schemas);
          const text = mutateText(base.text, rnd);
          return {
            what: `${base.name}, mutated`,
            data: () => text,
            run: () => checkSchemaText(text, base.name),
          };
        },
      };
    case "schema-hostile":
      return {
        name,
        size: MUTATIONS[scale].hostileSchema,
        input(index) {
          const { what, text } = hostileSchema(random(index));
          return {
            what,
            data: () => text,
            run: () => worst(checkSchemaText(text, "hostile.vmstate"), serveSchemaText(text)),
          };
        },
      };
    case "document-hostile":
      return {
        name,
        size: MUTATIONS[scale].hostileDocument,
        input(index) {
          const rnd = random(index);
          const base = rnd.pick(corpus.documents);
          const { what, json } = hostileDocument(base.json, rnd);
          const text = JSON.stringify(json);
          return {
            what: `${base.name}: ${what}`,
            data: () => text,
            run: () => encodeJson(text, codecs, base.source),
          };
        },
      };
  }
}

function lengthsBelow(length: number, dense: number, stride: number): number[] {
  const out: number[] = [];
  for (let n = 0; n < length; n += n < dense ? 1 : stride) out.push(n);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function worst(a: Outcome, b: Outcome): Outcome {
  return a.verdict === "crash" ? a : b.verdict === "crash" ? b : a;
}

/** Input numbers over groups of given sizes: number i → (group, index in the group). */
class Table {
  private readonly starts: number[] = [];
  readonly size: number;

  constructor(sizes: readonly number[]) {
    let total = 0;
    for (const s of sizes) {
      this.starts.push(total);
      total += s;
    }
    this.size = total;
  }

  locate(index: number): [number, number] {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= index) lo = mid;
      else hi = mid - 1;
    }
    return [lo, index - this.starts[lo]!];
  }
}

export interface Finding {
  readonly campaign: CampaignName;
  readonly index: number;
  readonly what: string;
  readonly problem: string;
}

/** Counts of one run (or one part of it). */
export interface Stats {
  inputs: number;
  ok: number;
  refused: number;
  crashes: number;
  overBudget: number;
  slowest: { ms: number; campaign: CampaignName; index: number; what: string } | undefined;
  findings: Finding[];
}

export function emptyStats(): Stats {
  return {
    inputs: 0,
    ok: 0,
    refused: 0,
    crashes: 0,
    overBudget: 0,
    slowest: undefined,
    findings: [],
  };
}

const KEPT_FINDINGS = 20;

/** Runs inputs of a campaign, timing each against the budget; a crash or an input over budget is a finding. */
export function runInputs(
  campaign: Campaign,
  indices: Iterable<number>,
  budgetMs: number,
  stats: Stats,
  before?: (index: number) => void,
): void {
  for (const index of indices) {
    before?.(index);
    const input = campaign.input(index);
    const start = performance.now();
    let outcome: Outcome;
    try {
      outcome = input.run();
    } catch (e) {
      outcome = {
        verdict: "crash",
        problem: `the fuzz target itself threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      };
    }
    const ms = performance.now() - start;
    stats.inputs++;
    stats[
      outcome.verdict === "ok" ? "ok" : outcome.verdict === "refused" ? "refused" : "crashes"
    ]++;
    if (!stats.slowest || ms > stats.slowest.ms)
      stats.slowest = { ms, campaign: campaign.name, index, what: input.what };
    const problems: string[] = [];
    if (outcome.verdict === "crash") problems.push(outcome.problem ?? "crash");
    if (ms > budgetMs) {
      stats.overBudget++;
      problems.push(`took ${ms.toFixed(1)} ms, over the budget of ${budgetMs} ms`);
    }
    if (problems.length > 0 && stats.findings.length < KEPT_FINDINGS)
      stats.findings.push({
        campaign: campaign.name,
        index,
        what: input.what,
        problem: problems.join("; "),
      });
  }
}

/** Adds the counts of `b` to `a`. */
export function addStats(a: Stats, b: Stats): void {
  a.inputs += b.inputs;
  a.ok += b.ok;
  a.refused += b.refused;
  a.crashes += b.crashes;
  a.overBudget += b.overBudget;
  if (b.slowest && (!a.slowest || b.slowest.ms > a.slowest.ms)) a.slowest = b.slowest;
  a.findings.push(...b.findings.slice(0, Math.max(0, KEPT_FINDINGS - a.findings.length)));
}
