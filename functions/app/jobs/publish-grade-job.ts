import * as z from 'zod/mini';
import { ApplicationJob } from './application-job';
import { recordId, idOf, type RecordIdArgument } from './arguments';
import { jobDependencies } from './dependencies';
import { RecordNotFound } from '../domain/errors';

/** Points of a grade: the item's maximum (in deci-points) times the grade's share, to one decimal. */
export function gradePoints(maxDpoints: number, value: number): number {
  return Math.round((maxDpoints / 10) * value * 10) / 10;
}

/**
 * Lti::PublishGradeJob(grade_id): publishes an LTI grade to the course as the
 * learner's result for the item of the exercise.
 *
 * A grade, gradebook or item that no longer exists cannot be published now or
 * later: the job is discarded and the reason reported, never retried.
 */
export class PublishGradeJob extends ApplicationJob<[grade: RecordIdArgument]> {
  static {
    this.configure({ name: 'Lti::PublishGradeJob', arguments: z.tuple([recordId('Lti::Grade')]) });
    this.discardOn(RecordNotFound, (job, error) => jobDependencies().report(error, { job: 'Lti::PublishGradeJob', job_id: job.jobId }));
  }

  async perform(grade: RecordIdArgument): Promise<void> {
    const { repositories: repos } = jobDependencies();
    const gradeId = idOf('grade_id', grade);
    const found = await repos.lti.findGrade(gradeId);
    if (!found) throw new RecordNotFound('Lti::Grade', gradeId);
    const gradebook = await repos.lti.findGradebook(found.gradebook_id);
    if (!gradebook) throw new RecordNotFound('Lti::Gradebook', found.gradebook_id);
    const item = await repos.courses.findItemByContent(gradebook.exercise_id);
    if (!item) throw new RecordNotFound('Course::Item with content', gradebook.exercise_id);
    if (typeof item.max_dpoints !== 'number') {
      throw new TypeError(`item ${item.id} (LTI exercise ${gradebook.exercise_id}) has no max_dpoints: set the item's maximum points, then retry the job from the dead-letter queue`);
    }
    await repos.courses.putResult({ user_id: gradebook.user_id, item_id: item.id, points: gradePoints(item.max_dpoints, found.value) });
  }
}
