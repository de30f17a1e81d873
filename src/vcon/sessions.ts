// The recordings of the sessions alive right now, by session id.
import type { SessionRecorder } from './recorder.js';

export class SessionManager {
  private readonly recorders = new Map<string, SessionRecorder>();

  add(recorder: SessionRecorder): void {
    this.recorders.set(recorder.sessionId, recorder);
  }

  get(sessionId: string): SessionRecorder | undefined {
    return this.recorders.get(sessionId);
  }

  delete(sessionId: string): void {
    this.recorders.delete(sessionId);
  }

  ids(): string[] {
    return [...this.recorders.keys()];
  }

  get size(): number {
    return this.recorders.size;
  }

  /** Ends every session's recording; resolves when their vCons are delivered or kept for later. */
  async endAll(): Promise<void> {
    await Promise.all([...this.recorders.values()].map((recorder) => recorder.end()));
  }
}
