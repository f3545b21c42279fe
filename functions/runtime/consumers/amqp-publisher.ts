/**
 * Publishing to RabbitMQ (Amazon MQ mode) the way Msgr does, so Ruby and
 * TypeScript publishers are interchangeable: JSON body, content type
 * `application/json`, persistent delivery, to the durable topic exchange
 * `msgr` (or `<prefix>-msgr`). We add a message id, a timestamp and the
 * `x-routing-key` header (Lambda's aws:rmq events do not carry the routing key).
 *
 * Uses a confirm channel: `publish` resolves once the broker has taken
 * responsibility for the message.
 */
import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { publishKeyProblem } from './amqp-topic';
import { ROUTING_KEY_HEADER } from './rmq-transport';

export const MSGR_EXCHANGE = 'msgr';

/** A lazily opened, reused confirm channel; reopened after the connection drops. */
export class AmqpChannelSource {
  private connection: ChannelModel | undefined;
  private channelPromise: Promise<ConfirmChannel> | undefined;

  /** `url` may be a function so credentials are fetched only when a connection is needed. */
  constructor(private readonly url: string | (() => Promise<string>)) {}

  channel(): Promise<ConfirmChannel> {
    if (!this.channelPromise) {
      this.channelPromise = this.open().catch((error: unknown) => {
        this.channelPromise = undefined;
        throw error;
      });
    }
    return this.channelPromise;
  }

  private async open(): Promise<ConfirmChannel> {
    const url = typeof this.url === 'string' ? this.url : await this.url();
    const connection = await connect(url);
    this.connection = connection;
    const reset = () => {
      if (this.connection === connection) {
        this.connection = undefined;
        this.channelPromise = undefined;
      }
    };
    connection.on('close', reset);
    connection.on('error', reset);
    const channel = await connection.createConfirmChannel();
    channel.on('close', reset);
    channel.on('error', reset);
    return channel;
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.channelPromise = undefined;
    if (connection) await connection.close();
  }
}

/** Correlates a returned mandatory publish with its call. */
const PUBLISH_ID_HEADER = 'x-xikolo-publish-id';

export class AmqpPublishError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmqpPublishError';
  }
}

export interface AmqpPublisherOptions {
  /** Exchange name; default `msgr`. */
  readonly exchange?: string;
}

export class AmqpPublisher {
  readonly exchange: string;

  constructor(
    private readonly source: AmqpChannelSource,
    options: AmqpPublisherOptions = {},
  ) {
    this.exchange = options.exchange ?? MSGR_EXCHANGE;
  }

  /** `Msgr.publish(payload, to: routingKey)`. */
  async publish(routingKey: string, payload: unknown, options: { messageId?: string } = {}): Promise<void> {
    const problem = publishKeyProblem(routingKey);
    if (problem) throw new AmqpPublishError(`cannot publish to "${routingKey}": ${problem}`);
    const body = Buffer.from(JSON.stringify(payload ?? null), 'utf8');
    await this.publishRaw(this.exchange, routingKey, body, {
      contentType: 'application/json',
      persistent: true,
      messageId: options.messageId ?? randomUUID(),
      timestamp: Math.floor(Date.now() / 1000),
      headers: { [ROUTING_KEY_HEADER]: routingKey },
    });
  }

  /**
   * Publishes bytes as they are (used for dead-lettering); waits for the
   * broker's confirm. With `mandatory`, a message no queue is bound to receive
   * comes back (basic.return, before the confirm) and the publish fails
   * instead of being confirmed into nowhere.
   */
  async publishRaw(exchange: string, routingKey: string, body: Buffer, properties: Options.Publish): Promise<void> {
    const channel = await this.source.channel();
    const publishId = randomUUID();
    let returned = false;
    const onReturn = (message: { properties: { headers?: Record<string, unknown> } }) => {
      if (message.properties.headers?.[PUBLISH_ID_HEADER] === publishId) returned = true;
    };
    if (properties.mandatory) channel.on('return', onReturn);
    try {
      await new Promise<void>((resolve, reject) => {
        const headers = properties.mandatory ? { ...properties.headers, [PUBLISH_ID_HEADER]: publishId } : properties.headers;
        channel.publish(exchange, routingKey, body, { ...properties, ...(headers ? { headers } : {}) }, (error: unknown) => {
          if (error) reject(new AmqpPublishError(`broker refused the message for exchange "${exchange}", key "${routingKey}": ${String(error)}`));
          else if (returned) reject(new AmqpPublishError(`no queue is bound to exchange "${exchange}" with key "${routingKey}": the message was returned; redeploy the messaging stack to restore the topology`));
          else resolve();
        });
      });
    } finally {
      if (properties.mandatory) channel.off('return', onReturn);
    }
  }
}
