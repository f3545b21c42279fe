/** GamificationConsumer's rules, scores and badges against a real DynamoDB API (dynalite). */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startWorld, type World } from './world';
import { DynamoGamificationService, type RuleOutcome } from '../../functions/app/services/gamification';
import { DEFAULT_RULES, resolveRules, rulesFromEnv, GamificationRulesError, type GamificationRules } from '../../functions/app/services/gamification-rules';
import { createDomainServices } from '../../functions/app/services';
import { MetricsEmitter } from '../../functions/runtime/metrics/emf';
import { MalformedIdentifierError } from '../../functions/app/domain/errors';
import { ConsumerRuntime } from '../../functions/runtime/consumers/dispatch';
import { parseRoutes } from '../../functions/runtime/consumers/routes';
import { consumers } from '../../functions/app/consumers/registry';

let world: World;
const outcomes: RuleOutcome[] = [];
const metricLines: Record<string, unknown>[] = [];

function service(rules: GamificationRules = DEFAULT_RULES) {
  return new DynamoGamificationService({
    scores: world.repos.scores,
    badges: world.repos.badges,
    courses: world.repos.courses,
    rules,
    metrics: new MetricsEmitter({ sink: (line) => metricLines.push(JSON.parse(line)) }),
    onOutcome: (o) => outcomes.push(o),
  });
}

const scores = (user: string, rule: string, scope: { courseId?: string; sectionId?: string } = {}) => world.repos.scores.list(user, rule, scope);
const skipped = () => outcomes.filter((o) => o.outcome === 'skipped').map((o) => `${o.rule}: ${(o as { reason: string }).reason}`);

beforeAll(async () => {
  world = await startWorld();
  const courses = world.repos.courses;
  await courses.saveCourse({ id: 'course', course_code: 'gami2026', status: 'active' });
  for (const [i, section] of ['s1', 's2', 's3'].entries()) {
    await courses.saveSection({ id: section, course_id: 'course', position: i + 1 });
    // Four videos and a text per section: three visited videos are 75 %.
    for (let v = 1; v <= 4; v++) await courses.saveItem({ id: `${section}-v${v}`, course_id: 'course', section_id: section, position: v, content_type: 'video' });
    await courses.saveItem({ id: `${section}-text`, course_id: 'course', section_id: section, position: 5, content_type: 'rich_text' });
  }
  await courses.saveSection({ id: 'tens', course_id: 'course', position: 10 });
  for (let v = 1; v <= 10; v++) await courses.saveItem({ id: `tens-v${v}`, course_id: 'course', section_id: 'tens', position: v, content_type: 'video' });
});
afterAll(() => world.stop());
beforeEach(() => {
  outcomes.length = 0;
  metricLines.length = 0;
});

const result = (over: { id: string } & Record<string, unknown>) => ({ course_id: 'course', section_id: 's1', item_id: 's1-quiz', user_id: 'u-result', ...over });

