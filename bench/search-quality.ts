// Retrieval quality and speed of tool search, variant by variant, in one run: plain BM25
// (exact words) as the baseline, then stemming, WordNet synonyms, the software vocabulary,
// and all together (what the proxy uses). Over bench/search/tools.json (real npm servers'
// tools) and the labelled queries in bench/search/queries.json.
//
//   npm run bench:search
import { performance } from 'node:perf_hooks';
import { buildIndex, search, type RankingOptions } from '../src/toolSearch/ranking.js';
import { SOFTWARE_VOCABULARY } from '../src/toolSearch/vocabulary.js';
import { vocabularyOf, wordnet } from '../src/toolSearch/thesaurus.js';
import { exposedTools, labelledQueries } from './search/corpus.js';

const VARIANTS: Record<string, RankingOptions> = {
  'BM25, exact words (baseline)': { stemming: false },
  'BM25 + stemming': { stemming: true },
  '+ WordNet synonyms': { stemming: true, thesaurus: { wordnet: wordnet() } },
  '+ software vocabulary': { stemming: true, thesaurus: { vocabulary: vocabularyOf(SOFTWARE_VOCABULARY) } },
  '+ both (mcproxy)': { stemming: true, thesaurus: { wordnet: wordnet(), vocabulary: vocabularyOf(SOFTWARE_VOCABULARY) } },
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
  for (const { query, relevant } of queries) {
    const ranked = search(index, query, 50).map((hit) => hit.document.name);
    const rank = ranked.findIndex((tool) => relevant.includes(tool));
    if (rank === 0) top1++;
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
  rows.push([name, (top1 / n).toFixed(3), (top5 / n).toFixed(3), (reciprocal / n).toFixed(3), `${buildMs.toFixed(1)} ms`, `${(perQuery * 1000).toFixed(0)} µs`]);
}

const header = ['variant', 'recall@1', 'recall@5', 'MRR', 'index 1,000 tools', 'per query (1,000 tools)'];
console.log(`| ${header.join(' | ')} |\n| ${header.map(() => '---').join(' | ')} |`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\nmcproxy's ranking, queries whose first result is not a labelled answer (${misses.length}):\n${misses.join('\n')}`);
