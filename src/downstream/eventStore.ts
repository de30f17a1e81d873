// Stream events kept so that a client whose SSE stream dropped can resume it with
// Last-Event-ID and miss nothing, a call's final result included. Bounded twice: each session
// keeps at most `maxEventsPerSession` (its oldest dropped first), and all sessions together at
// most `maxEvents` (the oldest anywhere dropped first). Resuming after a dropped event gets
// 400 from the SDK transport ("Invalid event ID"), so the client starts over.
import type { EventId, EventStore, StreamId, JSONRPCMessage } from '@modelcontextprotocol/server';

interface StoredEvent {
  streamId: StreamId;
  message: JSONRPCMessage;
}

/** Every session's events in the order they were stored, for the bound over all sessions. */
export class EventBudget {
  private readonly order = new Map<string, { store: SessionEventStore; id: EventId }>();
  private nextStore = 0;

  constructor(readonly maxEvents: number) {}

  get size(): number {
    return this.order.size;
  }

  /** A new session's store. */
  store(maxEventsPerSession: number): SessionEventStore {
    return new SessionEventStore(this, `${++this.nextStore}`, maxEventsPerSession);
  }

  /** @internal */
  added(store: SessionEventStore, id: EventId): void {
    this.order.set(`${store.key}/${id}`, { store, id });
    while (this.order.size > this.maxEvents) {
      const [oldestKey, oldest] = this.order.entries().next().value!;
      this.order.delete(oldestKey);
      oldest.store.drop(oldest.id);
    }
  }

  /** @internal */
  removed(store: SessionEventStore, id: EventId): void {
    this.order.delete(`${store.key}/${id}`);
  }
}

export class SessionEventStore implements EventStore {
  private readonly events = new Map<EventId, StoredEvent>();
  private sequence = 0;

  constructor(
    private readonly budget: EventBudget,
    readonly key: string,
    private readonly maxEvents: number,
  ) {}

  get size(): number {
    return this.events.size;
  }

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = String(++this.sequence);
    this.events.set(id, { streamId, message });
    if (this.events.size > this.maxEvents) {
      const oldest = this.events.keys().next().value!;
      this.events.delete(oldest);
      this.budget.removed(this, oldest);
    }
    this.budget.added(this, id);
    return id;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.events.get(eventId)?.streamId;
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const last = this.events.get(lastEventId);
    if (!last) throw new Error(`event ${lastEventId} is not (or no longer) kept`);
    const after = Number(lastEventId);
    for (const [id, event] of [...this.events]) {
      // Priming events are stored as {}: they mark a place, they are not messages.
      if (Number(id) > after && event.streamId === last.streamId && Object.keys(event.message).length > 0) await send(id, event.message);
    }
    return last.streamId;
  }

  /** @internal The budget over all sessions dropped this event. */
  drop(id: EventId): void {
    this.events.delete(id);
  }

  /** The session ended: its events go. */
  dispose(): void {
    for (const id of this.events.keys()) this.budget.removed(this, id);
    this.events.clear();
  }
}