describe('result_create: take_exam and take_selftest', () => {
  it('a selftest with points ≥ min_result creates a take_selftest score with the result\'s data', async () => {
    await service().resultCreate(result({ id: 'r-self-1', exercise_type: 'selftest', points: 3, max_points: 10 }));
    const [score] = await scores('u-result', 'take_selftest');
    expect(score).toMatchObject({ rule: 'take_selftest', user_id: 'u-result', course_id: 'course', points: 0, checksum: 'r-self-1', data: { result_id: 'r-self-1', item_id: 's1-quiz', section_id: 's1' } });
  });

  it('the same result event twice awards once (also when both deliveries race)', async () => {
    const event = result({ id: 'r-twice', exercise_type: 'selftest', points: 5, max_points: 10, user_id: 'u-twice' });
    await service().resultCreate(event);
    await service().resultCreate(event);
    await Promise.all([service().resultCreate(event), service().resultCreate(event)]);
    expect(await scores('u-twice', 'take_selftest')).toHaveLength(1);
    expect(outcomes.filter((o) => o.rule === 'take_selftest').map((o) => o.outcome)).toEqual(['created', 'duplicate', 'duplicate', 'duplicate']);
  });

  it('a selftest below min_result earns nothing', async () => {
    await service().resultCreate(result({ id: 'r-low', exercise_type: 'selftest', points: 0.5, max_points: 10, user_id: 'u-low' }));
    expect(await scores('u-low', 'take_selftest')).toEqual([]);
    expect(skipped()).toEqual(['take_selftest: points 0.5 below min_result 1']);
  });

  it('a main exam creates take_exam only when it has a submission deadline', async () => {
    await service().resultCreate(result({ id: 'r-exam-nodl', exercise_type: 'main', points: 5, user_id: 'u-exam' }));
    expect(await scores('u-exam', 'take_exam')).toEqual([]);
    await service().resultCreate(result({ id: 'r-exam', exercise_type: 'main', points: 5, user_id: 'u-exam', submission_deadline: '2026-12-01T00:00:00Z' }));
    expect((await scores('u-exam', 'take_exam')).map((s) => s.checksum)).toEqual(['r-exam']);
  });

  it('other exercise types earn nothing', async () => {
    await service().resultCreate(result({ id: 'r-survey', exercise_type: 'survey', points: 5, user_id: 'u-survey' }));
    expect(await scores('u-survey', 'take_exam')).toEqual([]);
    expect(await scores('u-survey', 'take_selftest')).toEqual([]);
  });

  it('missing required keys skip the rule and are counted, not raised', async () => {
    await service().resultCreate({ id: 'r-nosection', exercise_type: 'selftest', points: 5, course_id: 'course', item_id: 'i', user_id: 'u-missing', section_id: null });
    expect(await scores('u-missing', 'take_selftest')).toEqual([]);
    expect(skipped()).toEqual(['take_selftest: missing section_id']);
    const metric = metricLines.find((m) => m.Rule === 'take_selftest')!;
    expect(metric).toMatchObject({ Outcome: 'skipped', RuleEvaluations: 1, reason: 'missing section_id' });
  });

  it('rejects a malformed identifier with an error naming the field', async () => {
    await expect(service().resultCreate(result({ id: 'r#1', exercise_type: 'selftest', points: 5 }))).rejects.toThrow(MalformedIdentifierError);
    await expect(service().resultCreate(result({ id: 'r-ok', exercise_type: 'selftest', points: 5, user_id: 'user one' }))).rejects.toThrow(/user_id "user one" is not a valid identifier/);
  });
});

describe('selftest_master', () => {
  it('awards a selftest solved with full points, the first time for its item only', async () => {
    const svc = service();
    await svc.resultCreate(result({ id: 'r-m1', exercise_type: 'selftest', points: 10, max_points: 10, item_id: 'quiz-a', user_id: 'u-master' }));
    await svc.resultCreate(result({ id: 'r-m2', exercise_type: 'selftest', points: 10, max_points: 10, item_id: 'quiz-a', user_id: 'u-master' }));
    await svc.resultCreate(result({ id: 'r-m3', exercise_type: 'selftest', points: 9, max_points: 10, item_id: 'quiz-b', user_id: 'u-master' }));
    await svc.resultCreate(result({ id: 'r-m4', exercise_type: 'selftest', points: 7, max_points: 7, item_id: 'quiz-c', user_id: 'u-master' }));
    const masters = await scores('u-master', 'selftest_master');
    expect(masters.map((s) => [s.checksum, s.data.item_id, s.points]).sort()).toEqual([['r-m1', 'quiz-a', 2], ['r-m4', 'quiz-c', 2]]);
    expect(skipped()).toContain('selftest_master: this selftest was mastered before');
  });

  it('awards only one of two full-point results for the same item handled at the same time, and still the redelivered winner', async () => {
    const svc = service();
    const full = (id: string) => result({ id, exercise_type: 'selftest', points: 5, max_points: 5, item_id: 'quiz-race', user_id: 'u-race' });
    await Promise.all([svc.resultCreate(full('r-race-1')), svc.resultCreate(full('r-race-2'))]);
    const masters = await scores('u-race', 'selftest_master');
    expect(masters).toHaveLength(1);
    await svc.resultCreate(full(masters[0]!.checksum));
    expect(await scores('u-race', 'selftest_master')).toHaveLength(1);
  });

  it('does not run for exams', async () => {
    await service().resultCreate(result({ id: 'r-main-full', exercise_type: 'main', points: 10, max_points: 10, submission_deadline: '2026-12-01T00:00:00Z', user_id: 'u-exam-master' }));
    expect(await scores('u-exam-master', 'selftest_master')).toEqual([]);
  });

  it('gives the per-course selftest_master badge (level 2) at 20 such scores', async () => {
    const svc = service();
    for (let i = 1; i <= 19; i++) await svc.resultCreate(result({ id: `r-b${i}`, exercise_type: 'selftest', points: 4, max_points: 4, item_id: `quiz-${i}`, user_id: 'u-badge' }));
    expect(await world.repos.badges.forUser('u-badge')).toEqual([]);
    await svc.resultCreate(result({ id: 'r-b20', exercise_type: 'selftest', points: 4, max_points: 4, item_id: 'quiz-20', user_id: 'u-badge' }));
    expect((await world.repos.badges.forUser('u-badge')).map((b) => [b.name, b.level, b.course_id])).toEqual([['selftest_master', 2, 'course']]);
  });
});

