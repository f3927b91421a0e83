/**
 * Hybrid search of the vector store: a keyword search over each index's
 * `textKey` text (a Convex search index, run in a query) fused with the vector
 * ranking by reciprocal rank fusion (RRF):
 *
 *   score(d) = 1 / (k + vectorRank(d)) + keywordWeight / (k + keywordRank(d))
 *
 * where a missing rank contributes 0. Ties go to the higher cosine similarity,
 * then to the smaller id.
 */
import type { GenericDatabaseReader } from "convex/server";
import type { Value } from "convex/values";
import type { DataModel, Id } from "../_generated/dataModel.js";
import { invalidArgument as refuse } from "./errors.js";
import { matchesFilter, parseFilter, type Json } from "./vectorFilter.js";
import { DEFAULT_RRF_K, MAX_KEYWORD_QUERY_LENGTH, MAX_KEYWORD_TERMS, MAX_TOP_K, vectorTableName, type VectorDoc } from "./vectors.js";

function invalidArgument(message: string, details?: Record<string, Value>): never {
  return refuse(message, details);
}

/** Words as Convex's search tokenizer (Tantivy's SimpleTokenizer) splits them: runs of letters and digits. */
export function keywordTerms(text: string): string[] {
  return text.match(/[\p{Alphabetic}\p{N}]+/gu) ?? [];
}

/** Checks a keyword query (non-empty, at most 16 words, at most 1,024 characters). */
export function checkKeywordQuery(keywordQuery: string): void {
  if (keywordQuery.length > MAX_KEYWORD_QUERY_LENGTH) {
    invalidArgument(`keywordQuery is longer than ${MAX_KEYWORD_QUERY_LENGTH} characters`, { length: keywordQuery.length });
  }
  const terms = keywordTerms(keywordQuery);
  if (terms.length === 0) invalidArgument("keywordQuery has no words to search for");
  if (terms.length > MAX_KEYWORD_TERMS) {
    invalidArgument(`keywordQuery has ${terms.length} words; a search takes at most ${MAX_KEYWORD_TERMS}`, { terms: terms.length });
  }
}

/** The fusion parameters of a query, checked; null without a keyword query. */
export function fusionOptions(args: { keywordQuery?: string; keywordWeight?: number; rrfK?: number }) {
  if (args.keywordQuery === undefined) {
    if (args.keywordWeight !== undefined || args.rrfK !== undefined) {
      invalidArgument("keywordWeight and rrfK apply only with a keywordQuery");
    }
    return null;
  }
  checkKeywordQuery(args.keywordQuery);
  const keywordWeight = args.keywordWeight ?? 1;
  const k = args.rrfK ?? DEFAULT_RRF_K;
  if (!Number.isFinite(keywordWeight) || keywordWeight < 0 || keywordWeight > 1000) {
    invalidArgument("keywordWeight must be a number from 0 to 1000", { keywordWeight });
  }
  if (!Number.isFinite(k) || k < 0 || k > 100_000) invalidArgument("rrfK must be a number from 0 to 100000", { rrfK: k });
  return { keywordQuery: args.keywordQuery, keywordWeight, k };
}

export function cosineSimilarity(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface KeywordMatch {
  id: string;
  metadata: Record<string, Json>;
  vector?: number[];
  /** Cosine similarity of the stored vector to the query vector. */
  vectorScore: number;
}

export interface KeywordSearchArgs {
  indexId: Id<"vectorIndexes">;
  dimension: number;
  keywordQuery: string;
  /** One native equality `f<slot> = [indexId, value]` run inside the search; absent = the whole index. */
  nativeTerm?: { slot: number; value: Value };
  /** The query's whole filter (JSON string), checked on every document read when `postFilter`. */
  filter?: string;
  postFilter: boolean;
  queryVector: number[];
  minScore?: number;
  topK: number;
  includeVector: boolean;
}

/**
 * The best `topK` keyword matches of one index, in the search index's relevance
 * order. Without a post-condition (filter beyond the native term, minScore) it
 * reads exactly the matches it returns; with one, it reads at most MAX_TOP_K
 * candidates and says whether it stopped there (`saturated`).
 */
export async function keywordSearch(
  db: GenericDatabaseReader<DataModel>,
  args: KeywordSearchArgs,
): Promise<{ matches: KeywordMatch[]; scanned: number; saturated: boolean }> {
  const index = await db.get(args.indexId);
  if (index === null || index.status !== "active") return { matches: [], scanned: 0, saturated: false };
  const filter = args.postFilter ? parseFilter(args.filter) : null;
  const conditional = filter !== null || args.minScore !== undefined;
  const scanLimit = conditional ? MAX_TOP_K : args.topK;
  const search = db
    .query(vectorTableName(args.dimension) as "vectors_384")
    .withSearchIndex("by_text", (q) => {
      const base = q.search("text", args.keywordQuery).eq("indexId", args.indexId);
      const term = args.nativeTerm;
      return term === undefined ? base : base.eq(`f${term.slot}` as "f0", [args.indexId, term.value]);
    });
  const matches: KeywordMatch[] = [];
  let scanned = 0;
  if (scanLimit > 0) {
    for await (const raw of search) {
      const doc = raw as VectorDoc;
      scanned++;
      const vectorScore = cosineSimilarity(args.queryVector, doc.vector);
      if (matchesFilter(filter, doc.metadata) && (args.minScore === undefined || vectorScore >= args.minScore)) {
        matches.push({
          id: doc.id,
          metadata: doc.metadata as Record<string, Json>,
          ...(args.includeVector ? { vector: doc.vector } : {}),
          vectorScore,
        });
      }
      // Stop before pulling another document: every pull is a read.
      if (matches.length >= args.topK || scanned >= scanLimit) break;
    }
  }
  return { matches, scanned, saturated: conditional && scanned >= scanLimit };
}

export interface RankedVector {
  id: string;
  score: number;
  metadata: Record<string, Json>;
  vector?: number[];
}

export interface FusedMatch {
  id: string;
  score: number;
  metadata: Record<string, Json>;
  vector?: number[];
  vectorScore: number;
  vectorRank?: number;
  keywordRank?: number;
}

/**
 * Reciprocal rank fusion of the vector ranking (best first, `score` = cosine)
 * and the keyword ranking (relevance order): the `topK` best fused matches.
 */
export function fuseRankings(
  vectorRanking: RankedVector[],
  keywordRanking: KeywordMatch[],
  options: { k: number; keywordWeight: number; topK: number },
): FusedMatch[] {
  const byId = new Map<string, FusedMatch>();
  vectorRanking.forEach((match, i) => {
    byId.set(match.id, {
      id: match.id,
      score: 1 / (options.k + i + 1),
      metadata: match.metadata,
      ...(match.vector === undefined ? {} : { vector: match.vector }),
      vectorScore: match.score,
      vectorRank: i + 1,
    });
  });
  keywordRanking.forEach((match, i) => {
    const contribution = options.keywordWeight / (options.k + i + 1);
    const seen = byId.get(match.id);
    if (seen !== undefined) {
      seen.score += contribution;
      seen.keywordRank = i + 1;
    } else {
      byId.set(match.id, {
        id: match.id,
        score: contribution,
        metadata: match.metadata,
        ...(match.vector === undefined ? {} : { vector: match.vector }),
        vectorScore: match.vectorScore,
        keywordRank: i + 1,
      });
    }
  });
  return [...byId.values()]
    .sort((a, b) => b.score - a.score || b.vectorScore - a.vectorScore || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, options.topK);
}
