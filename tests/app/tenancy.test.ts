/**
 * The tenancy model, the way a client meets it through the example app:
 * caller-chosen ids are unique per owner, every exposed function names its owner
 * (`resourceId`) and is authorized from its arguments before anything is read.
 *
 * - one tenant's writes, reusing or pointing at another tenant's ids through
 *   every exposed write function, change nothing the other tenant reads;
 * - another tenant's id answers exactly as a missing id, for every exposed
 *   function that takes an id;
 * - without a token every exposed function is UNAUTHENTICATED, whatever it names.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { anyApi } from "convex/server";
import { isConvexError } from "../../component/model/errors.js";
import { exposeApi, type AgentMemoryComponent } from "../../client/index.js";
import * as memory from "../../example/convex/memory.js";
import { appTest, SERVICE, userIdentity } from "../convex.js";
import { CALLS, page, type Args } from "./exposed-calls.js";

const app = anyApi.memory;

/** Per domain: the writes that create rows, the other writes, and the reads. */
const DOMAINS = {
  threads: {
    create: ["saveThread"],
    write: ["saveThread", "updateThread", "deleteThread", "saveThread"],
    read: ["getThread", "listThreads", "countThreads", "watchThread", "watchThreadsByResource"],
  },
  messages: {
    create: ["saveThread", "saveMessages"],
    write: ["saveThread", "saveMessages", "updateMessages", "deleteMessages", "saveMessages", "deleteThread", "saveThread", "saveMessages"],
    read: ["getMessagesByIds", "listMessages", "listMessagesByResource", "countMessages", "watchMessages"],
  },
  recall: {
    create: ["saveThread", "saveMessages", "setMessageEmbeddings"],
    write: ["saveThread", "saveMessages", "setMessageEmbeddings", "deleteMessages", "saveMessages", "setMessageEmbeddings", "deleteThread"],
    read: ["recallMessages", "countMessageEmbeddings"],
  },
  resources: {
    create: ["saveResource"],
    write: ["saveResource", "updateResource"],
    read: ["getResource"],
  },
  workflows: {
    create: ["persistWorkflowSnapshot"],
    write: ["persistWorkflowSnapshot", "updateWorkflowResults", "updateWorkflowState", "deleteWorkflowRunById", "updateWorkflowResults"],
    read: ["loadWorkflowSnapshot", "getWorkflowRunById", "listWorkflowRuns", "countWorkflowRuns", "watchWorkflowRun", "watchWorkflowRuns"],
  },
  scores: {
    create: ["saveScore"],
    write: ["saveScore"],
    read: ["getScoreById", "listScoresByScorerId", "listScoresByRunId", "listScoresByEntityId", "listScoresBySpan"],
  },
  traces: {
    create: ["createSpans"],
    write: ["createSpans", "updateSpans", "deleteTraces", "createSpans", "updateSpans"],
    read: ["getTrace", "listTraces"],
  },
  checkpoints: {
    create: ["putCheckpoint", "putCheckpointWrites"],
    write: [
      "putCheckpoint",
      "putCheckpointBlobs",
      "putCheckpointWrites",
      "copyCheckpointThread",
      "pruneCheckpoints",
      "deleteCheckpointsForRuns",
      "deleteCheckpointThread",
      "putCheckpoint",
    ],
    read: ["getCheckpoint", "listCheckpoints", "listCheckpointWrites", "getCheckpointValues", "countCheckpoints", "listCheckpointNamespaces", "listCheckpointThreads"],
  },
  store: {
    create: ["putStoreItems"],
    write: ["putStoreItems", "touchStoreItems", "putStoreItems"],
    read: ["getStoreItems", "searchStoreItems", "searchStoreByVector", "listStoreNamespaces", "countStoreItems"],
  },
} as const;

const CREATE_ALL = Object.values(DOMAINS).flatMap((d) => d.create);
/** Functions whose owner is optional: without one they address the unowned namespace. */
const OPTIONAL_OWNER: Set<string> = new Set([DOMAINS.workflows, DOMAINS.scores, DOMAINS.traces].flatMap((d) => [...d.create, ...d.write, ...d.read]));
const READ_ALL = Object.values(DOMAINS).flatMap((d) => d.read);

const kindOf = (name: string) => (memory as Record<string, { isQuery?: boolean; isAction?: boolean }>)[name];
type Caller = { query: (f: any, a: any) => Promise<any>; mutation: (f: any, a: any) => Promise<any>; action: (f: any, a: any) => Promise<any> };
const call = (caller: Caller, name: string, args: Args) =>
  kindOf(name).isAction ? caller.action(app[name], args) : kindOf(name).isQuery ? caller.query(app[name], args) : caller.mutation(app[name], args);

