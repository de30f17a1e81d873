// Retrieval quality and speed of tool search, variant by variant, in one run: plain BM25
// (exact words) as the baseline, then stemming, WordNet synonyms, the software vocabulary,
// both, and on top the action-verb and coordination factors (all of it: what the proxy uses).
// recall@1 is also given for the even and odd queries apart: the factors were tuned on the even
// half, so the odd half shows what they do on queries they were not tuned on. Over
// bench/search/tools.json (real npm servers' tools) and the labelled queries in
// bench/search/queries.json.
//
//   npm run bench:search
import { performance } from 'node:perf_hooks';
import { buildIndex, DEFAULT_RANKING, search, type RankingOptions } from '../src/toolSearch/ranking.js';
import { SOFTWARE_VOCABULARY } from '../src/toolSearch/vocabulary.js';
import { vocabularyOf, wordnet } from '../src/toolSearch/thesaurus.js';
import { exposedTools, labelledQueries } from './search/corpus.js';

const both = { stemming: true, thesaurus: { wordnet: wordnet(), vocabulary: vocabularyOf(SOFTWARE_VOCABULARY) } };
const VARIANTS: Record<string, RankingOptions> = {
  'BM25, exact words (baseline)': { stemming: false },
  'BM25 + stemming': { stemming: true },
  '+ WordNet synonyms': { stemming: true, thesaurus: { wordnet: wordnet() } },
  '+ software vocabulary': { stemming: true, thesaurus: { vocabulary: vocabularyOf(SOFTWARE_VOCABULARY) } },
  '+ both': both,
  '+ both, action verb ×1.2': { ...both, actionBoost: DEFAULT_RANKING.actionBoost },
  '+ both, coordination ^0.25': { ...both, coordination: DEFAULT_RANKING.coordination },
  '+ both, action verb and coordination (mcproxy)': { ...DEFAULT_RANKING, thesaurus: both.thesaurus },
};

const corpus = exposedTools();
const queries = labelledQueries();
const documents = corpus.map((entry) => entry.document);
console.log(`Retrieval: ${queries.length} labelled queries over ${documents.length} tools of ${new Set(documents.map((d) => d.upstream.name)).size} real MCP servers\n`);

/** A catalog of at least `size` tools: the corpus repeated under new names (for speed only). */
function largeCatalog(size: number) {
  const copies = Math.ceil(size / documents.length);
  return Array.from({ length: copies }, (_, copy) => documents.map((d) => ({ ...d, name: `${d.name}_${copy}` }))).flat().slice(0, size);
}

const rows: string[][] = [];
const misses: string[] = [];
for (const [name, options] of Object.entries(VARIANTS)) {
  const index = buildIndex(documents, options);
  let top1 = 0;
  let top5 = 0;
  let reciprocal = 0;
  // Split by position (even / odd) so a rule tuned on one half can be checked on the other.
  const halfTop1 = [0, 0];
  for (const [position, { query, relevant }] of queries.entries()) {
    const ranked = search(index, query, 50).map((hit) => hit.document.name);
    const rank = ranked.findIndex((tool) => relevant.includes(tool));
    if (rank === 0) top1++;
    if (rank === 0) halfTop1[position % 2]++;
    if (rank >= 0 && rank < 5) top5++;
    if (rank >= 0) reciprocal += 1 / (rank + 1);
    if (name.includes('mcproxy') && rank !== 0) misses.push(`  "${query}": ${rank < 0 ? 'not found' : `rank ${rank + 1}`} (wanted ${relevant.join(' | ')}; first: ${ranked.slice(0, 2).join(', ')})`);
  }
  // Speed on a 1,000-tool catalog: index build once, then every query many times.
  const large = largeCatalog(1000);
  let started = performance.now();
  const largeIndex = buildIndex(large, options);
  const buildMs = performance.now() - started;
  const rounds = 20;
  started = performance.now();
  for (let round = 0; round < rounds; round++) for (const { query } of queries) search(largeIndex, query, 8);
  const perQuery = (performance.now() - started) / (rounds * queries.length);
  const n = queries.length;
  rows.push([name, (top1 / n).toFixed(3), (top5 / n).toFixed(3), (reciprocal / n).toFixed(3), `${(halfTop1[0] / Math.ceil(n / 2)).toFixed(3)} / ${(halfTop1[1] / Math.floor(n / 2)).toFixed(3)}`, `${buildMs.toFixed(1)} ms`, `${(perQuery * 1000).toFixed(0)} µs`]);
}

const header = ['variant', 'recall@1', 'recall@5', 'MRR', 'recall@1 even / odd queries', 'index 1,000 tools', 'per query (1,000 tools)'];
console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\nmcproxy's ranking, queries whose first result is not a labelled answer (${misses.length}):\n${misses.join('\n')}`);
