/**
 * Xikolo's gamification rules on DynamoDB (xikolo.md §1).
 *
 * Each consumer action applies its rules; a rule creates a score when its
 * required payload keys are present and its conditions hold, and never twice
 * for the same (rule, checksum) (a conditional write, see domain/gamification.ts).
 * Follow-up rules (attended_section after a visit or a result, then
 * continuous_attendance; selftest_master after a result) and badges run after
 * the score exists, whether this delivery created it or an earlier one did:
 * a delivery that crashed half-way is completed by its redelivery, and every
 * step is idempotent.
 *
 * The feature flag `gamification.enabled` is checked by the consumer runtime
 * (defineConsumer's featureFlag) before an action runs; this service does not
 * check it again.
 *
 * Every rule evaluation is counted: an EMF metric `RuleEvaluations` with
 * dimensions Rule and Outcome (created, duplicate, skipped) and the skip
 * reason as a property. A missing payload key is a skip, not an error.
 */
import type { MessageInfo } from '../../runtime/consumers/consumer';
import { MetricsEmitter } from '../../runtime/metrics/emf';
import type {
  AnswerAcceptedPayload,
  AnswerCreatePayload,
  CommentCreatePayload,
  QuestionCreatePayload,
  ResultCreatePayload,
  VisitCreatePayload,
  VoteCreatePayload,
} from '../consumers/schemas';
import type { GamificationService } from '../consumers/services';
import type { CourseRepository } from '../domain/courses';
import type { BadgeRepository, Score, ScoreRepository } from '../domain/gamification';
import type { GamificationRules, RuleName } from './gamification-rules';

export type RuleOutcome =
  | { readonly rule: string; readonly outcome: 'created' | 'duplicate'; readonly score: Score }
  | { readonly rule: string; readonly outcome: 'skipped'; readonly reason: string };

export interface BadgeDefinition {
  readonly name: string;
  /** Score rules counted towards the badge. */
  readonly rules: readonly string[];
  /** Level → number of scores needed. */
  readonly levels: readonly (readonly [level: number, scores: number])[];
  /** Counted per course (else across all courses). */
  readonly perCourse: boolean;
}

/**
 * Xikolo's badges. `communicator` lists the rule `create_answer`, which no
 * rule creates (answers score under `answered_question`): as in Xikolo,
 * answers therefore do not count towards it. We keep that on purpose, so
 * learners' badge levels stay what Xikolo shows and records migrated from
 * Xikolo stay consistent; docs/workload.md explains how to count answers
 * instead, should the product owners decide so.
 */
export const BADGES: readonly BadgeDefinition[] = [
  { name: 'communicator', rules: ['create_question', 'create_answer', 'create_comment'], levels: [[0, 3], [1, 8], [2, 13]], perCourse: false },
  { name: 'knowledgeable', rules: ['accepted_answer'], levels: [[0, 3], [1, 8], [2, 13]], perCourse: false },
  { name: 'selftest_master', rules: ['selftest_master'], levels: [[2, 20]], perCourse: true },
];

/** Share of a section's video items a learner must have visited for attended_section (strictly more). */
export const ATTENDED_SECTION_VIDEO_SHARE = 0.7;

export interface GamificationDependencies {
  readonly scores: ScoreRepository;
  readonly badges: BadgeRepository;
  readonly courses: CourseRepository;
  readonly rules: GamificationRules;
  readonly metrics?: MetricsEmitter;
  /** Hears every rule evaluation (tests, local runtime). */
  readonly onOutcome?: (outcome: RuleOutcome, message: MessageInfo | undefined) => void;
}

type Payload = Readonly<Record<string, unknown>>;

function missingKeys(payload: Payload, keys: readonly string[]): string[] {
  return keys.filter((key) => payload[key] === undefined || payload[key] === null || payload[key] === '');
}

const str = (value: unknown): string => String(value);

