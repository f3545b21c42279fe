/**
 * The domain services the consumers delegate to. The consumers only route a
 * validated payload to the right service method; what happens then (scores
 * and badges, course cloning, news updates) is domain logic, implemented by
 * issue #6 and wired in ./services-factory.ts.
 *
 * Every method must be safe to run twice for the same message: deliveries are
 * at least once on both transports.
 */
import type { MessageInfo } from '../../runtime/consumers/consumer';
import type {
  AnswerAcceptedPayload,
  AnswerCreatePayload,
  ClonePayload,
  CommentCreatePayload,
  QuestionCreatePayload,
  ResultCreatePayload,
  UpdateStatePayload,
  VisitCreatePayload,
  VoteCreatePayload,
} from './schemas';

/** Gamification rules (xikolo.md §1): each method applies the rules of one event. */
export interface GamificationService {
  resultCreate(payload: ResultCreatePayload, message: MessageInfo): Promise<void>;
  visitCreate(payload: VisitCreatePayload, message: MessageInfo): Promise<void>;
  voteCreate(payload: VoteCreatePayload, message: MessageInfo): Promise<void>;
  commentCreate(payload: CommentCreatePayload, message: MessageInfo): Promise<void>;
  questionCreate(payload: QuestionCreatePayload, message: MessageInfo): Promise<void>;
  answerAccepted(payload: AnswerAcceptedPayload, message: MessageInfo): Promise<void>;
  answerCreate(payload: AnswerCreatePayload, message: MessageInfo): Promise<void>;
}

/** Course cloning. */
export interface CourseService {
  /**
   * Starts cloning `old_course_id` into a course with code `new_course_code`.
   * Cloning can take long: this must hand the work to a durable job and
   * return once it is enqueued (idempotent per new course code), not clone
   * inline while the message is held.
   */
  startClone(payload: ClonePayload, message: MessageInfo): Promise<void>;
}

/** News records. */
export interface NewsService {
  /** Updates news `news_id` with every other attribute of the payload. */
  updateState(payload: UpdateStatePayload, message: MessageInfo): Promise<void>;
}

export interface ConsumerServices {
  readonly gamification: GamificationService;
  readonly course: CourseService;
  readonly news: NewsService;
}
