// Runs finalizeJournal in a worker thread, started on first use and stopped with the recording.
import { Worker } from 'node:worker_threads';
import type { FinalizedVcon } from './finalize.js';

type Reply = { id: number; result?: FinalizedVcon; error?: string };

export class Finalizer {
  private worker?: Worker;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve(value: FinalizedVcon | undefined): void; reject(error: Error): void }>();

  finalize(journalFile: string): Promise<FinalizedVcon | undefined> {
    const worker = this.start();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, journalFile });
    });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./finalizeWorker.js', import.meta.url));
    worker.on('message', ({ id, result, error }: Reply) => {
      const waiter = this.waiting.get(id);
      this.waiting.delete(id);
      if (error !== undefined) waiter?.reject(new Error(error));
      else waiter?.resolve(result);
      // An idle worker must not keep the process alive.
      if (this.waiting.size === 0) worker.unref();
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(new Error('the vCon worker stopped'));
    });
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}