const RESULT_KEYS = ['course_id', 'item_id', 'section_id', 'id', 'user_id'] as const;
const POST_KEYS = ['course_id', 'id', 'user_id'] as const;

interface AwardSpec {
  readonly rule: RuleName;
  readonly receiver: string;
  readonly courseId: string;
  readonly sectionId?: string;
  readonly checksum: string;
  readonly data: Record<string, string>;
  /** Points other than the configured value (continuous_attendance). */
  readonly points?: number;
  /**
   * Create the score (with 0 points) even when the rule is switched off: Xikolo's TakeExam and TakeSelftest
   * skip the `active?` check because attended_section needs their scores.
   */
  readonly evenWhenOff?: boolean;
}

export class DynamoGamificationService implements GamificationService {
  private readonly metrics: MetricsEmitter;

  constructor(private readonly deps: GamificationDependencies) {
    this.metrics = deps.metrics ?? new MetricsEmitter({ namespace: 'XikoloAsync/Gamification', defaultDimensions: process.env.XIKOLO_ENV ? { Environment: process.env.XIKOLO_ENV } : {} });
  }

  // ——— consumer actions ———

  async resultCreate(payload: ResultCreatePayload, message?: MessageInfo): Promise<void> {
    await this.applyResult(payload, message);
  }

  async visitCreate(payload: VisitCreatePayload, message?: MessageInfo): Promise<void> {
    await this.applyVisit(payload, message);
  }

  async voteCreate(payload: VoteCreatePayload, message?: MessageInfo): Promise<void> {
    await this.applyVote(payload, message);
  }

  async commentCreate(payload: CommentCreatePayload, message?: MessageInfo): Promise<void> {
    await this.applyPost('create_comment', 'comment_id', payload, message);
  }

  async questionCreate(payload: QuestionCreatePayload, message?: MessageInfo): Promise<void> {
    await this.applyPost('create_question', 'question_id', payload, message);
  }

  async answerCreate(payload: AnswerCreatePayload, message?: MessageInfo): Promise<void> {
    await this.applyPost('answered_question', 'answer_id', payload, message);
  }

  async answerAccepted(payload: AnswerAcceptedPayload, message?: MessageInfo): Promise<void> {
    await this.applyAcceptedAnswer(payload, message);
  }

  // ——— rules; each returns every evaluation it made ———

  async applyResult(payload: Payload, message?: MessageInfo): Promise<RuleOutcome[]> {
    const type = payload.exercise_type;
    if (type === 'main') return this.takeExam(payload, message);
    if (type === 'selftest') return this.takeSelftest(payload, message);
    return [this.skip('take_exam|take_selftest', `exercise_type ${JSON.stringify(type ?? null)} earns nothing`, message)];
  }

  async applyVisit(payload: Payload, message?: MessageInfo): Promise<RuleOutcome[]> {
    const missing = missingKeys(payload, RESULT_KEYS);
    if (missing.length > 0) return [this.skip('visited_item', `missing ${missing.join(', ')}`, message)];
    const visit = await this.award(
      { rule: 'visited_item', receiver: str(payload.user_id), courseId: str(payload.course_id), sectionId: str(payload.section_id), checksum: str(payload.id), data: { visit_id: str(payload.id), item_id: str(payload.item_id), section_id: str(payload.section_id) } },
      message,
    );
    if (visit.outcome === 'skipped') return [visit];
    return [visit, ...(await this.attendedSection(str(payload.user_id), str(payload.course_id), str(payload.section_id), [visit.score], message))];
  }

