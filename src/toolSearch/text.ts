// Text → index terms: identifiers split into their words (snake_case, kebab-case, camelCase,
// dotted), lower-cased, stop words dropped, each word reduced to its Porter stem so that
// "listing", "lists" and "listed" meet "list".
import { stemmer } from 'stemmer';

/** Words too common in tool descriptions and questions to tell tools apart. */
const STOP_WORDS = new Set(
  (
    'a an and are as at be by can could do does for from get give has have how i in into is it its me my of on or ' +
    'please should so some that the their them then there these this those to us use used using want was we what ' +
    'when where which who will with would you your'
  ).split(' '),
);

/** The words of a text or identifier, lower-cased, in order ("getFileContents" → get, file, contents). */
export function words(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/** Stems already computed: tool texts and thesaurus entries repeat the same words. Bounded: queries come from clients. */
const stems = new Map<string, string>();
const MAX_CACHED_STEMS = 50_000;

/** The stem a word is indexed and searched under. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  let stemmed = stems.get(word);
  if (stemmed === undefined) {
    stemmed = stemmer(word);
    if (stems.size >= MAX_CACHED_STEMS) stems.clear();
    stems.set(word, stemmed);
  }
  return stemmed;
}

export function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word);
}

/** A text's index terms: its words less stop words, stemmed (or as they are, with `stemming: false`). */
export function terms(text: string, stemming = true): string[] {
  return words(text)
    .filter((word) => !STOP_WORDS.has(word))
    .map((word) => (stemming ? stem(word) : word));
}
