/* eslint-disable */
/**
 * Generated `ComponentApi` utility.
 *
 * THIS CODE IS AUTOMATICALLY GENERATED.
 *
 * To regenerate, run `npx convex dev`.
 * @module
 */

import type { FunctionReference } from "convex/server";

/**
 * A utility for referencing a Convex component's exposed API.
 *
 * Useful when expecting a parameter like `components.myComponent`.
 * Usage:
 * ```ts
 * async function myFunction(ctx: QueryCtx, component: ComponentApi) {
 *   return ctx.runQuery(component.someFile.someQuery, { ...args });
 * }
 * ```
 */
export type ComponentApi<Name extends string | undefined = string | undefined> =
  {
    checkpoints: {
      copyCheckpointThread: FunctionReference<
        "mutation",
        "internal",
        {
          cursor?: string;
          resourceId: string;
          sourceThreadId: string;
          targetThreadId: string;
        },
        { cursor?: string; done: boolean },
        Name
      >;
      countCheckpoints: FunctionReference<
        "query",
        "internal",
        { checkpointNs: string; resourceId: string; threadId: string },
        number,
        Name
      >;
      deleteCheckpointsForRuns: FunctionReference<
        "mutation",
        "internal",
        { resourceId: string; runIds: Array<string> },
        { cursor?: string; done: boolean },
        Name
      >;
      deleteCheckpointThread: FunctionReference<
        "mutation",
        "internal",
        { resourceId: string; threadId: string },
        null,
        Name
      >;
      getCheckpoint: FunctionReference<
        "query",
        "internal",
        {
          checkpointId?: string;
          checkpointNs: string;
          resourceId: string;
          threadId: string;
        },
        {
          blobs: Array<{
            channel: string;
            checkpointNs: string;
            data?: ArrayBuffer;
            size: number;
            type: string;
            version: string;
          }>;
          checkpoint: {
            channelVersions: Array<{ channel: string; version: string }>;
            checkpoint: ArrayBuffer;
            checkpointId: string;
            checkpointNs: string;
            metadata: string;
            parentCheckpointId?: string;
            threadId: string;
            type: string;
          };
          unreadBlobs: Array<{
            channel: string;
            checkpointNs: string;
            version: string;
          }>;
          writes: Array<{
            channel: string;
            checkpointId: string;
            checkpointNs: string;
            data?: ArrayBuffer;
            idx: number;
            size: number;
            taskId: string;
            taskPath: string;
            type: string;
          }>;
          writesCursor: string | null;
        } | null,
        Name
      >;
      getCheckpointValues: FunctionReference<
        "query",
        "internal",
        {
          blobs: Array<{
            channel: string;
            checkpointNs: string;
            version: string;
          }>;
          resourceId: string;
          threadId: string;
          writes: Array<{
            checkpointId: string;
            checkpointNs: string;
            idx: number;
            taskId: string;
          }>;
        },
        {
          blobs: Array<{
            channel: string;
            checkpointNs: string;
            data?: ArrayBuffer;
            size: number;
            type: string;
            version: string;
          }>;
          missingBlobs: Array<{
            channel: string;
            checkpointNs: string;
            version: string;
          }>;
          missingWrites: Array<{
            checkpointId: string;
            checkpointNs: string;
            idx: number;
            taskId: string;
          }>;
          writes: Array<{
            channel: string;
            checkpointId: string;
            checkpointNs: string;
            data?: ArrayBuffer;
            idx: number;
            size: number;
            taskId: string;
            taskPath: string;
            type: string;
          }>;
        },
        Name
      >;
      listCheckpointNamespaces: FunctionReference<
        "query",
        "internal",
        {
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId: string;
          threadId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{ checkpointNs: string; count: number }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      listCheckpoints: FunctionReference<
        "query",
        "internal",
        {
          before?: string;
          checkpointNs: string;
          filter?: string;
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId: string;
          threadId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            channelVersions: Array<{ channel: string; version: string }>;
            checkpoint: ArrayBuffer;
            checkpointId: string;
            checkpointNs: string;
            metadata: string;
            parentCheckpointId?: string;
            threadId: string;
            type: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      listCheckpointThreads: FunctionReference<
        "query",
        "internal",
        {
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            createdAt: number;
            threadId: string;
            updatedAt: number;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      listCheckpointWrites: FunctionReference<
        "query",
        "internal",
        {
          checkpointNs: string;
          fromCheckpointId: string;
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId: string;
          threadId: string;
          toCheckpointId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            channel: string;
            checkpointId: string;
            checkpointNs: string;
            data?: ArrayBuffer;
            idx: number;
            size: number;
            taskId: string;
            taskPath: string;
            type: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      pruneCheckpoints: FunctionReference<
        "mutation",
        "internal",
        {
          cursor?: string;
          resourceId: string;
          strategy: "keep_latest" | "delete";
          threadIds: Array<string>;
        },
        { cursor?: string; done: boolean },
        Name
      >;
      putCheckpoint: FunctionReference<
        "mutation",
        "internal",
        {
          blobs: Array<{
            channel: string;
            data: ArrayBuffer;
            type: string;
            version: string;
          }>;
          channelVersions: Array<{ channel: string; version: string }>;
          checkpoint: ArrayBuffer;
          checkpointId: string;
          checkpointNs: string;
          metadata: string;
          parentCheckpointId?: string;
          resourceId: string;
          threadId: string;
          type: string;
        },
        null,
        Name
      >;
      putCheckpointBlobs: FunctionReference<
        "mutation",
        "internal",
        {
          blobs: Array<{
            channel: string;
            data: ArrayBuffer;
            type: string;
            version: string;
          }>;
          checkpointNs: string;
          resourceId: string;
          threadId: string;
        },
        null,
        Name
      >;
      putCheckpointWrites: FunctionReference<
        "mutation",
        "internal",
        {
          checkpointId: string;
          checkpointNs: string;
          resourceId: string;
          taskId: string;
          taskPath: string;
          threadId: string;
          writes: Array<{
            channel: string;
            data: ArrayBuffer;
            idx: number;
            type: string;
          }>;
        },
        null,
        Name
      >;
    };
    messages: {
      countMessages: FunctionReference<
        "query",
        "internal",
        { resourceId: string; threadId: string },
        number,
        Name
      >;
      deleteMessages: FunctionReference<
        "mutation",
        "internal",
        { ids: Array<string>; resourceId: string },
        number,
        Name
      >;
      getMessagesByIds: FunctionReference<
        "query",
        "internal",
        { ids: Array<string>; resourceId: string },
        Array<{
          content: {
            content?: string;
            format: 2;
            metadata?: any;
            parts: Array<any>;
          };
          createdAt: number;
          id: string;
          resourceId: string;
          role: "user" | "assistant" | "system" | "tool";
          threadId: string;
          type: string;
        }>,
        Name
      >;
      listMessages: FunctionReference<
        "query",
        "internal",
        {
          endDate?: number;
          include?: Array<{
            id: string;
            withNextMessages?: number;
            withPreviousMessages?: number;
          }>;
          order?: "asc" | "desc";
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId: string;
          startDate?: number;
          threadId: string;
        },
        {
          continueCursor: string;
          included: Array<{
            content: {
              content?: string;
              format: 2;
              metadata?: any;
              parts: Array<any>;
            };
            createdAt: number;
            id: string;
            resourceId: string;
            role: "user" | "assistant" | "system" | "tool";
            threadId: string;
            type: string;
          }>;
          isDone: boolean;
          page: Array<{
            content: {
              content?: string;
              format: 2;
              metadata?: any;
              parts: Array<any>;
            };
            createdAt: number;
            id: string;
            resourceId: string;
            role: "user" | "assistant" | "system" | "tool";
            threadId: string;
            type: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      listMessagesByResource: FunctionReference<
        "query",
        "internal",
        {
          order?: "asc" | "desc";
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            content: {
              content?: string;
              format: 2;
              metadata?: any;
              parts: Array<any>;
            };
            createdAt: number;
            id: string;
            resourceId: string;
            role: "user" | "assistant" | "system" | "tool";
            threadId: string;
            type: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      saveMessages: FunctionReference<
        "mutation",
        "internal",
        {
          messages: Array<{
            content: {
              content?: string;
              format: 2;
              metadata?: any;
              parts: Array<any>;
            };
            createdAt?: number;
            embedding?: Array<number> | ArrayBuffer;
            id: string;
            role: "user" | "assistant" | "system" | "tool";
            threadId: string;
            type?: string;
          }>;
          resourceId: string;
        },
        Array<{
          content: {
            content?: string;
            format: 2;
            metadata?: any;
            parts: Array<any>;
          };
          createdAt: number;
          id: string;
          resourceId: string;
          role: "user" | "assistant" | "system" | "tool";
          threadId: string;
          type: string;
        }>,
        Name
      >;
      updateMessages: FunctionReference<
        "mutation",
        "internal",
        {
          messages: Array<{
            content?: {
              content?: string;
              format: 2;
              metadata?: any;
              parts: Array<any>;
            };
            createdAt?: number;
            id: string;
            role?: "user" | "assistant" | "system" | "tool";
            type?: string;
          }>;
          resourceId: string;
        },
        Array<{
          content: {
            content?: string;
            format: 2;
            metadata?: any;
            parts: Array<any>;
          };
          createdAt: number;
          id: string;
          resourceId: string;
          role: "user" | "assistant" | "system" | "tool";
          threadId: string;
          type: string;
        }>,
        Name
      >;
      watchMessages: FunctionReference<
        "query",
        "internal",
        { limit?: number; resourceId: string; threadId: string },
        Array<{
          content: {
            content?: string;
            format: 2;
            metadata?: any;
            parts: Array<any>;
          };
          createdAt: number;
          id: string;
          resourceId: string;
          role: "user" | "assistant" | "system" | "tool";
          threadId: string;
          type: string;
        }>,
        Name
      >;
    };
    recall: {
      countMessageEmbeddings: FunctionReference<
        "query",
        "internal",
        { resourceId: string; threadId?: string },
        number,
        Name
      >;
      recallMessages: FunctionReference<
        "action",
        "internal",
        {
          after?: number;
          before?: number;
          excludeThreadId?: string;
          keywordQuery?: string;
          keywordWeight?: number;
          minScore?: number;
          queryVector: Array<number> | ArrayBuffer;
          resourceId: string;
          rrfK?: number;
          threadId?: string;
          topK: number;
        },
        {
          candidates: number;
          groups: Array<{
            hitIds: Array<string>;
            messages: Array<{
              content: {
                content?: string;
                format: 2;
                metadata?: any;
                parts: Array<any>;
              };
              createdAt: number;
              id: string;
              resourceId: string;
              role: "user" | "assistant" | "system" | "tool";
              threadId: string;
              type: string;
            }>;
            score: number;
            threadId: string;
          }>;
          hits: Array<{
            id: string;
            keywordRank?: number;
            score: number;
            threadId: string;
            vectorRank?: number;
            vectorScore?: number;
          }>;
          keywordCandidates?: number;
          mayBeIncomplete: boolean;
          truncated: boolean;
        },
        Name
      >;
      setMessageEmbeddings: FunctionReference<
        "mutation",
        "internal",
        {
          embeddings: Array<{
            embedding: Array<number> | ArrayBuffer | null;
            id: string;
          }>;
          resourceId: string;
        },
        { removed: number; set: number },
        Name
      >;
    };
    resources: {
      getResource: FunctionReference<
        "query",
        "internal",
        { resourceId: string },
        {
          createdAt: number;
          id: string;
          metadata?: Record<string, any>;
          updatedAt: number;
          workingMemory?: string;
        } | null,
        Name
      >;
      saveResource: FunctionReference<
        "mutation",
        "internal",
        {
          metadata?: Record<string, any>;
          resourceId: string;
          workingMemory?: string;
        },
        {
          createdAt: number;
          id: string;
          metadata?: Record<string, any>;
          updatedAt: number;
          workingMemory?: string;
        },
        Name
      >;
      updateResource: FunctionReference<
        "mutation",
        "internal",
        {
          metadata?: Record<string, any>;
          resourceId: string;
          workingMemory?: string;
        },
        {
          createdAt: number;
          id: string;
          metadata?: Record<string, any>;
          updatedAt: number;
          workingMemory?: string;
        },
        Name
      >;
    };
    scores: {
      getScoreById: FunctionReference<
        "query",
        "internal",
        { id: string; resourceId?: string },
        {
          createdAt: number;
          entityId: string;
          entityType: string;
          id: string;
          input?: string;
          metadata?: string;
          output?: string;
          reason?: string;
          resourceId?: string;
          runId: string;
          score: number;
          scorerId: string;
          source: string;
          spanId?: string;
          traceId?: string;
        } | null,
        Name
      >;
      listScoresByEntityId: FunctionReference<
        "query",
        "internal",
        {
          entityId: string;
          entityType: string;
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId?: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            createdAt: number;
            entityId: string;
            entityType: string;
            id: string;
            input?: string;
            metadata?: string;
            output?: string;
            reason?: string;
            resourceId?: string;
            runId: string;
            score: number;
            scorerId: string;
            source: string;
            spanId?: string;
            traceId?: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      listScoresByRunId: FunctionReference<
        "query",
        "internal",
        {
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId?: string;
          runId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            createdAt: number;
            entityId: string;
            entityType: string;
            id: string;
            input?: string;
            metadata?: string;
            output?: string;
            reason?: string;
            resourceId?: string;
            runId: string;
            score: number;
            scorerId: string;
            source: string;
            spanId?: string;
            traceId?: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      listScoresByScorerId: FunctionReference<
        "query",
        "internal",
        {
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId?: string;
          scorerId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            createdAt: number;
            entityId: string;
            entityType: string;
            id: string;
            input?: string;
            metadata?: string;
            output?: string;
            reason?: string;
            resourceId?: string;
            runId: string;
            score: number;
            scorerId: string;
            source: string;
            spanId?: string;
            traceId?: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      listScoresBySpan: FunctionReference<
        "query",
        "internal",
        {
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId?: string;
          spanId: string;
          traceId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            createdAt: number;
            entityId: string;
            entityType: string;
            id: string;
            input?: string;
            metadata?: string;
            output?: string;
            reason?: string;
            resourceId?: string;
            runId: string;
            score: number;
            scorerId: string;
            source: string;
            spanId?: string;
            traceId?: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      saveScore: FunctionReference<
        "mutation",
        "internal",
        {
          createdAt?: number;
          entityId: string;
          entityType: string;
          id?: string;
          input?: string;
          metadata?: string;
          output?: string;
          reason?: string;
          resourceId?: string;
          runId: string;
          score: number;
          scorerId: string;
          source: string;
          spanId?: string;
          traceId?: string;
        },
        {
          createdAt: number;
          entityId: string;
          entityType: string;
          id: string;
          input?: string;
          metadata?: string;
          output?: string;
          reason?: string;
          resourceId?: string;
          runId: string;
          score: number;
          scorerId: string;
          source: string;
          spanId?: string;
          traceId?: string;
        },
        Name
      >;
    };
    store: {
      countStoreItems: FunctionReference<
        "query",
        "internal",
        { namespace: Array<string>; resourceId: string },
        number,
        Name
      >;
      getStoreItems: FunctionReference<
        "query",
        "internal",
        {
          items: Array<{ key: string; namespace: Array<string> }>;
          resourceId: string;
        },
        Array<{
          createdAt: number;
          expiresAt?: number;
          key: string;
          namespace: Array<string>;
          updatedAt: number;
          value: string;
        } | null>,
        Name
      >;
      listStoreNamespaces: FunctionReference<
        "query",
        "internal",
        {
          maxDepth?: number;
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          prefix?: Array<string>;
          resourceId: string;
          suffix?: Array<string>;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<Array<string>>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      putStoreItems: FunctionReference<
        "mutation",
        "internal",
        {
          ops: Array<{
            key: string;
            namespace: Array<string>;
            ttlMinutes?: number;
            value?: string;
            vectors?: Array<{
              path: string;
              vector: Array<number> | ArrayBuffer;
            }>;
          }>;
          resourceId: string;
        },
        null,
        Name
      >;
      searchStoreByVector: FunctionReference<
        "action",
        "internal",
        {
          filter?: string;
          limit: number;
          namespacePrefix: Array<string>;
          offset?: number;
          queryVector: Array<number> | ArrayBuffer;
          resourceId: string;
        },
        {
          items: Array<{
            createdAt: number;
            expiresAt?: number;
            key: string;
            namespace: Array<string>;
            score: number;
            updatedAt: number;
            value: string;
          }>;
          mayBeIncomplete: boolean;
        },
        Name
      >;
      searchStoreItems: FunctionReference<
        "query",
        "internal",
        {
          filter?: string;
          namespacePrefix: Array<string>;
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            createdAt: number;
            expiresAt?: number;
            key: string;
            namespace: Array<string>;
            updatedAt: number;
            value: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      touchStoreItems: FunctionReference<
        "mutation",
        "internal",
        {
          items: Array<{ key: string; namespace: Array<string> }>;
          resourceId: string;
        },
        null,
        Name
      >;
    };
    threads: {
      countThreads: FunctionReference<
        "query",
        "internal",
        { resourceId: string },
        number,
        Name
      >;
      deleteThread: FunctionReference<
        "mutation",
        "internal",
        { id: string; resourceId: string },
        null,
        Name
      >;
      getThread: FunctionReference<
        "query",
        "internal",
        { id: string; resourceId: string },
        {
          createdAt: number;
          id: string;
          metadata?: Record<string, any>;
          resourceId: string;
          title?: string;
          updatedAt: number;
        } | null,
        Name
      >;
      listThreads: FunctionReference<
        "query",
        "internal",
        {
          order?: "asc" | "desc";
          orderBy?: "createdAt" | "updatedAt";
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            createdAt: number;
            id: string;
            metadata?: Record<string, any>;
            resourceId: string;
            title?: string;
            updatedAt: number;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      saveThread: FunctionReference<
        "mutation",
        "internal",
        {
          createdAt?: number;
          id: string;
          metadata?: Record<string, any>;
          resourceId: string;
          title?: string;
        },
        {
          createdAt: number;
          id: string;
          metadata?: Record<string, any>;
          resourceId: string;
          title?: string;
          updatedAt: number;
        },
        Name
      >;
      updateThread: FunctionReference<
        "mutation",
        "internal",
        {
          id: string;
          metadata?: Record<string, any>;
          resourceId: string;
          title?: string;
        },
        {
          createdAt: number;
          id: string;
          metadata?: Record<string, any>;
          resourceId: string;
          title?: string;
          updatedAt: number;
        },
        Name
      >;
      watchThread: FunctionReference<
        "query",
        "internal",
        { id: string; resourceId: string },
        {
          messageCount: number;
          thread: {
            createdAt: number;
            id: string;
            metadata?: Record<string, any>;
            resourceId: string;
            title?: string;
            updatedAt: number;
          };
        } | null,
        Name
      >;
      watchThreadsByResource: FunctionReference<
        "query",
        "internal",
        { limit?: number; resourceId: string },
        Array<{
          createdAt: number;
          id: string;
          metadata?: Record<string, any>;
          resourceId: string;
          title?: string;
          updatedAt: number;
        }>,
        Name
      >;
    };
    traces: {
      createSpans: FunctionReference<
        "mutation",
        "internal",
        {
          resourceId?: string;
          spans: Array<{
            attributes?: string;
            endedAt?: number;
            entityId?: string;
            entityType?: string;
            error?: string;
            input?: string;
            metadata?: string;
            name: string;
            output?: string;
            parentSpanId?: string;
            spanId: string;
            spanType: string;
            startedAt: number;
            traceId: string;
          }>;
        },
        { created: number },
        Name
      >;
      deleteTraces: FunctionReference<
        "mutation",
        "internal",
        { resourceId?: string; traceIds: Array<string> },
        null,
        Name
      >;
      getTrace: FunctionReference<
        "query",
        "internal",
        { limit?: number; resourceId?: string; traceId: string },
        {
          spans: Array<{
            attributes?: string;
            createdAt: number;
            endedAt?: number;
            entityId?: string;
            entityType?: string;
            error?: string;
            input?: string;
            metadata?: string;
            name: string;
            output?: string;
            parentSpanId?: string;
            resourceId?: string;
            spanId: string;
            spanType: string;
            startedAt: number;
            status: "running" | "success" | "error";
            traceId: string;
            updatedAt: number;
          }>;
          traceId: string;
          truncated: boolean;
        } | null,
        Name
      >;
      listTraces: FunctionReference<
        "query",
        "internal",
        {
          entityId?: string;
          entityType?: string;
          fromDate?: number;
          name?: string;
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId?: string;
          status?: "running" | "success" | "error";
          toDate?: number;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            attributes?: string;
            createdAt: number;
            endedAt?: number;
            entityId?: string;
            entityType?: string;
            error?: string;
            input?: string;
            metadata?: string;
            name: string;
            output?: string;
            parentSpanId?: string;
            resourceId?: string;
            spanId: string;
            spanType: string;
            startedAt: number;
            status: "running" | "success" | "error";
            traceId: string;
            updatedAt: number;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      updateSpans: FunctionReference<
        "mutation",
        "internal",
        {
          resourceId?: string;
          updates: Array<{
            attributes?: string;
            endedAt?: number;
            error?: string;
            input?: string;
            metadata?: string;
            name?: string;
            output?: string;
            spanId: string;
            traceId: string;
          }>;
        },
        { updated: number },
        Name
      >;
    };
    vectors: {
      createIndex: FunctionReference<
        "mutation",
        "internal",
        {
          dimension: number;
          filterableKeys?: Array<string>;
          metric?: "cosine";
          name: string;
          textKey?: string;
        },
        {
          created: boolean;
          index: {
            count: number;
            createdAt: number;
            dimension: number;
            filterableKeys: Array<string>;
            metric: "cosine";
            name: string;
            textKey?: string;
            updatedAt: number;
          };
        },
        Name
      >;
      deleteIndex: FunctionReference<
        "mutation",
        "internal",
        { indexName: string },
        null,
        Name
      >;
      deleteVectors: FunctionReference<
        "mutation",
        "internal",
        { filter?: string; ids?: Array<string>; indexName: string },
        { continuing: boolean; deleted: number },
        Name
      >;
      describeIndex: FunctionReference<
        "query",
        "internal",
        { indexName: string },
        {
          count: number;
          createdAt: number;
          dimension: number;
          filterableKeys: Array<string>;
          metric: "cosine";
          name: string;
          textKey?: string;
          updatedAt: number;
        },
        Name
      >;
      getVectors: FunctionReference<
        "query",
        "internal",
        { ids: Array<string>; includeVector?: boolean; indexName: string },
        Array<{
          id: string;
          metadata: Record<string, any>;
          vector?: Array<number>;
        }>,
        Name
      >;
      listIndexes: FunctionReference<
        "query",
        "internal",
        {
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            count: number;
            createdAt: number;
            dimension: number;
            filterableKeys: Array<string>;
            metric: "cosine";
            name: string;
            textKey?: string;
            updatedAt: number;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      query: FunctionReference<
        "action",
        "internal",
        {
          filter?: string;
          filterMode?: "auto" | "native";
          includeVector?: boolean;
          indexName: string;
          keywordQuery?: string;
          keywordWeight?: number;
          minScore?: number;
          queryVector: Array<number> | ArrayBuffer;
          rrfK?: number;
          topK: number;
        },
        {
          candidates: number;
          keywordCandidates?: number;
          mayBeIncomplete: boolean;
          postFiltered: boolean;
          results: Array<{
            id: string;
            keywordRank?: number;
            metadata: Record<string, any>;
            score: number;
            vector?: Array<number>;
            vectorRank?: number;
            vectorScore?: number;
          }>;
        },
        Name
      >;
      truncateIndex: FunctionReference<
        "mutation",
        "internal",
        { indexName: string },
        null,
        Name
      >;
      updateVector: FunctionReference<
        "mutation",
        "internal",
        {
          id: string;
          indexName: string;
          metadata?: Record<string, any>;
          vector?: Array<number> | ArrayBuffer;
        },
        null,
        Name
      >;
      upsert: FunctionReference<
        "mutation",
        "internal",
        {
          indexName: string;
          vectors: Array<{
            id?: string;
            metadata?: Record<string, any>;
            vector: Array<number> | ArrayBuffer;
          }>;
        },
        { ids: Array<string> },
        Name
      >;
    };
    workflows: {
      countWorkflowRuns: FunctionReference<
        "query",
        "internal",
        { resourceId?: string; status?: string; workflowName?: string },
        number,
        Name
      >;
      deleteWorkflowRunById: FunctionReference<
        "mutation",
        "internal",
        { resourceId?: string; runId: string; workflowName?: string },
        null,
        Name
      >;
      getWorkflowRunById: FunctionReference<
        "query",
        "internal",
        { resourceId?: string; runId: string; workflowName?: string },
        {
          createdAt: number;
          resourceId?: string;
          runId: string;
          snapshot: string;
          snapshotBytes: number;
          status: string;
          updatedAt: number;
          workflowName: string;
        } | null,
        Name
      >;
      listWorkflowRuns: FunctionReference<
        "query",
        "internal",
        {
          fromDate?: number;
          paginationOpts: {
            cursor: string | null;
            endCursor?: string | null;
            id?: number;
            maximumBytesRead?: number;
            maximumRowsRead?: number;
            numItems: number;
          };
          resourceId?: string;
          status?: string;
          toDate?: number;
          workflowName?: string;
        },
        {
          continueCursor: string;
          isDone: boolean;
          page: Array<{
            createdAt: number;
            resourceId?: string;
            runId: string;
            snapshotBytes: number;
            status: string;
            updatedAt: number;
            workflowName: string;
          }>;
          pageStatus?: "SplitRecommended" | "SplitRequired" | null;
          splitCursor?: string | null;
        },
        Name
      >;
      loadWorkflowSnapshot: FunctionReference<
        "query",
        "internal",
        { resourceId?: string; runId: string; workflowName: string },
        string | null,
        Name
      >;
      persistWorkflowSnapshot: FunctionReference<
        "mutation",
        "internal",
        {
          createdAt?: number;
          resourceId?: string;
          runId: string;
          snapshot: string;
          workflowName: string;
        },
        {
          createdAt: number;
          resourceId?: string;
          runId: string;
          snapshotBytes: number;
          status: string;
          updatedAt: number;
          workflowName: string;
        },
        Name
      >;
      updateWorkflowResults: FunctionReference<
        "mutation",
        "internal",
        {
          requestContext?: string;
          resourceId?: string;
          result: string;
          runId: string;
          stepId: string;
          workflowName: string;
        },
        string,
        Name
      >;
      updateWorkflowState: FunctionReference<
        "mutation",
        "internal",
        {
          opts: string;
          resourceId?: string;
          runId: string;
          workflowName: string;
        },
        string | null,
        Name
      >;
      watchWorkflowRun: FunctionReference<
        "query",
        "internal",
        { resourceId?: string; runId: string; workflowName?: string },
        {
          createdAt: number;
          resourceId?: string;
          runId: string;
          snapshot: string;
          snapshotBytes: number;
          status: string;
          updatedAt: number;
          workflowName: string;
        } | null,
        Name
      >;
      watchWorkflowRuns: FunctionReference<
        "query",
        "internal",
        {
          limit?: number;
          resourceId?: string;
          status?: string;
          workflowName?: string;
        },
        Array<{
          createdAt: number;
          resourceId?: string;
          runId: string;
          snapshotBytes: number;
          status: string;
          updatedAt: number;
          workflowName: string;
        }>,
        Name
      >;
    };
  };