  async applyVote(payload: Payload, message?: MessageInfo): Promise<RuleOutcome[]> {
    const rule: RuleName | undefined = payload.votable_type === 'Answer' ? 'upvote_answer' : payload.votable_type === 'Question' ? 'upvote_question' : undefined;
    if (!rule) return [this.skip('upvote_answer|upvote_question', `votable_type ${JSON.stringify(payload.votable_type ?? null)} earns nothing`, message)];
    const missing = missingKeys(payload, ['course_id', 'id', 'votable_id', 'votable_user_id']);
    if (missing.length > 0) return [this.skip(rule, `missing ${missing.join(', ')}`, message)];
    if (payload.user_id !== undefined && payload.user_id !== null && str(payload.user_id) === str(payload.votable_user_id)) {
      return [this.skip(rule, 'a vote on one\'s own post earns nothing', message)];
    }
    if (!(typeof payload.value === 'number' && payload.value > 0)) return [this.skip(rule, `vote value ${JSON.stringify(payload.value ?? null)} is not an upvote`, message)];
    return [
      await this.award(
        { rule, receiver: str(payload.votable_user_id), courseId: str(payload.course_id), checksum: str(payload.votable_id), data: { votable_id: str(payload.votable_id) } },
        message,
      ),
    ];
  }

  async applyPost(rule: 'create_comment' | 'create_question' | 'answered_question', dataKey: string, payload: Payload, message?: MessageInfo): Promise<RuleOutcome[]> {
    const missing = missingKeys(payload, POST_KEYS);
    if (missing.length > 0) return [this.skip(rule, `missing ${missing.join(', ')}`, message)];
    if (payload.technical === true) return [this.skip(rule, 'posts in technical-issue sections earn nothing', message)];
    return [
      await this.award({ rule, receiver: str(payload.user_id), courseId: str(payload.course_id), checksum: str(payload.id), data: { [dataKey]: str(payload.id) } }, message),
    ];
  }

  async applyAcceptedAnswer(payload: Payload, message?: MessageInfo): Promise<RuleOutcome[]> {
    const rule = 'accepted_answer';
    const missing = missingKeys(payload, ['course_id', 'id', 'accepted_answer_user_id']);
    if (missing.length > 0) return [this.skip(rule, `missing ${missing.join(', ')}`, message)];
    if (payload.technical === true) return [this.skip(rule, 'questions in technical-issue sections earn nothing', message)];
    if (missingKeys(payload, ['accepted_answer_id']).length > 0) return [this.skip(rule, 'the question has no accepted answer', message)];
    if (payload.user_id !== undefined && payload.user_id !== null && str(payload.user_id) === str(payload.accepted_answer_user_id)) {
      return [this.skip(rule, 'accepting one\'s own answer earns nothing', message)];
    }
    return [
      await this.award(
        { rule, receiver: str(payload.accepted_answer_user_id), courseId: str(payload.course_id), checksum: str(payload.accepted_answer_id), data: { accepted_answer_id: str(payload.accepted_answer_id) } },
        message,
      ),
    ];
  }

  private async takeExam(payload: Payload, message?: MessageInfo): Promise<RuleOutcome[]> {
    const missing = missingKeys(payload, RESULT_KEYS);
    if (missing.length > 0) return [this.skip('take_exam', `missing ${missing.join(', ')}`, message)];
    if (missingKeys(payload, ['submission_deadline']).length > 0) return [this.skip('take_exam', 'exams without a submission deadline earn nothing', message)];
    return this.resultScore('take_exam', payload, message);
  }

  private async takeSelftest(payload: Payload, message?: MessageInfo): Promise<RuleOutcome[]> {
    const missing = missingKeys(payload, RESULT_KEYS);
    if (missing.length > 0) return [this.skip('take_selftest', `missing ${missing.join(', ')}`, message)];
    const minResult = this.deps.rules.xp.take_selftest?.params.min_result ?? 1;
    if (!(typeof payload.points === 'number' && payload.points >= minResult)) {
      return [this.skip('take_selftest', `points ${JSON.stringify(payload.points ?? null)} below min_result ${minResult}`, message)];
    }
    return this.resultScore('take_selftest', payload, message);
  }

