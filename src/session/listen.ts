// `subscriptions/listen` for 2026-07-28 clients: the stream through which they hear list
// changes and resource updates (2025-11-25 clients hear them on their GET stream or stdio, after
// resources/subscribe). The SDK's serving entries speak the listen wire (the acknowledged
// filter, the subscriptionId on every message, the graceful `complete`, the per-stream
// filtering); mcproxy sees each listen as it arrives, holds an upstream subscription for each
// resource URI it names while it is open (resources/subscribe on a 2025-11-25 upstream, the
// connection's own listen stream on a 2026-07-28 one), and lets the filter be acknowledged only
// once those hold, so an update that follows the acknowledgement is not lost.
import { SubscriptionFilterSchema } from '@modelcontextprotocol/core';
import { PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/server';
import type { JSONRPCMessage, Notification, RequestId, ServerEventBus, Transport } from '@modelcontextprotocol/server';
import { routeResource, type Route } from '../catalog/catalog.js';
import { log } from '../log.js';
import type { ClientSession } from './session.js';

/** The change notifications a listen filter selects, and the SDK bus event for each. */
const CHANGE_EVENTS = {
  'notifications/tools/list_changed': 'tools_list_changed',
  'notifications/prompts/list_changed': 'prompts_list_changed',
  'notifications/resources/list_changed': 'resources_list_changed',
} as const;

/** A `subscriptions/listen` request of the 2026-07-28 era: its id and the resource URIs it asks for. */
function listenRequest(message: unknown): { id: RequestId; uris: string[]; envelope: Record<string, unknown> } | undefined {
  const m = message as { id?: RequestId; method?: string; params?: { _meta?: Record<string, unknown>; notifications?: unknown } } | undefined;
  if (m?.method !== 'subscriptions/listen' || m.id === undefined || typeof m.params?._meta?.[PROTOCOL_VERSION_META_KEY] !== 'string') return undefined;
  // A filter that does not parse is refused by the SDK (-32602); nothing to hold for it.
  const filter = SubscriptionFilterSchema.safeParse(m.params.notifications);
  return filter.success ? { id: m.id, uris: [...new Set(filter.data.resourceSubscriptions ?? [])], envelope: m.params._meta } : undefined;
}

export class ClientListens {
  /** For a 2026-07-28 HTTP client: its handler's bus, which feeds each open listen stream. */
  bus?: ServerEventBus;
  /** Resource URIs (as the client knows them) that open listens hold, with their route and how many listens hold each. */
  private readonly held = new Map<string, { route: Route; holders: number }>();
  /** Listens open, by request id on stdio (where their cancellation names it), so they let go of what they held. */
  private readonly open = new Map<unknown, () => Promise<void>>();

  constructor(private readonly session: ClientSession) {}

  /** Whether an open listen asked for updates of `uri`. */
  holds(uri: string): boolean {
    return this.held.has(uri);
  }

  /** Whether any listen is open: list changes are news to its client even before a first list. */
  get listening(): boolean {
    return this.open.size > 0;
  }

  /**
   * If `message` is a listen: holds the upstream subscriptions it asks for, and returns how to
   * let go of them (when its stream ends). Undefined for anything else. `key` names the listen
   * (over HTTP, clients that share a session may reuse a request id).
   */
  async hold(message: unknown, key: unknown = {}): Promise<(() => Promise<void>) | undefined> {
    const listen = listenRequest(message);
    if (!listen) return undefined;
    this.session.used = true;
    // The listen may be the client's first request: its capabilities are what upstreams open with.
    this.session.takeEnvelope(listen.envelope);
    const catalog = await this.session.catalog();
    const taken: string[] = [];
    for (const uri of listen.uris) {
      const route = routeResource(catalog, uri);
      // A URI no upstream serves is acknowledged (the SDK echoes the filter) but never fires.
      if (!route) continue;
      const entry = this.held.get(uri);
      if (entry) {
        entry.holders++;
      } else {
        this.held.set(uri, { route, holders: 1 });
        const subscribed = this.session.connection(route.upstream).then((connection) => connection.subscribe(route.original, { uri: route.original }));
        await subscribed.catch((error: Error) => log.warn(`listen: could not subscribe to ${uri}: ${error.message}`, { session: this.session.label }));
      }
      taken.push(uri);
    }
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      this.open.delete(key);
      await Promise.all(taken.map((uri) => this.letGo(uri)));
    };
    this.open.set(key, release);
    return release;
  }

  private async letGo(uri: string): Promise<void> {
    const entry = this.held.get(uri);
    if (!entry || --entry.holders > 0) return;
    this.held.delete(uri);
    const connection = await this.session.connection(entry.route.upstream).catch(() => undefined);
    await connection?.unsubscribe(entry.route.original, { uri: entry.route.original }).catch(() => {});
  }

  /** The session ends: every listen lets go of what it held upstream. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((release) => release()));
  }

  /**
   * Hands a change notification to the HTTP client's listen streams (the SDK filters and stamps
   * them); false where there is no bus (2025-11-25 clients, stdio: the session sends it itself).
   */
  publish(notification: Notification): boolean {
    if (!this.bus) return false;
    const uri = (notification.params as { uri?: unknown } | undefined)?.uri;
    if (notification.method === 'notifications/resources/updated' && typeof uri === 'string') {
      this.bus.publish({ kind: 'resource_updated', uri });
      return true;
    }
    const kind = CHANGE_EVENTS[notification.method as keyof typeof CHANGE_EVENTS];
    if (kind) this.bus.publish({ kind });
    return kind !== undefined;
  }

  /**
   * The stdio client's transport, watched for listens (the SDK's stdio entry answers them
   * itself): a listen reaches the entry once its subscriptions hold, and its cancellation
   * lets go of them. Messages behind a listen wait for it, so none overtakes another.
   */
  watch(transport: Transport): Transport {
    let queue: Promise<void> | undefined;
    const letGoIfCancelled = (message: JSONRPCMessage) => {
      const m = message as { method?: string; params?: { requestId?: RequestId } };
      if (m.method === 'notifications/cancelled' && m.params?.requestId !== undefined) void this.open.get(m.params.requestId)?.();
    };
    const arrive = (message: JSONRPCMessage, deliver: () => void) => {
      const listen = listenRequest(message);
      if (!queue && !listen) {
        letGoIfCancelled(message);
        return deliver();
      }
      const turn = (queue ?? Promise.resolve()).then(async () => {
        letGoIfCancelled(message);
        if (listen) await this.hold(message, listen.id).catch((error: Error) => log.warn(`listen: ${error.message}`, { session: this.session.label }));
        deliver();
      });
      queue = turn;
      void turn.finally(() => {
        if (queue === turn) queue = undefined;
      });
    };
    return new Proxy(transport, {
      set(target, property, value) {
        if (property !== 'onmessage' || typeof value !== 'function') return Reflect.set(target, property, value);
        const handler = value as NonNullable<Transport['onmessage']>;
        target.onmessage = (message, extra) => arrive(message, () => handler(message, extra));
        return true;
      },
    });
  }
}
