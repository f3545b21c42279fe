/**
 * Payload schemas of the seed's consumer actions (zod/mini: same checks as
 * zod at a fraction of the bundle size).
 *
 * Each schema checks the fields its action cannot do without, and the types
 * of the fields its rules read. Objects are loose: fields the schema does not
 * name pass through untouched (NewsConsumer#update_state forwards them all).
 *
 * Fields a gamification rule needs are optional here on purpose: in Xikolo a
 * rule whose required keys are missing simply creates no score, and the
 * message is acknowledged; that decision belongs to the rules, not to the
 * transport. Absent values may come as JSON null from Ruby publishers.
 */
import * as z from 'zod/mini';

const id = z.string().check(z.minLength(1));
const optionalId = z.optional(z.nullable(id));
const optionalNumber = z.optional(z.nullable(z.number()));
const optionalBoolean = z.optional(z.nullable(z.boolean()));
const optionalString = z.optional(z.nullable(z.string()));

/** xikolo.course.result.create → gamification#result_create */
export const resultCreatePayload = z.looseObject({
  id,
  user_id: optionalId,
  course_id: optionalId,
  item_id: optionalId,
  section_id: optionalId,
  exercise_type: optionalString,
  points: optionalNumber,
  max_points: optionalNumber,
  submission_deadline: optionalString,
});

/** xikolo.course.visit.create → gamification#visit_create */
export const visitCreatePayload = z.looseObject({
  id,
  user_id: optionalId,
  course_id: optionalId,
  item_id: optionalId,
  section_id: optionalId,
});

/** xikolo.pinboard.vote.create → gamification#vote_create */
export const voteCreatePayload = z.looseObject({
  id,
  votable_type: optionalString,
  votable_id: optionalId,
  votable_user_id: optionalId,
  user_id: optionalId,
  course_id: optionalId,
  value: optionalNumber,
});

/** xikolo.pinboard.comment.create → gamification#comment_create */
export const commentCreatePayload = z.looseObject({
  id,
  user_id: optionalId,
  course_id: optionalId,
  technical: optionalBoolean,
});

/** xikolo.pinboard.question.create → gamification#question_create */
export const questionCreatePayload = z.looseObject({
  id,
  user_id: optionalId,
  course_id: optionalId,
  technical: optionalBoolean,
});

/** xikolo.pinboard.question.update → gamification#answer_accepted */
export const answerAcceptedPayload = z.looseObject({
  id,
  user_id: optionalId,
  course_id: optionalId,
  accepted_answer_id: optionalId,
  accepted_answer_user_id: optionalId,
  technical: optionalBoolean,
});

/** xikolo.pinboard.answer.create → gamification#answer_create */
export const answerCreatePayload = z.looseObject({
  id,
  user_id: optionalId,
  course_id: optionalId,
  question_id: optionalId,
  technical: optionalBoolean,
});

/**
 * xikolo.course.clone → course#clone. Xikolo acknowledges and ignores a clone
 * request without both fields; we dead-letter it with the reason instead: no
 * publisher sends one on purpose, and a silently dropped clone request is
 * invisible to the teacher who asked for it.
 */
export const clonePayload = z.looseObject({
  old_course_id: id,
  new_course_code: z.string().check(z.minLength(1)),
});

/** xikolo.news.update_status → news#update_state: the news id plus the attributes to set. */
export const updateStatePayload = z.looseObject({
  news_id: id,
});

export type ResultCreatePayload = z.infer<typeof resultCreatePayload>;
export type VisitCreatePayload = z.infer<typeof visitCreatePayload>;
export type VoteCreatePayload = z.infer<typeof voteCreatePayload>;
export type CommentCreatePayload = z.infer<typeof commentCreatePayload>;
export type QuestionCreatePayload = z.infer<typeof questionCreatePayload>;
export type AnswerAcceptedPayload = z.infer<typeof answerAcceptedPayload>;
export type AnswerCreatePayload = z.infer<typeof answerCreatePayload>;
export type ClonePayload = z.infer<typeof clonePayload>;
export type UpdateStatePayload = z.infer<typeof updateStatePayload>;
