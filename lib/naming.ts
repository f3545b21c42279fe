/** Resource names are prefixed per environment, so environments never share a queue, bus or schedule. */
export function stackName(environment: string, concern: string): string {
  return `xikolo-async-${environment}-${concern}`;
}

/** A physical name for an environment's resource: `xikolo-async-<env>-<suffix>`. */
export function resourceName(environment: string, suffix: string): string {
  return `xikolo-async-${environment}-${suffix}`;
}

function slug(name: string): string {
  return name.replace(/_/g, '-');
}

/** The SQS queue of one ActiveJob queue's priority band: `xikolo-async-<env>-jobs-<queue>-<band>`. */
export function jobBandQueueName(environment: string, queue: string, band: string): string {
  return resourceName(environment, `jobs-${slug(queue)}-${slug(band)}`);
}

/** The dead-letter queue of one ActiveJob queue. */
export function jobDeadLetterQueueName(environment: string, queue: string): string {
  return resourceName(environment, `jobs-${slug(queue)}-dlq`);
}

/** A function serving one ActiveJob queue (`worker`, `starter`, `slice`). */
export function jobFunctionName(environment: string, queue: string, role: string): string {
  return resourceName(environment, `jobs-${slug(queue)}-${role}`);
}