  /** take_exam / take_selftest, then attended_section and selftest_master. */
  private async resultScore(rule: 'take_exam' | 'take_selftest', payload: Payload, message?: MessageInfo): Promise<RuleOutcome[]> {
    const userId = str(payload.user_id);
    const courseId = str(payload.course_id);
    const sectionId = str(payload.section_id);
    const result = await this.award(
      { rule, receiver: userId, courseId, sectionId, checksum: str(payload.id), data: { result_id: str(payload.id), item_id: str(payload.item_id), section_id: sectionId }, evenWhenOff: true },
      message,
    );
    if (result.outcome === 'skipped') return [result];
    const attended = await this.attendedSection(userId, courseId, sectionId, [result.score], message);
    const master = await this.selftestMaster(payload, message);
    return [result, ...attended, ...master];
  }

  private async selftestMaster(payload: Payload, message?: MessageInfo): Promise<RuleOutcome[]> {
    const rule = 'selftest_master';
    if (!this.deps.rules.xp[rule]) return [this.skip(rule, 'rule not configured', message)];
    if (payload.exercise_type !== 'selftest') return [this.skip(rule, 'not a selftest', message)];
    if (!(typeof payload.points === 'number' && typeof payload.max_points === 'number' && payload.points === payload.max_points)) {
      return [this.skip(rule, 'selftest not solved with full points', message)];
    }
    const userId = str(payload.user_id);
    const itemId = str(payload.item_id);
    // "First time for this item", atomically: two results for the item handled at once cannot both pass.
    if (!(await this.deps.scores.claimFirst(userId, rule, itemId, str(payload.id)))) {
      return [this.skip(rule, 'this selftest was mastered before', message)];
    }
    return [
      await this.award(
        { rule, receiver: userId, courseId: str(payload.course_id), sectionId: str(payload.section_id), checksum: str(payload.id), data: { result_id: str(payload.id), item_id: itemId, section_id: str(payload.section_id) } },
        message,
      ),
    ];
  }

  /**
   * attended_section: more than 70 % of the section's video items visited, and
   * a take_exam and a take_selftest score in the section; then
   * continuous_attendance. `known` are scores this event just wrote (an index
   * query may not show them yet).
   */
  private async attendedSection(userId: string, courseId: string, sectionId: string, known: readonly Score[], message?: MessageInfo): Promise<RuleOutcome[]> {
    const rule = 'attended_section';
    if (!this.deps.rules.xp[rule]) return [this.skip(rule, 'rule not configured', message)];
    const scope = { courseId, sectionId };
    const [items, visits, exams, selftests] = await Promise.all([
      this.deps.courses.itemsOfSection(courseId, sectionId),
      this.withKnown(this.deps.scores.list(userId, 'visited_item', scope), known, 'visited_item'),
      this.withKnown(this.deps.scores.list(userId, 'take_exam', scope), known, 'take_exam'),
      this.withKnown(this.deps.scores.list(userId, 'take_selftest', scope), known, 'take_selftest'),
    ]);
    const videos = new Set(items.filter((i) => i.content_type === 'video').map((i) => i.id));
    const visited = new Set(visits.map((s) => s.data.item_id).filter((id): id is string => id !== undefined && videos.has(id)));
    if (videos.size === 0 || visited.size / videos.size <= ATTENDED_SECTION_VIDEO_SHARE) {
      return [this.skip(rule, `visited ${visited.size} of ${videos.size} video items (needs more than 70 %)`, message)];
    }
    if (exams.length === 0 || selftests.length === 0) return [this.skip(rule, 'needs a take_exam and a take_selftest score in the section', message)];
    const attended = await this.award({ rule, receiver: userId, courseId, sectionId, checksum: sectionId, data: { section_id: sectionId } }, message);
    if (attended.outcome === 'skipped') return [attended];
    return [attended, ...(await this.continuousAttendance(userId, courseId, sectionId, attended.score, message))];
  }

