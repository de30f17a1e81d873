// Other words for a query word, each with how much it counts: WordNet synonyms (same sense)
// and related words (one step more general or more specific), and the software vocabulary.
// The WordNet table is data generated at build time (scripts/generate-synonyms.ts); nothing
// is fetched or downloaded at run time.
import { readFileSync } from 'node:fs';
import { SOFTWARE_VOCABULARY } from './vocabulary.js';

export const SYNONYM_WEIGHT = 0.5;
export const RELATED_WEIGHT = 0.25;
export const VOCABULARY_WEIGHT = 0.7;

export interface Thesaurus {
  /** WordNet: word → "synonym synonym|related related". */
  wordnet?: Readonly<Record<string, string>>;
  /** Software vocabulary: word → the other words of its groups. */
  vocabulary?: ReadonlyMap<string, readonly string[]>;
}

const WORDNET_FILE = new URL('../../../data/wordnet-synonyms.json', import.meta.url);
let wordnetTable: Record<string, string> | undefined;

/** The WordNet table shipped in data/, read once. */
export function wordnet(): Readonly<Record<string, string>> {
  wordnetTable ??= (JSON.parse(readFileSync(WORDNET_FILE, 'utf8')) as { words: Record<string, string> }).words;
  return wordnetTable;
}

/** Groups of interchangeable words as a lookup from each word to the others. */
export function vocabularyOf(groups: readonly string[]): Map<string, string[]> {
  const lookup = new Map<string, string[]>();
  for (const group of groups) {
    const members = group.split(' ');
    for (const word of members) lookup.set(word, [...(lookup.get(word) ?? []), ...members.filter((other) => other !== word)]);
  }
  return lookup;
}

/** WordNet and the software vocabulary: what the search uses. */
export function defaultThesaurus(): Thesaurus {
  return { wordnet: wordnet(), vocabulary: vocabularyOf(SOFTWARE_VOCABULARY) };
}

/** The dictionary forms a word may come from: "folders" → folder, "deleting" → delete, delet. */
export function baseForms(word: string): string[] {
  const forms = [word];
  const strip = (suffix: string, ...endings: string[]) => {
    if (word.length > suffix.length + 2 && word.endsWith(suffix)) for (const ending of endings) forms.push(word.slice(0, -suffix.length) + ending);
  };
  strip('ies', 'y');
  strip('es', '');
  strip('s', '');
  strip('ing', 'e', '');
  strip('ed', 'e', '');
  if (/(.)\1(ing|ed)$/.test(word)) forms.push(word.replace(/(.)\1(ing|ed)$/, '$1'));
  return forms;
}

/** The words that stand in for `word`, with their weights (highest first, no duplicates). */
export function relatedWords(thesaurus: Thesaurus, word: string): { word: string; weight: number }[] {
  const weights = new Map<string, number>();
  const offer = (other: string, weight: number) => {
    if (other !== word && (weights.get(other) ?? 0) < weight) weights.set(other, weight);
  };
  const forms = baseForms(word);
  const vocabularyForm = forms.find((form) => thesaurus.vocabulary?.has(form));
  if (vocabularyForm) for (const other of thesaurus.vocabulary!.get(vocabularyForm)!) offer(other, VOCABULARY_WEIGHT);
  const wordnetForm = forms.find((form) => thesaurus.wordnet && Object.hasOwn(thesaurus.wordnet, form));
  if (wordnetForm) {
    const [synonyms, related] = thesaurus.wordnet![wordnetForm].split('|');
    for (const other of synonyms.split(' ').filter(Boolean)) offer(other, SYNONYM_WEIGHT);
    for (const other of related.split(' ').filter(Boolean)) offer(other, RELATED_WEIGHT);
  }
  if (vocabularyForm === undefined && wordnetForm !== undefined && wordnetForm !== word) offer(wordnetForm, 1);
  return [...weights].map(([other, weight]) => ({ word: other, weight })).sort((a, b) => b.weight - a.weight);
}
