import { defineConsumer, type MessageInfo } from '../../runtime/consumers/consumer';
import {
  answerAcceptedPayload,
  answerCreatePayload,
  commentCreatePayload,
  questionCreatePayload,
  resultCreatePayload,
  visitCreatePayload,
  voteCreatePayload,
  type AnswerAcceptedPayload,
  type AnswerCreatePayload,
  type CommentCreatePayload,
  type QuestionCreatePayload,
  type ResultCreatePayload,
  type VisitCreatePayload,
  type VoteCreatePayload,
} from './schemas';
import type { ConsumerServices, GamificationService } from './services';

/**
 * Xikolo's GamificationConsumer. Every action is behind the feature flag
 * `gamification.enabled` (off unless the environment turns it on): when off,
 * the runtime acknowledges and counts the message without calling the action.
 */
export class GamificationConsumer {
  constructor(private readonly gamification: GamificationService) {}

  async result_create(payload: ResultCreatePayload, message: MessageInfo): Promise<void> {
    await this.gamification.resultCreate(payload, message);
  }

  async visit_create(payload: VisitCreatePayload, message: MessageInfo): Promise<void> {
    await this.gamification.visitCreate(payload, message);
  }

  async vote_create(payload: VoteCreatePayload, message: MessageInfo): Promise<void> {
    await this.gamification.voteCreate(payload, message);
  }

  async comment_create(payload: CommentCreatePayload, message: MessageInfo): Promise<void> {
    await this.gamification.commentCreate(payload, message);
  }

  async question_create(payload: QuestionCreatePayload, message: MessageInfo): Promise<void> {
    await this.gamification.questionCreate(payload, message);
  }

  async answer_accepted(payload: AnswerAcceptedPayload, message: MessageInfo): Promise<void> {
    await this.gamification.answerAccepted(payload, message);
  }

  async answer_create(payload: AnswerCreatePayload, message: MessageInfo): Promise<void> {
    await this.gamification.answerCreate(payload, message);
  }
}

export const gamificationConsumer = defineConsumer({
  name: 'gamification',
  featureFlag: { name: 'gamification.enabled', default: false },
  actions: {
    result_create: resultCreatePayload,
    visit_create: visitCreatePayload,
    vote_create: voteCreatePayload,
    comment_create: commentCreatePayload,
    question_create: questionCreatePayload,
    answer_accepted: answerAcceptedPayload,
    answer_create: answerCreatePayload,
  },
  create: (services: ConsumerServices) => new GamificationConsumer(services.gamification),
});
