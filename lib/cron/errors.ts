/** A cron expression that cannot become EventBridge schedules: why, and what to write instead. */
export class CronError extends Error {
  override readonly name = 'CronError';
  constructor(
    /** The expression as written. */
    readonly expression: string,
    /** What is wrong, with the fix. */
    readonly reason: string,
    /** `syntax`: fugit would not accept it either; `untranslatable`: valid, but EventBridge cannot fire at exactly those times. */
    readonly kind: 'syntax' | 'untranslatable',
  ) {
    super(`"${expression}": ${reason}`);
  }
}
