// A finished journal → the vCon's JSON text and what is wrong with it, if anything. Building and
// checking a long session's vCon takes a while (tens of ms per thousand messages), so the
// recording runs this in a worker thread (finalizeWorker.ts), away from the proxy's event loop.
import { VconBuilder } from './builder.js';
import { readJournal } from './journal.js';
import { vconProblems } from './validate.js';

export interface FinalizedVcon {
  uuid: string;
  json: string;
  problems: string[];
  messages: number;
}

const builder = new VconBuilder();

/** Undefined when the journal held nothing worth a vCon. */
export async function finalizeJournal(journalFile: string): Promise<FinalizedVcon | undefined> {
  const vcon = builder.build(await readJournal(journalFile));
  if (!vcon) return undefined;
  return { uuid: vcon.uuid, json: builder.toJson(vcon), problems: vconProblems(vcon), messages: vcon.dialog?.length ?? 0 };
}