describe('visit_create, attended_section and continuous_attendance', () => {
  const visit = (user: string, section: string, video: number) => ({ id: `visit-${user}-${section}-${video}`, user_id: user, course_id: 'course', section_id: section, item_id: `${section}-v${video}` });
  const selftest = (user: string, section: string) => result({ id: `self-${user}-${section}`, exercise_type: 'selftest', points: 1, max_points: 10, section_id: section, item_id: `${section}-self`, user_id: user });
  const exam = (user: string, section: string) => result({ id: `exam-${user}-${section}`, exercise_type: 'main', points: 1, section_id: section, item_id: `${section}-exam`, user_id: user, submission_deadline: '2026-12-01T00:00:00Z' });

  async function attend(user: string, section: string) {
    const svc = service();
    for (const v of [1, 2, 3]) await svc.visitCreate(visit(user, section, v));
    await svc.resultCreate(selftest(user, section));
    await svc.resultCreate(exam(user, section));
  }

  it('a visit creates visited_item with the visit\'s data, once', async () => {
    await service().visitCreate(visit('u-visit', 's1', 1));
    await service().visitCreate(visit('u-visit', 's1', 1));
    const list = await scores('u-visit', 'visited_item');
    expect(list.map((s) => [s.checksum, s.points, s.data])).toEqual([['visit-u-visit-s1-1', 0, { visit_id: 'visit-u-visit-s1-1', item_id: 's1-v1', section_id: 's1' }]]);
  });

  it('attended_section needs more than 70 % of the video items visited and a take_exam and a take_selftest score', async () => {
    const svc = service();
    for (let v = 1; v <= 7; v++) await svc.visitCreate(visit('u-tens', 'tens', v));
    await svc.resultCreate(selftest('u-tens', 'tens'));
    await svc.resultCreate(exam('u-tens', 'tens'));
    expect(await scores('u-tens', 'attended_section')).toEqual([]);
    expect(skipped()).toContain('attended_section: visited 7 of 10 video items (needs more than 70 %)');
    await svc.visitCreate(visit('u-tens', 'tens', 8));
    expect((await scores('u-tens', 'attended_section')).map((s) => [s.checksum, s.data])).toEqual([['tens', { section_id: 'tens' }]]);
  });

  it('keeps take_exam and take_selftest scores (0 points) when those rules are switched off, so attended_section still counts them, as Xikolo does', async () => {
    const rules = resolveRules({ xp: { take_exam: { enabled: false }, take_selftest: { enabled: false } } });
    const svc = service(rules);
    for (const v of [1, 2, 3]) await svc.visitCreate(visit('u-offexam', 's1', v));
    await svc.resultCreate(selftest('u-offexam', 's1'));
    await svc.resultCreate(exam('u-offexam', 's1'));
    expect((await scores('u-offexam', 'take_exam')).map((s) => s.points)).toEqual([0]);
    expect((await scores('u-offexam', 'attended_section')).map((s) => s.checksum)).toEqual(['s1']);
  });

  it('without an exam score in the section there is no attended_section', async () => {
    const svc = service();
    for (const v of [1, 2, 3, 4]) await svc.visitCreate(visit('u-noexam', 's1', v));
    await svc.resultCreate(selftest('u-noexam', 's1'));
    expect(await scores('u-noexam', 'attended_section')).toEqual([]);
    expect(skipped()).toContain('attended_section: needs a take_exam and a take_selftest score in the section');
  });

  it('each learner earns attended_section for the same section (the checksum is the section)', async () => {
    await attend('u-a', 's1');
    await attend('u-b', 's1');
    expect(await scores('u-a', 'attended_section')).toHaveLength(1);
    expect(await scores('u-b', 'attended_section')).toHaveLength(1);
  });

  it('continuous_attendance follows an attended previous section: 0 points below min, the configured value from then on', async () => {
    await attend('u-cont', 's1');
    expect(await scores('u-cont', 'continuous_attendance')).toEqual([]);
    await attend('u-cont', 's2');
    await attend('u-cont', 's3');
    const list = await scores('u-cont', 'continuous_attendance', { courseId: 'course' });
    expect(list.map((s) => [s.checksum, s.points]).sort()).toEqual([['s2', 0], ['s3', 10]]);
    await attend('u-cont', 's3');
    expect(await scores('u-cont', 'continuous_attendance')).toHaveLength(2);
  });

  it('no continuous_attendance when the previous section was not attended', async () => {
    await attend('u-gap', 's2');
    expect(await scores('u-gap', 'attended_section')).toHaveLength(1);
    expect(await scores('u-gap', 'continuous_attendance')).toEqual([]);
    expect(skipped()).toContain('continuous_attendance: previous section s1 not attended');
  });

  it('a rule switched off in the environment (not configured) creates nothing and stops its follow-ups', async () => {
    const rules = resolveRules({ xp: { attended_section: { enabled: false } } });
    const svc = service(rules);
    for (const v of [1, 2, 3]) await svc.visitCreate(visit('u-off', 's1', v));
    await svc.resultCreate(selftest('u-off', 's1'));
    await svc.resultCreate(exam('u-off', 's1'));
    expect(await scores('u-off', 'attended_section')).toEqual([]);
    expect(skipped()).toContain('attended_section: rule not configured');
  });
});

