import { defineConsumer, type MessageInfo } from '../../runtime/consumers/consumer';
import { updateStatePayload, type UpdateStatePayload } from './schemas';
import type { ConsumerServices, NewsService } from './services';

/** Xikolo's NewsConsumer: the notification service reports a news item's sending state. */
export class NewsConsumer {
  constructor(private readonly news: NewsService) {}

  async update_state(payload: UpdateStatePayload, message: MessageInfo): Promise<void> {
    await this.news.updateState(payload, message);
  }
}

export const newsConsumer = defineConsumer({
  name: 'news',
  actions: { update_state: updateStatePayload },
  create: (services: ConsumerServices) => new NewsConsumer(services.news),
});
