// A 2026-07-28 upstream tells of changes only on a `subscriptions/listen` stream. Each
// connection to one keeps ONE such stream open: the list changes the upstream offers (mcproxy
// caches its lists and passes list_changed on) and the union of the resource URIs the
// sessions on the connection subscribed to. A new filter opens a new stream before the old
// one closes, so no change falls between them. What arrives goes through the client's
// notification handler like any 2025-11-25 notification, so it reaches sessions the same way.
import { SUBSCRIPTION_ID_META_KEY } from '@modelcontextprotocol/client';
import type { Client, McpSubscription, Notification, ServerCapabilities, SubscriptionFilter } from '@modelcontextprotocol/client';
import { log } from '../log.js';

/** A stream the upstream dropped is opened again after this long (while the connection lives). */
const RELISTEN_MS = 1_000;

function filterFor(capabilities: ServerCapabilities | undefined, uris: readonly string[]): SubscriptionFilter {
  const filter: SubscriptionFilter = {};
  if (capabilities?.tools?.listChanged) filter.toolsListChanged = true;
  if (capabilities?.prompts?.listChanged) filter.promptsListChanged = true;
  if (capabilities?.resources?.listChanged) filter.resourcesListChanged = true;
  if (capabilities?.resources?.subscribe && uris.length > 0) filter.resourceSubscriptions = [...uris].sort();
  return filter;
}

/** A notification as clients get it: the upstream's subscriptionId is mcproxy's business (a listen of a client gets its own). */
export function withoutSubscriptionId(notification: Notification): Notification {
  const meta = notification.params?._meta as Record<string, unknown> | undefined;
  if (!meta || !(SUBSCRIPTION_ID_META_KEY in meta)) return notification;
  const { [SUBSCRIPTION_ID_META_KEY]: _ours, ...rest } = meta;
  const params = { ...notification.params };
  if (Object.keys(rest).length > 0) params._meta = rest;
  else delete params._meta;
  return { ...notification, params };
}

export class UpstreamListen {
  private client?: Client;
  private subscription?: McpSubscription;
  private filterKey?: string;
  private turn: Promise<void> = Promise.resolve();
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly upstream: string,
    /** The URIs subscribed to now (the connection's own count of them). */
    private readonly uris: () => readonly string[],
    /** How long the upstream may take to acknowledge (its `timeoutMs`). */
    private readonly timeoutMs: () => number,
  ) {}

  /** Opens (or re-opens, with the current URIs) the stream on `client`, if it speaks 2026-07-28; one change at a time. */
  update(client: Client | undefined): Promise<void> {
    const next = this.turn.then(() => this.reopen(client));
    this.turn = next.catch(() => {});
    return next;
  }

  /** The connection is gone or going: the stream with it. */
  stop(): void {
    clearTimeout(this.retry);
    const subscription = this.subscription;
    this.client = undefined;
    this.subscription = undefined;
    this.filterKey = undefined;
    void subscription?.close().catch(() => {});
  }

  private async reopen(client: Client | undefined): Promise<void> {
    if (!client || client.getProtocolEra() !== 'modern') return;
    const filter = filterFor(client.getServerCapabilities(), this.uris());
    const key = JSON.stringify(filter);
    if (client === this.client && key === this.filterKey && this.subscription) return;
    const previous = this.subscription;
    this.client = client;
    this.filterKey = key;
    this.subscription = undefined;
    if (Object.keys(filter).length > 0) {
      const subscription = await client.listen(filter, { timeout: this.timeoutMs() });
      this.subscription = subscription;
      void subscription.closed.then((cause) => this.onClosed(subscription, cause));
      const missing = (filter.resourceSubscriptions ?? []).filter((uri) => !subscription.honoredFilter.resourceSubscriptions?.includes(uri));
      if (missing.length > 0) log.warn(`the upstream did not acknowledge updates for ${missing.join(', ')}`, { upstream: this.upstream });
    }
    await previous?.close().catch(() => {});
  }

  /** The upstream ended the stream while the connection lives: listen again (a graceful end is the server's own doing). */
  private onClosed(subscription: McpSubscription, cause: 'local' | 'graceful' | 'remote'): void {
    if (cause === 'local' || subscription !== this.subscription) return;
    log.debug(`the upstream ended its subscriptions/listen stream (${cause})`, { upstream: this.upstream });
    const client = this.client;
    this.subscription = undefined;
    if (cause !== 'remote') return;
    this.retry = setTimeout(() => void this.update(client).catch((error: Error) => log.warn(`could not listen again: ${error.message}`, { upstream: this.upstream })), RELISTEN_MS);
    this.retry.unref();
  }
}