describe('vote_create: upvote_answer and upvote_question', () => {
  const vote = (over: Record<string, unknown>) => ({ id: 'vote-1', course_id: 'course', votable_type: 'Answer', votable_id: 'answer-1', votable_user_id: 'u-author', user_id: 'u-voter', value: 1, ...over });

  it('an upvote on one\'s own answer earns nothing', async () => {
    await service().voteCreate(vote({ id: 'vote-own', votable_id: 'answer-own', user_id: 'u-self', votable_user_id: 'u-self' }));
    expect(await scores('u-self', 'upvote_answer')).toEqual([]);
    expect(skipped()).toEqual(['upvote_answer: a vote on one\'s own post earns nothing']);
  });

  it('an upvote on an answer gives its author 10 points, once per answer', async () => {
    await service().voteCreate(vote({}));
    await service().voteCreate(vote({ id: 'vote-2', user_id: 'u-voter-2' }));
    const list = await scores('u-author', 'upvote_answer');
    expect(list.map((s) => [s.checksum, s.points, s.data])).toEqual([['answer-1', 10, { votable_id: 'answer-1' }]]);
  });

  it('an upvote on a question gives 5 points; a downvote or another votable type nothing', async () => {
    await service().voteCreate(vote({ votable_type: 'Question', votable_id: 'question-1', votable_user_id: 'u-asker' }));
    await service().voteCreate(vote({ votable_type: 'Question', votable_id: 'question-2', votable_user_id: 'u-asker', value: -1 }));
    await service().voteCreate(vote({ votable_type: 'Comment', votable_id: 'comment-1', votable_user_id: 'u-asker' }));
    expect((await scores('u-asker', 'upvote_question')).map((s) => [s.checksum, s.points])).toEqual([['question-1', 5]]);
    expect(await scores('u-asker', 'upvote_answer')).toEqual([]);
  });

  it('configured points replace Xikolo\'s defaults', async () => {
    await service(resolveRules({ xp: { upvote_answer: { value: 7 } } })).voteCreate(vote({ votable_id: 'answer-7', votable_user_id: 'u-seven' }));
    expect((await scores('u-seven', 'upvote_answer'))[0]!.points).toBe(7);
  });

  it('a vote without votable_user_id is skipped', async () => {
    await service().voteCreate(vote({ votable_id: 'answer-x', votable_user_id: null }));
    expect(skipped()).toEqual(['upvote_answer: missing votable_user_id']);
  });
});

