/** Resource names are prefixed per environment, so environments never share a queue, bus or schedule. */
export function stackName(environment: string, concern: string): string {
  return `xikolo-async-${environment}-${concern}`;
}

/** A physical name for an environment's resource: `xikolo-async-<env>-<suffix>`. */
export function resourceName(environment: string, suffix: string): string {
  return `xikolo-async-${environment}-${suffix}`;
}
