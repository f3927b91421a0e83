/**
 * Tables, validators and helpers of the scores domain: evaluation scores,
 * queryable by scorer, run, entity and span, newest first, one index per list.
 * `input`, `output` and `metadata` are JSON text (keys may start with `$`/`_`).
 */
import { defineTable, paginationOptsValidator, type GenericDatabaseReader, type GenericDatabaseWriter, type PaginationOptions, type PaginationResult } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { conflict, invalidArgument } from "./errors.js";
import { checkJsonFields, checkName, checkTime } from "./jsonText.js";
import { boundedPage, pageOf, vPage } from "./pagination.js";
import { checkDocument } from "./limits.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

const scoreFields = {
  /** The caller's id for the score; generated when not given. */
  id: v.string(),
  scorerId: v.string(),
  entityId: v.string(),
  entityType: v.string(),
  runId: v.string(),
  traceId: v.optional(v.string()),
  spanId: v.optional(v.string()),
  /** Owner, for authorization in the host app. */
  resourceId: v.optional(v.string()),
  score: v.number(),
  reason: v.optional(v.string()),
  /** JSON text. */
  input: v.optional(v.string()),
  /** JSON text. */
  output: v.optional(v.string()),
  /** JSON text. */
  metadata: v.optional(v.string()),
  /** Where the score comes from, e.g. "LIVE" or "TEST". */
  source: v.string(),
  createdAt: v.number(),
};

export const scoreTables = {
  scores: defineTable(scoreFields)
    .index("by_score_id", ["id"])
    .index("by_scorer", ["scorerId", "createdAt"])
    .index("by_resource_scorer", ["resourceId", "scorerId", "createdAt"])
    .index("by_run", ["runId", "createdAt"])
    .index("by_entity", ["entityId", "entityType", "createdAt"])
    .index("by_span", ["traceId", "spanId", "createdAt"]),
};

export const vScore = v.object(scoreFields);
export type Score = Infer<typeof vScore>;

const page = { paginationOpts: paginationOptsValidator };

export const scoreArgs = {
  saveScore: { ...scoreFields, id: v.optional(v.string()), createdAt: v.optional(v.number()) },
  getScoreById: { id: v.string() },
  listScoresByScorerId: { scorerId: v.string(), resourceId: v.optional(v.string()), ...page },
  listScoresByRunId: { runId: v.string(), ...page },
  listScoresByEntityId: { entityId: v.string(), entityType: v.string(), ...page },
  listScoresBySpan: { traceId: v.string(), spanId: v.string(), ...page },
};

export const scoreReturns = {
  saveScore: vScore,
  getScoreById: v.union(vScore, v.null()),
  listScoresByScorerId: vPage(vScore),
  listScoresByRunId: vPage(vScore),
  listScoresByEntityId: vPage(vScore),
  listScoresBySpan: vPage(vScore),
};

type ArgsOf<K extends keyof typeof scoreArgs> = ObjectType<(typeof scoreArgs)[K]>;

function clean(row: Doc<"scores">): Score {
  const { _id, _creationTime, ...score } = row;
  return score;
}

export async function saveScore(db: Writer, args: ArgsOf<"saveScore">): Promise<Score> {
  for (const field of ["scorerId", "entityId", "entityType", "runId", "source"] as const) checkName(args[field], field);
  for (const field of ["id", "traceId", "spanId", "resourceId"] as const) {
    if (args[field] !== undefined) checkName(args[field]!, field);
  }
  if (args.spanId !== undefined && args.traceId === undefined) {
    invalidArgument("spanId needs traceId", { field: "spanId" });
  }
  if (!Number.isFinite(args.score)) invalidArgument("score must be a finite number", { field: "score" });
  checkTime(args.createdAt, "createdAt");
  checkJsonFields({ input: args.input, output: args.output, metadata: args.metadata });
  const row: Score = { ...args, id: args.id ?? crypto.randomUUID(), createdAt: args.createdAt ?? Date.now() };
  checkDocument(`score "${row.id}"`, row);
  const taken = await db.query("scores").withIndex("by_score_id", (q) => q.eq("id", row.id)).first();
  if (taken !== null) conflict(`a score with id "${row.id}" exists`, { id: row.id });
  await db.insert("scores", row);
  return row;
}

export async function getScoreById(db: Reader, args: ArgsOf<"getScoreById">): Promise<Score | null> {
  const row = await db.query("scores").withIndex("by_score_id", (q) => q.eq("id", args.id)).unique();
  return row === null ? null : clean(row);
}

async function scoresPage(query: { paginate: (opts: PaginationOptions) => Promise<PaginationResult<Doc<"scores">>> }, opts: PaginationOptions) {
  const result = await query.paginate(boundedPage(opts));
  return pageOf(result, result.page.map(clean));
}

export function listScoresByScorerId(db: Reader, args: ArgsOf<"listScoresByScorerId">) {
  const q =
    args.resourceId === undefined
      ? db.query("scores").withIndex("by_scorer", (q) => q.eq("scorerId", args.scorerId))
      : db.query("scores").withIndex("by_resource_scorer", (q) => q.eq("resourceId", args.resourceId).eq("scorerId", args.scorerId));
  return scoresPage(q.order("desc"), args.paginationOpts);
}

export function listScoresByRunId(db: Reader, args: ArgsOf<"listScoresByRunId">) {
  return scoresPage(db.query("scores").withIndex("by_run", (q) => q.eq("runId", args.runId)).order("desc"), args.paginationOpts);
}

export function listScoresByEntityId(db: Reader, args: ArgsOf<"listScoresByEntityId">) {
  return scoresPage(
    db.query("scores").withIndex("by_entity", (q) => q.eq("entityId", args.entityId).eq("entityType", args.entityType)).order("desc"),
    args.paginationOpts,
  );
}

export function listScoresBySpan(db: Reader, args: ArgsOf<"listScoresBySpan">) {
  return scoresPage(
    db.query("scores").withIndex("by_span", (q) => q.eq("traceId", args.traceId).eq("spanId", args.spanId)).order("desc"),
    args.paginationOpts,
  );
}
