export { Job, ConfiguredJob, performAllLater, type AnyJob, type JobClass, type EnqueueOptions, type EnqueuedJob, type PendingJob, type JobArguments } from './job';
export { JobRegistry } from './registry';
export { ExpectedRetry, JobTimeoutError, JobDefinitionError, UndecodableJobError } from './errors';
export type { JobDefinition, JobOptions, RetryOnOptions, RetryWait, ErrorClass } from './definition';
export { setJobAdapter, SqsJobAdapter, EnqueueError, type JobAdapter } from './enqueue';
export { PRIORITY_BANDS, type Priority, type PriorityBand } from './priority';
export { kwargs, GlobalId } from './serialization';
