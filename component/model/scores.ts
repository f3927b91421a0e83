/**
 * Tables, signatures and helpers of the scores domain: evaluation scores,
 * queryable by scorer, run, entity and span, newest first, one index per list.
 * A score is keyed by its owner and id (`resourceId`, `id`); every index starts
 * with the owner, and the runs, entities and spans a score names are names
 * within its owner's namespace. A score without `resourceId` is unowned.
 * `input`, `output` and `metadata` are JSON text (keys may start with `$`/`_`).
 */
import { defineTable, paginationOptsValidator, type GenericDatabaseReader, type GenericDatabaseWriter, type PaginationOptions, type PaginationResult } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { conflict, invalidArgument } from "./errors.js";
import { checkJsonFields } from "./jsonText.js";
import { checkDocument } from "./limits.js";
import { boundedPage, pageOf, paginateChecked, vPage } from "./pagination.js";
import { checkName, checkOwner, checkTime, describeNumber, vOptionalOwner, withoutSystemFields } from "./shared.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

const scoreFields = {
  /** Owner; omitted for an unowned score. */
  resourceId: vOptionalOwner,
  /** The caller's id for the score, unique per owner; generated when not given. */
  id: v.string(),
  scorerId: v.string(),
  entityId: v.string(),
  entityType: v.string(),
  runId: v.string(),
  traceId: v.optional(v.string()),
  spanId: v.optional(v.string()),
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
    .index("by_score_id", ["resourceId", "id"])
    .index("by_scorer", ["resourceId", "scorerId", "createdAt"])
    .index("by_run", ["resourceId", "runId", "createdAt"])
    .index("by_entity", ["resourceId", "entityId", "entityType", "createdAt"])
    .index("by_span", ["resourceId", "traceId", "spanId", "createdAt"]),
};

export const vScore = v.object(scoreFields);
export type Score = Infer<typeof vScore>;

const owner = { resourceId: vOptionalOwner };
const page = { paginationOpts: paginationOptsValidator };

/** Arguments of every scores function, shared by the component and the client helper. */
export const scoreArgs = {
  saveScore: { ...scoreFields, id: v.optional(v.string()), createdAt: v.optional(v.number()) },
  getScoreById: { ...owner, id: v.string() },
  listScoresByScorerId: { ...owner, scorerId: v.string(), ...page },
  listScoresByRunId: { ...owner, runId: v.string(), ...page },
  listScoresByEntityId: { ...owner, entityId: v.string(), entityType: v.string(), ...page },
  listScoresBySpan: { ...owner, traceId: v.string(), spanId: v.string(), ...page },
};

/** Results of every scores function. */
export const scoreReturns = {
  saveScore: vScore,
  getScoreById: v.union(vScore, v.null()),
  listScoresByScorerId: vPage(vScore),
  listScoresByRunId: vPage(vScore),
  listScoresByEntityId: vPage(vScore),
  listScoresBySpan: vPage(vScore),
};

type ArgsOf<K extends keyof typeof scoreArgs> = ObjectType<(typeof scoreArgs)[K]>;

/** A stored score as a result. */
function toScore(row: Doc<"scores">): Score {
  return withoutSystemFields(row);
}

/** Saves one score for its owner (id generated when not given; CONFLICT when the owner already has that id). */
export async function saveScore(db: Writer, args: ArgsOf<"saveScore">): Promise<Score> {
  checkOwner(args.resourceId);
  for (const field of ["scorerId", "entityId", "entityType", "runId", "source"] as const) checkName(args[field], field);
  for (const field of ["id", "traceId", "spanId"] as const) {
    if (args[field] !== undefined) checkName(args[field]!, field);
  }
  if (args.spanId !== undefined && args.traceId === undefined) {
    invalidArgument("spanId needs traceId", { field: "spanId" });
  }
  if (!Number.isFinite(args.score)) {
    invalidArgument(`score must be a finite number, got ${describeNumber(args.score)}`, { field: "score" });
  }
  checkTime(args.createdAt, "createdAt");
  checkJsonFields({ input: args.input, output: args.output, metadata: args.metadata });
  const row: Score = { ...args, id: args.id ?? crypto.randomUUID(), createdAt: args.createdAt ?? Date.now() };
  checkDocument(`score "${row.id}"`, row);
  if ((await findScore(db, row.resourceId, row.id)) !== null) conflict(`a score with id "${row.id}" exists`, { id: row.id });
  await db.insert("scores", row);
  return row;
}

function findScore(db: Reader, resourceId: string | undefined, id: string) {
  return db
    .query("scores")
    .withIndex("by_score_id", (q) => q.eq("resourceId", resourceId).eq("id", id))
    .unique();
}

/** The owner's score with this id, or null. */
export async function getScoreById(db: Reader, args: ArgsOf<"getScoreById">): Promise<Score | null> {
  checkOwner(args.resourceId);
  checkName(args.id, "id");
  const row = await findScore(db, args.resourceId, args.id);
  return row === null ? null : toScore(row);
}

type Paginated = { paginate: (opts: PaginationOptions) => Promise<PaginationResult<Doc<"scores">>> };

async function scoresPage(query: Paginated, opts: PaginationOptions) {
  const result = await paginateChecked(query, opts);
  return pageOf(result, result.page.map(toScore));
}

/** Checks the owner, the named arguments and the page size of a list, before it reads anything. */
function checkList(args: { resourceId?: string; paginationOpts: unknown }, names: Record<string, string>): PaginationOptions {
  checkOwner(args.resourceId);
  for (const [field, value] of Object.entries(names)) checkName(value, field);
  return boundedPage(args.paginationOpts as PaginationOptions);
}

/** The owner's scores of a scorer, newest first. */
export function listScoresByScorerId(db: Reader, args: ArgsOf<"listScoresByScorerId">) {
  const opts = checkList(args, { scorerId: args.scorerId });
  return scoresPage(
    db.query("scores").withIndex("by_scorer", (q) => q.eq("resourceId", args.resourceId).eq("scorerId", args.scorerId)).order("desc"),
    opts,
  );
}

/** The owner's scores of a run, newest first. */
export function listScoresByRunId(db: Reader, args: ArgsOf<"listScoresByRunId">) {
  const opts = checkList(args, { runId: args.runId });
  return scoresPage(db.query("scores").withIndex("by_run", (q) => q.eq("resourceId", args.resourceId).eq("runId", args.runId)).order("desc"), opts);
}

/** The owner's scores of an entity (entityId + entityType), newest first. */
export function listScoresByEntityId(db: Reader, args: ArgsOf<"listScoresByEntityId">) {
  const opts = checkList(args, { entityId: args.entityId, entityType: args.entityType });
  return scoresPage(
    db
      .query("scores")
      .withIndex("by_entity", (q) => q.eq("resourceId", args.resourceId).eq("entityId", args.entityId).eq("entityType", args.entityType))
      .order("desc"),
    opts,
  );
}

/** The owner's scores of a span (traceId + spanId), newest first. */
export function listScoresBySpan(db: Reader, args: ArgsOf<"listScoresBySpan">) {
  const opts = checkList(args, { traceId: args.traceId, spanId: args.spanId });
  return scoresPage(
    db
      .query("scores")
      .withIndex("by_span", (q) => q.eq("resourceId", args.resourceId).eq("traceId", args.traceId).eq("spanId", args.spanId))
      .order("desc"),
    opts,
  );
}