describe('comment_create, question_create, answer_create', () => {
  const post = (id: string, user: string, over: Record<string, unknown> = {}) => ({ id, user_id: user, course_id: 'course', ...over });

  it('create scores with the post\'s id as checksum and data, answers worth 1 point', async () => {
    const svc = service();
    await svc.commentCreate(post('comment-1', 'u-poster'));
    await svc.questionCreate(post('question-1', 'u-poster'));
    await svc.answerCreate(post('answer-1', 'u-poster', { question_id: 'question-0' }));
    expect((await scores('u-poster', 'create_comment')).map((s) => [s.checksum, s.points, s.data])).toEqual([['comment-1', 0, { comment_id: 'comment-1' }]]);
    expect((await scores('u-poster', 'create_question')).map((s) => [s.checksum, s.data])).toEqual([['question-1', { question_id: 'question-1' }]]);
    expect((await scores('u-poster', 'answered_question')).map((s) => [s.checksum, s.points, s.data])).toEqual([['answer-1', 1, { answer_id: 'answer-1' }]]);
  });

  it('posts in technical-issue sections earn nothing', async () => {
    const svc = service();
    await svc.commentCreate(post('comment-t', 'u-tech', { technical: true }));
    await svc.questionCreate(post('question-t', 'u-tech', { technical: true }));
    await svc.answerCreate(post('answer-t', 'u-tech', { technical: true }));
    for (const rule of ['create_comment', 'create_question', 'answered_question']) expect(await scores('u-tech', rule)).toEqual([]);
  });

  it('communicator badge: levels 0/1/2 at 3/8/13 questions and comments', async () => {
    const svc = service();
    for (let i = 1; i <= 2; i++) await svc.commentCreate(post(`c-comm-${i}`, 'u-comm'));
    expect(await world.repos.badges.forUser('u-comm')).toEqual([]);
    await svc.questionCreate(post('q-comm-3', 'u-comm'));
    expect((await world.repos.badges.forUser('u-comm')).map((b) => [b.name, b.level])).toEqual([['communicator', 0]]);
    for (let i = 4; i <= 8; i++) await svc.commentCreate(post(`c-comm-${i}`, 'u-comm'));
    for (let i = 9; i <= 13; i++) await svc.questionCreate(post(`q-comm-${i}`, 'u-comm'));
    expect((await world.repos.badges.forUser('u-comm')).map((b) => [b.name, b.level, b.course_id])).toEqual([['communicator', 0, undefined], ['communicator', 1, undefined], ['communicator', 2, undefined]]);
  });

  it('answers do not count towards communicator: the badge names rule create_answer, which no rule creates (kept as in Xikolo)', async () => {
    const svc = service();
    for (let i = 1; i <= 13; i++) await svc.answerCreate(post(`a-only-${i}`, 'u-answers'));
    expect(await scores('u-answers', 'answered_question')).toHaveLength(13);
    expect(await world.repos.badges.forUser('u-answers')).toEqual([]);
  });
});

describe('answer_accepted', () => {
  const question = (over: Record<string, unknown>) => ({ id: 'question-acc', user_id: 'u-asker', course_id: 'course', accepted_answer_id: 'answer-acc', accepted_answer_user_id: 'u-helper', ...over });

  it('gives the accepted answer\'s author 30 points, once per answer', async () => {
    await service().answerAccepted(question({}));
    await service().answerAccepted(question({}));
    expect((await scores('u-helper', 'accepted_answer')).map((s) => [s.checksum, s.points, s.data])).toEqual([['answer-acc', 30, { accepted_answer_id: 'answer-acc' }]]);
  });

  it('earns nothing for one\'s own answer, without an accepted answer, or in technical sections', async () => {
    const svc = service();
    await svc.answerAccepted(question({ id: 'q-own', accepted_answer_id: 'a-own', accepted_answer_user_id: 'u-asker' }));
    await svc.answerAccepted(question({ id: 'q-none', accepted_answer_id: null, accepted_answer_user_id: 'u-other' }));
    await svc.answerAccepted(question({ id: 'q-tech', accepted_answer_id: 'a-tech', accepted_answer_user_id: 'u-other', technical: true }));
    expect(await scores('u-asker', 'accepted_answer')).toEqual([]);
    expect(await scores('u-other', 'accepted_answer')).toEqual([]);
    expect(skipped()).toEqual([
      'accepted_answer: accepting one\'s own answer earns nothing',
      'accepted_answer: the question has no accepted answer',
      'accepted_answer: questions in technical-issue sections earn nothing',
    ]);
  });

  it('knowledgeable badge level 0 at 3 accepted answers', async () => {
    for (let i = 1; i <= 3; i++) await service().answerAccepted(question({ id: `q-k${i}`, accepted_answer_id: `a-k${i}`, accepted_answer_user_id: 'u-knows' }));
    expect((await world.repos.badges.forUser('u-knows')).map((b) => [b.name, b.level])).toEqual([['knowledgeable', 0]]);
  });
});

