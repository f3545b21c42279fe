/**
 * Shared set-up for the tests against a real RabbitMQ (Debian's
 * rabbitmq-server with the management plugin, started by scripts/rabbitmq.sh).
 * Each test file works in its own fresh virtual host, so runs are independent.
 */
import { randomBytes } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { ManagementApi } from '../../functions/runtime/consumers/topology';

export interface RabbitMqEnv {
  readonly amqpUrl: string;
  readonly mgmtUrl: string;
}

/** The broker's URLs, or an error that says how to start it. Tests fail (never skip) without a broker. */
export function rabbitMqEnv(): RabbitMqEnv {
  const amqpUrl = process.env.RABBITMQ_AMQP_URL;
  const mgmtUrl = process.env.RABBITMQ_MGMT_URL;
  if (!amqpUrl || !mgmtUrl) {
    throw new Error(
      'RABBITMQ_AMQP_URL and RABBITMQ_MGMT_URL are not set, so the RabbitMQ integration tests cannot run: run `npm test` (it starts a private RabbitMQ), ' +
        'or `bash scripts/rabbitmq.sh start && source .local/rabbitmq.env` before `npx vitest run test/integration/rabbitmq*`.',
    );
  }
  return { amqpUrl, mgmtUrl };
}

export function managementApi(env: RabbitMqEnv): ManagementApi {
  const url = new URL(env.mgmtUrl);
  return new ManagementApi({ url: `${url.protocol}//${url.host}`, username: decodeURIComponent(url.username || 'guest'), password: decodeURIComponent(url.password || 'guest') });
}

export function vhostUrl(env: RabbitMqEnv, vhost: string): string {
  const url = new URL(env.amqpUrl);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}

export interface TestVhost {
  readonly name: string;
  readonly api: ManagementApi;
  readonly url: string;
  connection(): Promise<ChannelModel>;
  channel(): Promise<ConfirmChannel>;
  dispose(): Promise<void>;
}

export async function createVhost(prefix: string): Promise<TestVhost> {
  const env = rabbitMqEnv();
  const api = managementApi(env);
  const name = `${prefix}-${Date.now()}-${randomBytes(3).toString('hex')}`;
  const user = decodeURIComponent(new URL(env.mgmtUrl).username || 'guest');
  await api.request('PUT', `vhosts/${encodeURIComponent(name)}`, {});
  await api.request('PUT', `permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
  const url = vhostUrl(env, name);
  const connections: ChannelModel[] = [];
  return {
    name,
    api,
    url,
    async connection() {
      const c = await connect(url);
      connections.push(c);
      return c;
    },
    async channel() {
      const c = await connect(url);
      connections.push(c);
      return c.createConfirmChannel();
    },
    async dispose() {
      for (const c of connections) await c.close().catch(() => undefined);
      await api.request('DELETE', `vhosts/${encodeURIComponent(name)}`).catch(() => undefined);
    },
  };
}

/** Gets one message, waiting briefly for it to arrive. */
export async function getMessage(channel: ConfirmChannel, queue: string, timeoutMs = 5000): Promise<GetMessage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const message = await channel.get(queue, { noAck: false });
    if (message) return message;
    if (Date.now() > deadline) throw new Error(`no message arrived in queue ${queue} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Publishes like Msgr (Ruby): JSON body, application/json, persistent, nothing else. */
export async function publishLikeMsgr(channel: ConfirmChannel, exchange: string, routingKey: string, payload: unknown): Promise<void> {
  channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(payload)), { contentType: 'application/json', persistent: true });
  await channel.waitForConfirms();
}

/** Ready messages in a queue, counted by the broker (AMQP passive declare; the management API's counters lag). */
export async function queueDepth(channel: ConfirmChannel, queue: string): Promise<number> {
  return (await channel.checkQueue(queue)).messageCount;
}

/**
 * Registers a fresh virtual host for the enclosing describe block. Without a
 * broker every test fails with the reason (a failing beforeAll would only mark
 * them skipped).
 */
export function useVhost(prefix: string, setup?: (vhost: TestVhost) => Promise<void>): { readonly vhost: TestVhost; readonly channel: ConfirmChannel } {
  let vhost: TestVhost | undefined;
  let channel: ConfirmChannel | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      vhost = await createVhost(prefix);
      channel = await vhost.channel();
      if (setup) await setup(vhost);
    } catch (error) {
      failure = error;
    }
  });
  beforeEach(() => {
    if (failure) throw failure;
  });
  afterAll(async () => vhost?.dispose());
  return {
    get vhost() {
      return vhost as TestVhost;
    },
    get channel() {
      return channel as ConfirmChannel;
    },
  };
}
