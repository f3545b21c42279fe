/** Cron: sidekiq-cron lines → EventBridge Scheduler schedules. */
export { CronError } from './errors';
export { parseCron, SPECIALS, type CronSpec, type WeekdayEntry } from './parse';
export { translateCron, awsField, type AwsSchedule, type CronTranslation, type TranslateOptions } from './translate';
export { parseAwsCron, awsFireTimes, awsMatchesDay, AwsCronError, type AwsCron } from './aws-cron';
export { loadCronEntries, CRON_FILE, type CronEntry, type LoadCronOptions } from './config';
export { cronEnvelope, cronJobId, cronSendMessage, sendMessageTargetArn, SCHEDULED_TIME } from './target';
export { isValidTimeZone, wallClockExists, wallClockOf, instantsOf } from './zone';