describe('gamification settings', () => {
  it('keeps Xikolo\'s defaults', () => {
    expect(Object.fromEntries(Object.entries(DEFAULT_RULES.xp).map(([k, v]) => [k, v!.value]))).toEqual({
      selftest_master: 2, take_selftest: 0, take_exam: 0, visited_item: 0, attended_section: 0, continuous_attendance: 10,
      upvote_answer: 10, upvote_question: 5, create_comment: 0, create_question: 0, accepted_answer: 30, answered_question: 1,
    });
    expect(DEFAULT_RULES.xp.take_selftest!.params).toEqual({ min_result: 1 });
    expect(DEFAULT_RULES.xp.continuous_attendance!.params).toEqual({ min: 1 });
  });

  it('reads overrides from XIKOLO_GAMIFICATION_RULES and rejects bad ones with the key at fault', () => {
    expect(rulesFromEnv({}).xp.accepted_answer!.value).toBe(30);
    const rules = rulesFromEnv({ XIKOLO_GAMIFICATION_RULES: JSON.stringify({ xp: { take_selftest: { params: { min_result: 3 } }, upvote_question: { enabled: false } } }) });
    expect(rules.xp.take_selftest).toEqual({ value: 0, params: { min_result: 3 } });
    expect(rules.xp.upvote_question).toBeUndefined();
    expect(() => rulesFromEnv({ XIKOLO_GAMIFICATION_RULES: '{"xp":{"upvote_answr":{"value":1}}}' })).toThrow(GamificationRulesError);
    expect(() => rulesFromEnv({ XIKOLO_GAMIFICATION_RULES: '{"xp":{"upvote_answer":{"value":-1}}}' })).toThrow(/xp.upvote_answer.value/);
  });
});

describe('through the consumer runtime (routes.yml, feature flag)', () => {
  function runtime(enabled: boolean) {
    const routes = parseRoutes(parse(readFileSync(join(import.meta.dirname, '..', '..', 'config', 'routes.yml'), 'utf8')), consumers, 'routes.yml');
    return new ConsumerRuntime({
      registry: consumers,
      routes,
      services: createDomainServices({ repositories: world.repos, rules: DEFAULT_RULES }),
      features: { 'gamification.enabled': enabled },
      maxAttempts: 5,
      metrics: new MetricsEmitter({ sink: () => {} }),
      log: () => {},
    });
  }
  const delivery = (value: unknown) => ({
    route: 'gamification#vote_create', routingKey: 'xikolo.pinboard.vote.create', payload: { ok: true as const, value }, rawBody: JSON.stringify(value),
    id: 'evt-1', publishedAt: undefined, redelivered: false, attempt: 1,
  });
  const upvote = { id: 'vote-rt', course_id: 'course', votable_type: 'Answer', votable_id: 'answer-rt', votable_user_id: 'u-rt', user_id: 'u-rt-voter', value: 1 };

  it('does nothing while gamification.enabled is off (the runtime checks the flag)', async () => {
    expect(await runtime(false).dispatch(delivery(upvote))).toEqual({ kind: 'disabled', flag: 'gamification.enabled' });
    expect(await scores('u-rt', 'upvote_answer')).toEqual([]);
  });

  it('awards once when on, however often the event is delivered', async () => {
    const rt = runtime(true);
    expect(await rt.dispatch(delivery(upvote))).toEqual({ kind: 'success' });
    expect(await rt.dispatch({ ...delivery(upvote), redelivered: true, attempt: 2 })).toEqual({ kind: 'success' });
    expect(await scores('u-rt', 'upvote_answer')).toHaveLength(1);
  });
});
