// Tasks (experimental, MCP 2025-11-25) through the proxy: server-everything's task tool
// `simulate-research-query` runs as a task; its id reaches the client prefixed with the
// upstream's key, and tasks/get, tasks/result, tasks/list and tasks/cancel find their way back.
import { z } from 'zod';
import type { Client } from '@modelcontextprotocol/client';
import assert from 'node:assert/strict';
import { alive, childrenOf, waitFor } from '../helpers/processes.js';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
import { everything, fixture } from '../helpers/upstreams.js';

/** A request as the wire has it: the v2 client has no task API (tasks left the SDK), so tests speak them raw. */
function raw(client: Client, method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
  return client.request({ method, params } as never, z.looseObject({}));
}

describe('tasks through the proxy', function () {
  let client: Client;
  let proxyPid: number;
  before(async () => {
    const file = writeConfig({ upstreams: { everything: { ...everything, namespace: 'ev' } } });
    const connected = await connectStdio(file);
    client = connected.client;
    proxyPid = connected.pid()!;
  });

  it('advertises tasks and passes each tool its execution.taskSupport', async () => {
    assert.ok(client.getServerCapabilities()?.tasks?.requests?.tools?.call);
    const { tools } = await client.listTools();
    const research = tools.find((t) => t.name === 'ev__simulate-research-query');
    assert.equal(research?.execution?.taskSupport, 'required');
  });

  it('runs a task-augmented call to completion under a prefixed task id', async () => {
    const created = await raw(client, 'tools/call', { name: 'ev__simulate-research-query', arguments: { topic: 'proxies' }, task: { ttl: 60_000 } });
    const taskId = (created.task as { taskId: string } | undefined)?.taskId;
    assert.ok(taskId, `no task in ${JSON.stringify(created)}`);
    assert.match(taskId, /^everything__/, 'the upstream key keeps task ids apart');
    const result = await raw(client, 'tasks/result', { taskId });
    assert.match(JSON.stringify(result.content), /proxies/);

    const task = await raw(client, 'tasks/get', { taskId });
    assert.equal(task.taskId, taskId);
    assert.equal(task.status, 'completed');
    const { tasks } = (await raw(client, 'tasks/list', {})) as { tasks: { taskId: string }[] };
    assert.ok(tasks.some((t) => t.taskId === taskId), 'tasks/list shows it under the same id');
  });

  it('cancels a running task by its prefixed id', async () => {
    const created = await raw(client, 'tools/call', { name: 'ev__simulate-research-query', arguments: { topic: 'cancellation' }, task: { ttl: 60_000 } });
    const taskId = (created.task as { taskId: string }).taskId;
    const cancelled = await raw(client, 'tasks/cancel', { taskId });
    assert.equal(cancelled.taskId, taskId);
    assert.equal(cancelled.status, 'cancelled');
  });

  it('refuses a task id no upstream owns', async () => {
    await assert.rejects(raw(client, 'tasks/get', { taskId: 'nobody__123' }), /Unknown task: nobody__123/);
  });

  // Runs last: server-everything lingers after stdin closes while it has tasks, and the
  // client's SDK stops the proxy with SIGTERM before the upstream is gone.
  it('leaves no upstream behind when the client closes with tasks still around', async () => {
    const upstreams = childrenOf(proxyPid);
    assert.equal(upstreams.length, 1);
    await client.close();
    assert.ok(await waitFor(() => !alive(proxyPid)), 'the proxy exits');
    assert.ok(await waitFor(() => upstreams.every((pid) => !alive(pid))), 'server-everything exited with it');
  });
});

describe('tasks across the protocol eras', function () {
  // One proxy: server-everything (2025-11-25, has tasks) and the SDK v2 fixture speaking only 2026-07-28.
  const file = writeConfig({
    upstreams: {
      everything: { ...everything, namespace: 'ev' },
      modern: { ...fixture('modern-server', '--stdio', '--modern-only'), protocol: 'modern', namespace: 'md' },
    },
  });

  it('a 2026-07-28 client is offered no tasks, and a task-augmented call is refused saying why; a plain call still works', async () => {
    const { client } = await connectStdio(file, { era: 'modern' });
    try {
      assert.equal(client.getServerCapabilities()?.tasks, undefined);
      await assert.rejects(
        raw(client, 'tools/call', { name: 'ev__echo', arguments: { message: 'x' }, task: { ttl: 60_000 } }),
        (error: Error & { code?: number }) => error.code === -32602 && /only between 2025-11-25 peers, and this client speaks 2026-07-28/.test(error.message),
      );
      const result = await client.callTool({ name: 'ev__echo', arguments: { message: 'plain' } });
      assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: plain' }]);
    } finally {
      await client.close();
    }
  });

  it('a 2025-11-25 client’s task-augmented call to a 2026-07-28 upstream is refused naming the upstream', async () => {
    const { client } = await connectStdio(file);
    try {
      await assert.rejects(
        raw(client, 'tools/call', { name: 'md__test_simple_text', arguments: {}, task: { ttl: 60_000 } }),
        (error: Error & { code?: number }) => error.code === -32602 && /upstream 'modern' speaks 2026-07-28/.test(error.message),
      );
    } finally {
      await client.close();
    }
  });
});