/** What a call answered: its value, or its ConvexError data, or (never expected) any other error. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { value: await promise };
  } catch (e) {
    if (isConvexError(e)) return { error: e.data };
    return { untyped: String(e) };
  }
}

/** Everything a user reads of its own data through every read function, for the ids given. */
async function everythingRead(caller: Caller, owner: string, ids: string[]) {
  const out: Record<string, unknown> = {};
  for (const id of ids) for (const name of READ_ALL) out[`${name} ${id}`] = await outcome(call(caller, name, CALLS[name](owner, id)));
  return out;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(1_700_000_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

test("the tables cover every exposed function of the owned domains", () => {
  const exposed = Object.keys(exposeApi(anyApi as unknown as AgentMemoryComponent));
  const vectors = ["createIndex", "listIndexes", "describeIndex", "deleteIndex", "truncateIndex", "upsert", "updateVector", "deleteVectors", "getVectors", "query"];
  expect(Object.keys(CALLS).sort()).toEqual(exposed.filter((n) => !vectors.includes(n)).sort());
  const covered = new Set(Object.values(DOMAINS).flatMap((d) => [...d.create, ...d.write, ...d.read]));
  expect([...covered].sort()).toEqual(Object.keys(CALLS).sort());
});

describe.each(Object.keys(DOMAINS) as Array<keyof typeof DOMAINS>)("%s", (domain) => {
  test("another tenant's writes that reuse and point at alice's ids change nothing alice reads, and are never refused", async () => {
    const t = appTest(true);
    const alice = t.withIdentity(userIdentity("alice"));
    const bob = t.withIdentity(userIdentity("bob"));
    const ids = ["shared", "alice-only"];
    for (const id of ids) for (const name of CREATE_ALL) await call(alice, name, CALLS[name]("alice", id));
    const before = await everythingRead(alice, "alice", ids);
    expect(JSON.stringify(before)).toContain("shared");
    expect(Object.values(before).filter((o) => !(o as object).hasOwnProperty("value"))).toEqual([]);

    vi.setSystemTime(1_700_000_100_000);
    // Bob's rows reuse alice's ids ("shared"): every write succeeds in bob's own namespace.
    for (const name of DOMAINS[domain].write) {
      expect(await outcome(call(bob, name, CALLS[name]("bob", "shared"))), name).toHaveProperty("value");
    }
    // Bob's writes that point at ids only alice has ("alice-only") find nothing of bob's:
    // at most NOT_FOUND, never CONFLICT or FORBIDDEN.
    const creates = ["saveThread", "persistWorkflowSnapshot", "createSpans", "saveResource"];
    for (const name of DOMAINS[domain].write.filter((n) => !creates.includes(n))) {
      const answer = (await outcome(call(bob, name, CALLS[name]("bob", "alice-only")))) as { error?: { code: string } };
      if (answer.error !== undefined) expect(answer.error.code, name).toBe("NOT_FOUND");
      expect(answer, name).not.toHaveProperty("untyped");
    }
    const after = await everythingRead(alice, "alice", ids);
    expect(after).toEqual(before);
    expect(JSON.stringify(after)).not.toMatch(/bob/);
  });
});

/** A deployment where bob (or, for the unowned namespace, a service) has rows under `id`, or one where nobody has. */
async function world(withTheirRows: boolean) {
  const t = appTest(true);
  const service = t.withIdentity(SERVICE);
  if (withTheirRows) {
    for (const owner of ["bob", undefined]) {
      for (const name of CREATE_ALL) {
        if (owner === undefined && !OPTIONAL_OWNER.has(name)) continue;
        await call(service, name, CALLS[name](owner, "their-id"));
      }
    }
  }
  return { t, alice: t.withIdentity(userIdentity("alice")) };
}

describe("another tenant's id answers exactly as a missing one", () => {
  test.each(Object.keys(CALLS))("%s", async (name) => {
    const answers = [];
    for (const withTheirRows of [true, false]) {
      const { t, alice } = await world(withTheirRows);
      answers.push({
        // alice, in her own namespace, naming the id bob's rows carry
        ownId: await outcome(call(alice, name, CALLS[name]("alice", "their-id"))),
        // alice naming bob as the owner, and naming no owner (the unowned namespace)
        bobsOwner: await outcome(call(alice, name, CALLS[name]("bob", "their-id"))),
        unowned: OPTIONAL_OWNER.has(name) ? await outcome(call(alice, name, CALLS[name](undefined, "their-id"))) : null,
        // no token at all
        anonymous: await outcome(call(t, name, CALLS[name]("bob", "their-id"))),
      });
    }
    expect(answers[0]).toEqual(answers[1]);
    const [withRows] = answers;
    expect(withRows.bobsOwner).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect(withRows.anonymous).toMatchObject({ error: { code: "UNAUTHENTICATED" } });
    for (const answer of Object.values(withRows)) expect(answer ?? {}).not.toHaveProperty("untyped");
    if (withRows.unowned !== null) expect(withRows.unowned).toMatchObject({ error: { code: "FORBIDDEN" } });
    expect(JSON.stringify(withRows.ownId)).not.toMatch(/bob/);
    expect(JSON.stringify(withRows.bobsOwner)).not.toMatch(/bob/);
  });
});

test("without a token every exposed function is UNAUTHENTICATED, whatever its arguments name", async () => {
  const { t } = await world(true);
  const exposed = exposeApi(anyApi as unknown as AgentMemoryComponent) as Record<string, { isQuery?: boolean; isMutation?: boolean }>;
  const vectorArgs: Record<string, Args> = {
    createIndex: { name: "i", dimension: 128 },
    listIndexes: { paginationOpts: page },
    describeIndex: { indexName: "missing" },
    deleteIndex: { indexName: "missing" },
    truncateIndex: { indexName: "missing" },
    upsert: { indexName: "missing", vectors: [] },
    updateVector: { indexName: "missing", id: "v" },
    deleteVectors: { indexName: "missing", ids: ["v"] },
    getVectors: { indexName: "missing", ids: ["v"] },
    query: { indexName: "missing", queryVector: [1, 0], topK: 1 },
  };
  for (const name of Object.keys(exposed)) {
    const argsList = !(name in CALLS)
      ? [vectorArgs[name]]
      : [CALLS[name]("bob", "their-id"), CALLS[name]("alice", "missing"), ...(OPTIONAL_OWNER.has(name) ? [CALLS[name](undefined, "their-id")] : [])];
    for (const args of argsList) {
      const run = name === "query" ? t.action(app[name], args) : call(t, name, args);
      expect(await outcome(run), `${name} ${JSON.stringify(args)}`).toEqual({
        error: { code: "UNAUTHENTICATED", message: `${name} needs an authenticated caller` },
      });
    }
  }
});
