// The worker thread that builds and checks vCons (see finalize.ts); one per recording.
import { parentPort } from 'node:worker_threads';
import { finalizeJournal } from './finalize.js';

parentPort?.on('message', ({ id, journalFile }: { id: number; journalFile: string }) => {
  finalizeJournal(journalFile).then(
    (result) => parentPort!.postMessage({ id, result }),
    (error: Error) => parentPort!.postMessage({ id, error: error.message }),
  );
});
