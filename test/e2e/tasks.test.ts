// Tasks (experimental, MCP 2025-11-25) through the proxy: server-everything's task tool
// `simulate-research-query` runs as a task; its id reaches the client prefixed with the
// upstream's key, and tasks/get, tasks/result, tasks/list and tasks/cancel find their way back.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import assert from 'node:assert/strict';
import { alive, childrenOf, waitFor } from '../helpers/processes.js';
import { connectStdio, writeConfig } from '../helpers/proxy.js';
import { everything } from '../helpers/upstreams.js';

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
    const messages = [];
    const stream = client.experimental.tasks.callToolStream(
      { name: 'ev__simulate-research-query', arguments: { topic: 'proxies' } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    );
    for await (const message of stream) messages.push(message);
    const created = messages.find((m) => m.type === 'taskCreated');
    assert.ok(created && created.type === 'taskCreated', `no taskCreated in ${JSON.stringify(messages)}`);
    assert.match(created.task.taskId, /^everything__/, 'the upstream key keeps task ids apart');
    const result = messages.at(-1)!;
    assert.equal(result.type, 'result', JSON.stringify(result));
    assert.match(JSON.stringify(result.type === 'result' && result.result.content), /proxies/);

    const task = await client.experimental.tasks.getTask(created.task.taskId);
    assert.equal(task.taskId, created.task.taskId);
    assert.equal(task.status, 'completed');
    const { tasks } = await client.experimental.tasks.listTasks();
    assert.ok(tasks.some((t) => t.taskId === created.task.taskId), 'tasks/list shows it under the same id');
  });

  it('cancels a running task by its prefixed id', async () => {
    const stream = client.experimental.tasks.callToolStream(
      { name: 'ev__simulate-research-query', arguments: { topic: 'cancellation' } },
      CallToolResultSchema,
      { task: { ttl: 60_000 } },
    );
    const first = (await stream.next()).value;
    assert.ok(first && first.type === 'taskCreated');
    const cancelled = await client.experimental.tasks.cancelTask(first.task.taskId);
    assert.equal(cancelled.taskId, first.task.taskId);
    assert.equal(cancelled.status, 'cancelled');
    await stream.return(undefined);
  });

  it('refuses a task id no upstream owns', async () => {
    await assert.rejects(client.experimental.tasks.getTask('nobody__123'), /Unknown task: nobody__123/);
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
