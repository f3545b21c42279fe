/**
 * The jobs an application knows, by the class name Rails writes in
 * `job_class`. The runtime resolves messages through it; the CDK app reads it
 * to size queues and check limits.
 */
import type { JobClass } from './job';
import { JobDefinitionError } from './errors';

export class JobRegistry {
  private readonly byName = new Map<string, JobClass>();

  constructor(jobs: readonly JobClass[] = []) {
    for (const job of jobs) this.register(job);
  }

  register(job: JobClass): this {
    const { name } = job.definition;
    if (!(job as unknown as { hasDeclaredName: boolean }).hasDeclaredName) {
      throw new JobDefinitionError(job.name, 'declare its Ruby class name with this.configure({ name: "Module::ClassName" }) so Rails and cron.yml can address it');
    }
    const existing = this.byName.get(name);
    if (existing && existing !== job) {
      throw new JobDefinitionError(name, `registered twice (classes ${existing.name} and ${job.name}): job names must be unique`);
    }
    this.byName.set(name, job);
    return this;
  }

  find(name: string): JobClass | undefined {
    return this.byName.get(name);
  }

  all(): JobClass[] {
    return [...this.byName.values()];
  }

  onQueue(queue: string): JobClass[] {
    return this.all().filter((job) => job.definition.queue === queue);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }
}