  /**
   * continuous_attendance: the previous section (course order) was attended;
   * worth its configured value once the learner already holds at least
   * param `min` continuous_attendance scores in the course, else 0 points.
   */
  private async continuousAttendance(userId: string, courseId: string, sectionId: string, _attended: Score, message?: MessageInfo): Promise<RuleOutcome[]> {
    const rule = 'continuous_attendance';
    const settings = this.deps.rules.xp[rule];
    if (!settings) return [this.skip(rule, 'rule not configured', message)];
    const sections = await this.deps.courses.sections(courseId);
    const index = sections.findIndex((s) => s.id === sectionId);
    const previous = index > 0 ? sections[index - 1] : undefined;
    if (!previous) return [this.skip(rule, 'no previous section', message)];
    const previousAttended = await this.deps.scores.count(userId, 'attended_section', { courseId, sectionId: previous.id });
    if (previousAttended === 0) return [this.skip(rule, `previous section ${previous.id} not attended`, message)];
    const existing = await this.deps.scores.find(userId, rule, sectionId);
    if (existing) return [this.record({ rule, outcome: 'duplicate', score: existing }, message)];
    const held = (await this.deps.scores.list(userId, rule, { courseId })).filter((s) => s.checksum !== sectionId).length;
    const points = held >= (settings.params.min ?? 1) ? settings.value : 0;
    return [await this.award({ rule, receiver: userId, courseId, sectionId, checksum: sectionId, data: { section_id: sectionId }, points }, message)];
  }

  // ——— scores and badges ———

  private async award(spec: AwardSpec, message?: MessageInfo): Promise<RuleOutcome> {
    const settings = this.deps.rules.xp[spec.rule];
    if (!settings && !spec.evenWhenOff) return this.skip(spec.rule, 'rule not configured', message);
    const { created, score } = await this.deps.scores.create({
      user_id: spec.receiver,
      course_id: spec.courseId,
      rule: spec.rule,
      points: spec.points ?? settings?.value ?? 0,
      ...(spec.sectionId !== undefined ? { section_id: spec.sectionId } : {}),
      data: spec.data,
      checksum: spec.checksum,
    });
    await this.updateBadges(score);
    return this.record({ rule: spec.rule, outcome: created ? 'created' : 'duplicate', score }, message);
  }

  /** Awards every badge level the score's receiver has reached (idempotent). */
  async updateBadges(score: Score): Promise<void> {
    for (const badge of BADGES.filter((b) => b.rules.includes(score.rule))) {
      const scope = badge.perCourse ? { courseId: score.course_id } : {};
      const lists = await Promise.all(badge.rules.map((rule) => this.withKnown(this.deps.scores.list(score.user_id, rule, scope), [score], rule)));
      const count = lists.reduce((n, list) => n + list.length, 0);
      for (const [level, needed] of badge.levels) {
        if (count >= needed) {
          await this.deps.badges.award({ user_id: score.user_id, name: badge.name, level, ...(badge.perCourse ? { course_id: score.course_id } : {}) });
        }
      }
    }
  }

  /** Adds scores this event wrote that an (eventually consistent) index query may not return yet. */
  private async withKnown(listing: Promise<Score[]>, known: readonly Score[], rule: string): Promise<Score[]> {
    const list = await listing;
    const seen = new Set(list.map((s) => s.checksum));
    return [...list, ...known.filter((s) => s.rule === rule && !seen.has(s.checksum))];
  }

  private skip(rule: string, reason: string, message: MessageInfo | undefined): RuleOutcome {
    return this.record({ rule, outcome: 'skipped', reason }, message);
  }

  private record(outcome: RuleOutcome, message: MessageInfo | undefined): RuleOutcome {
    this.metrics.emit({
      dimensions: { Rule: outcome.rule, Outcome: outcome.outcome },
      metrics: { RuleEvaluations: { value: 1, unit: 'Count' } },
      properties: {
        ...(outcome.outcome === 'skipped' ? { reason: outcome.reason } : { user_id: outcome.score.user_id, checksum: outcome.score.checksum, points: outcome.score.points }),
        ...(message ? { message_id: message.id, route: message.route } : {}),
      },
    });
    this.deps.onOutcome?.(outcome, message);
    return outcome;
  }
}
