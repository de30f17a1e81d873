// The search index and its ranking: BM25 over weighted fields (BM25F-style), with the query's
// words widened to their stems, to WordNet synonyms and to the software vocabulary, each kind
// weighed below the word itself. Two factors on top: a tool whose name does the action the
// query asks for (actions.ts) gains a little, and a tool that matches only some of the query's
// words loses a little (coordination). Plain data and pure functions: built once per catalog, queried
// in well under a millisecond for a thousand tools (bench/search-quality.ts measures both).
import { nameAction, queryAction, type Action } from './actions.js';
import type { SearchDocument } from './documents.js';
import { isStopWord, stem, terms, words } from './text.js';
import { relatedWords, type Thesaurus } from './thesaurus.js';

/** How much a word counts in each field, against once in the description. */
export const FIELD_WEIGHTS = {
  name: 3,
  title: 2,
  description: 1,
  parameterName: 0.6,
  parameterDescription: 0.3,
  upstream: 1,
  instructions: 0.2,
} as const;

/** Instructions and parameter descriptions can be pages long: their first words say what they are about. */
const INSTRUCTION_TERMS = 60;
const PARAMETER_TERMS = 40;
const K1 = 1.2;
const B = 0.75;

export interface RankingOptions {
  /** Reduce words to stems (false: exact words only). */
  stemming: boolean;
  /** Where query words find other words that mean the same; none: the query's own words only. */
  thesaurus?: Thesaurus;
  /** Score factor for a tool whose name's action is the one the query asks for (1 or none: off). */
  actionBoost?: number;
  /** Exponent on the share of query words a tool matches (0 or none: off). */
  coordination?: number;
}

export interface SearchIndex {
  documents: readonly SearchDocument[];
  /** Term → [document index, weighted term frequency] pairs. */
  postings: Map<string, { doc: number; tf: number }[]>;
  /** Each document's weighted length, over the average. */
  relativeLength: Float64Array;
  /** Each document's action by its name, if any. */
  actions: (Action | undefined)[];
  options: RankingOptions;
}

export interface Hit {
  document: SearchDocument;
  score: number;
}

/** What the proxy uses: the two factors chosen on the even half of bench/search/queries.json, checked on the odd half. */
export const DEFAULT_RANKING: Omit<RankingOptions, 'thesaurus'> = { stemming: true, actionBoost: 1.2, coordination: 0.25 };

/** Indexes the documents (order matters: it breaks ties). */
export function buildIndex(documents: readonly SearchDocument[], options: RankingOptions): SearchIndex {
  const postings = new Map<string, { doc: number; tf: number }[]>();
  const lengths = new Float64Array(documents.length);
  const actions: (Action | undefined)[] = new Array(documents.length);
  documents.forEach((document, doc) => {
    const frequencies = new Map<string, number>();
    const add = (text: string | undefined, weight: number, limit = Infinity) => {
      if (!text) return;
      // About 12 characters a word: no need to split more of a long text than the limit keeps.
      for (const term of terms(limit === Infinity ? text : text.slice(0, limit * 12), options.stemming).slice(0, limit)) {
        frequencies.set(term, (frequencies.get(term) ?? 0) + weight);
        lengths[doc] += weight;
      }
    };
    add(document.name, FIELD_WEIGHTS.name);
    add(document.title, FIELD_WEIGHTS.title);
    add(document.description, FIELD_WEIGHTS.description);
    for (const parameter of document.parameters) {
      add(parameter.name, FIELD_WEIGHTS.parameterName);
      add(parameter.description, FIELD_WEIGHTS.parameterDescription, PARAMETER_TERMS);
    }
    // The namespace is usually part of the name already: the upstream's own words count once.
    const upstreamWords = new Set([...words(document.upstream.name), ...words(document.upstream.namespace ?? ''), ...words(document.upstream.title ?? '')]);
    actions[doc] = nameAction(document.name, upstreamWords);
    add([...upstreamWords].join(' '), FIELD_WEIGHTS.upstream);
    add(document.upstream.instructions, FIELD_WEIGHTS.instructions, INSTRUCTION_TERMS);
    for (const [term, tf] of frequencies) {
      const list = postings.get(term) ?? [];
      list.push({ doc, tf });
      postings.set(term, list);
    }
  });
  const average = lengths.reduce((sum, length) => sum + length, 0) / Math.max(1, documents.length) || 1;
  const relativeLength = lengths.map((length) => length / average);
  return { documents, postings, relativeLength, actions, options };
}

/** One word of the query and the terms that stand in for it, each with its weight. */
type QueryGroup = Map<string, number>;

/** The query as groups of weighted terms: a document scores a group's best term only, so many synonyms never outweigh one word. */
export function queryGroups(query: string, options: RankingOptions): QueryGroup[] {
  const groups: QueryGroup[] = [];
  const seen = new Set<string>();
  for (const word of words(query)) {
    if (isStopWord(word)) continue;
    const own = options.stemming ? stem(word) : word;
    if (seen.has(own)) continue;
    seen.add(own);
    const group: QueryGroup = new Map([[own, 1]]);
    for (const { word: other, weight } of options.thesaurus ? relatedWords(options.thesaurus, word) : []) {
      for (const term of terms(other, options.stemming)) if ((group.get(term) ?? 0) < weight) group.set(term, weight);
    }
    groups.push(group);
  }
  return groups;
}

/** The best `limit` documents for the query, best first; only documents that match at all. */
export function search(index: SearchIndex, query: string, limit: number): Hit[] {
  const count = index.documents.length;
  const scores = new Float64Array(count);
  const best = new Float64Array(count);
  const matched = new Uint16Array(count);
  const groups = queryGroups(query, index.options);
  for (const group of groups) {
    const touched: number[] = [];
    for (const [term, weight] of group) {
      const list = index.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (count - list.length + 0.5) / (list.length + 0.5));
      for (const { doc, tf } of list) {
        const score = weight * idf * ((tf * (K1 + 1)) / (tf + K1 * (1 - B + B * index.relativeLength[doc])));
        if (best[doc] === 0) touched.push(doc);
        if (score > best[doc]) best[doc] = score;
      }
    }
    for (const doc of touched) {
      scores[doc] += best[doc];
      matched[doc]++;
      best[doc] = 0;
    }
  }
  const action = (index.options.actionBoost ?? 1) !== 1 ? queryAction(query) : undefined;
  const hits: number[] = [];
  for (let doc = 0; doc < count; doc++) {
    if (scores[doc] <= 0) continue;
    if (index.options.coordination) scores[doc] *= (matched[doc] / groups.length) ** index.options.coordination;
    if (action !== undefined && index.actions[doc] === action) scores[doc] *= index.options.actionBoost!;
    hits.push(doc);
  }
  hits.sort((a, b) => scores[b] - scores[a] || a - b);
  return hits.slice(0, limit).map((doc) => ({ document: index.documents[doc], score: scores[doc] }));
}
