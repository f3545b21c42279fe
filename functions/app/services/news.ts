/**
 * NewsService: the notification service reports a news item's sending state
 * (`xikolo.news.update_status`); every attribute but `news_id` is set on the
 * record with that UUID.
 *
 * A news record that does not exist (deleted by an admin while its mails were
 * being sent) has nothing left to update: the message is acknowledged and a
 * warning logged, instead of being retried into the dead-letter queue.
 * A news_id that is not a UUID, or an attribute that may not be set, is a
 * producer bug: it is rejected with an error naming it.
 */
import type { MessageInfo } from '../../runtime/consumers/consumer';
import type { UpdateStatePayload } from '../consumers/schemas';
import type { NewsService } from '../consumers/services';
import { newsId, type NewsRepository } from '../domain/news';

export class DynamoNewsService implements NewsService {
  constructor(
    private readonly news: NewsRepository,
    private readonly log: (entry: Record<string, unknown>) => void = (entry) => console.warn(JSON.stringify(entry)),
  ) {}

  async updateState(payload: UpdateStatePayload, message?: MessageInfo): Promise<void> {
    await this.apply(payload, message);
  }

  /** Resolves true when a record was updated, false when none exists. */
  async apply(payload: UpdateStatePayload, message?: MessageInfo): Promise<boolean> {
    const { news_id: rawId, ...attributes } = payload as Record<string, unknown>;
    const id = newsId(rawId);
    const updated = await this.news.update(id, attributes);
    if (!updated) {
      this.log({ level: 'warn', consumer: 'NewsConsumer#update_state', news_id: id, message_id: message?.id, message: `news ${id} does not exist; nothing updated (acknowledged)` });
    }
    return updated;
  }
}
