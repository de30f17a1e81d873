// Two fixes to what the SDK client makes of an upstream's messages, applied as they arrive:
// - It runs notification handlers a microtask late but settles responses at once, so a call's
//   last progress, arriving in the same chunk as its response, would find its handler gone.
//   Each response waits one microtask, keeping wire order.
// - It ignores notifications/cancelled for request id 0 (a falsy check), the id of every SDK
//   server's first request to its client; cancellations are handed to `onCancelled` as well.
import type { Transport, RequestId } from '@modelcontextprotocol/server';

export function tapTransport(transport: Transport, onCancelled: (requestId: RequestId, reason?: string) => void): void {
  const deliver = transport.onmessage;
  if (!deliver) return;
  transport.onmessage = (message, extra) => {
    if ('id' in message && ('result' in message || 'error' in message)) {
      queueMicrotask(() => deliver(message, extra));
      return;
    }
    if ('method' in message && message.method === 'notifications/cancelled' && !('id' in message)) {
      const params = message.params as { requestId?: RequestId; reason?: string } | undefined;
      if (params?.requestId !== undefined) onCancelled(params.requestId, params.reason);
    }
    deliver(message, extra);
  };
}
