/**
 * Dead-lettering bad input in Amazon MQ mode: the message goes to the
 * dead-letter exchange with routing key = its queue name, so it lands in that
 * route's dead-letter queue next to messages the delivery limit dead-lettered.
 * Body and properties are kept; the reason travels in headers.
 */
import type { AmqpPublisher } from './amqp-publisher';
import type { RmqDeadLetterPublisher } from './rmq-transport';

export const REASON_HEADER = 'x-xikolo-reason';

export function rmqDeadLetters(publisher: AmqpPublisher, deadLetterExchange: string): RmqDeadLetterPublisher {
  return {
    async deadLetter(entry) {
      const p = entry.properties;
      await publisher.publishRaw(deadLetterExchange, entry.queue, entry.body, {
        // Unroutable (the dead-letter binding is gone) must fail, not confirm: the original is then not acknowledged.
        mandatory: true,
        persistent: true,
        contentType: p.contentType ?? undefined,
        contentEncoding: p.contentEncoding ?? undefined,
        messageId: p.messageId ?? undefined,
        correlationId: p.correlationId ?? undefined,
        type: p.type ?? undefined,
        appId: p.appId ?? undefined,
        headers: {
          ...entry.headers,
          [REASON_HEADER]: entry.reason.slice(0, 4000),
          'x-xikolo-route': entry.route ?? '(unknown)',
          'x-xikolo-queue': entry.queue,
          'x-xikolo-rejected-at': new Date().toISOString(),
        },
      });
    },
  };
}

/** An amqps URL with the broker user's credentials (from the Secrets Manager secret Lambda also uses). */
export function amqpUrlWithCredentials(endpoint: string, username: string, password: string, vhost: string): string {
  const url = new URL(endpoint.replace(/^amqp\+ssl:/, 'amqps:'));
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}
