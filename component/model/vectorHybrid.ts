/**
 * Hybrid search of the vector store: a keyword search over each index's
 * `textKey` text (a Convex search index, run in a query) fused with the vector
 * ranking by reciprocal rank fusion (RRF):
 *
 *   score(d) = 1 / (k + vectorRank(d)) + keywordWeight / (k + keywordRank(d))
 *
 * where a missing rank contributes 0. Ties go to the higher cosine similarity,
 * then to the smaller id. The keyword side reads entries only; the cosine of a
 * keyword-only match comes from a vector search confined to it (scoreByKeys), so
 * no embedding is read either way.
 */
import type { GenericDatabaseReader } from "convex/server";
import type { Value } from "convex/values";
import type { DataModel } from "../_generated/dataModel.js";
import { invalidArgument as refuse } from "./errors.js";
import { matchesFilter, parseFilter, type Json } from "./vectorFilter.js";
import { FILTER_SLOTS, type EmbeddingId } from "./vectorStorage.js";
import { currentIndex, DEFAULT_RRF_K, MAX_KEYWORD_QUERY_LENGTH, MAX_KEYWORD_TERMS, metadataOf, type IndexConfig } from "./vectors.js";

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

export interface KeywordMatch {
  id: string;
  metadata: Record<string, Json>;
  embeddingId: EmbeddingId;
}

export interface KeywordSearchArgs {
  index: IndexConfig;
  keywordQuery: string;
  /** One native equality `f<slot> = value` run inside the search; absent = the whole index. */
  nativeTerm?: { slot: number; value: Value };
  /** The query's whole filter (JSON string), checked on every entry read when `postFilter`. */
  filter?: string;
  postFilter: boolean;
  /** Entries to read at most: topK, or MAX_TOP_K when the caller checks more after (minScore). */
  scanLimit: number;
  topK: number;
}

/**
 * The best keyword matches of one index, in the search index's relevance order:
 * at most `topK` that pass the post-filter, reading at most `scanLimit` entries
 * (never an embedding), plus the registry row. `stale` when the index is not the
 * configuration the caller planned with.
 */
export async function keywordSearch(
  db: GenericDatabaseReader<DataModel>,
  args: KeywordSearchArgs,
): Promise<{ stale: boolean; matches: KeywordMatch[]; scanned: number; saturated: boolean }> {
  if ((await currentIndex(db, args.index)) === null) return { stale: true, matches: [], scanned: 0, saturated: false };
  const filter = args.postFilter ? parseFilter(args.filter) : null;
  const ns = args.index.ns;
  const search = db.query("vectorEntries").withSearchIndex("by_text", (q) => {
    const base = q.search("text", args.keywordQuery).eq("ns", ns);
    const term = args.nativeTerm;
    return term === undefined ? base : base.eq(FILTER_SLOTS[term.slot], term.value);
  });
  const matches: KeywordMatch[] = [];
  let scanned = 0;
  if (args.scanLimit > 0) {
    for await (const entry of search) {
      scanned++;
      const metadata = metadataOf(entry, args.index.textKey);
      if (matchesFilter(filter, metadata)) matches.push({ id: entry.id, metadata, embeddingId: entry.embeddingId });
      // Stop before pulling another document: every pull is a read.
      if (matches.length >= args.topK || scanned >= args.scanLimit) break;
    }
  }
  return { stale: false, matches, scanned, saturated: scanned >= args.scanLimit };
}

/** A vector candidate, hydrated: `score` is its cosine similarity. */
export interface RankedVector {
  id: string;
  score: number;
  metadata: Record<string, Json>;
  embeddingId: EmbeddingId;
}

/** A keyword match with the cosine similarity of its vector to the query. */
export interface ScoredKeywordMatch extends KeywordMatch {
  vectorScore: number;
}

export interface FusedMatch {
  id: string;
  score: number;
  metadata: Record<string, Json>;
  embeddingId: EmbeddingId;
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
  keywordRanking: ScoredKeywordMatch[],
  options: { k: number; keywordWeight: number; topK: number },
): FusedMatch[] {
  const byId = new Map<string, FusedMatch>();
  vectorRanking.forEach((match, i) => {
    byId.set(match.id, {
      id: match.id,
      score: 1 / (options.k + i + 1),
      metadata: match.metadata,
      embeddingId: match.embeddingId,
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
        embeddingId: match.embeddingId,
        vectorScore: match.vectorScore,
        keywordRank: i + 1,
      });
    }
  });
  return [...byId.values()]
    .sort((a, b) => b.score - a.score || b.vectorScore - a.vectorScore || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, options.topK);
}
