/** The repositories of Xikolo's records, built once per container from the table names in the environment. */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sharedDocumentClient } from './dynamo';
import { tableNamesFromEnv, type TableNames } from './tables';
import { BadgeRepository, ScoreRepository } from './gamification';
import { CourseRepository } from './courses';
import { NewsRepository } from './news';
import { LtiRepository } from './lti';
import { ProctoringRepository } from './proctoring';
import { VoucherRepository } from './vouchers';
import { VideoRepository } from './videos';
import { AccountRepository } from './accounts';

export interface Repositories {
  readonly scores: ScoreRepository;
  readonly badges: BadgeRepository;
  readonly courses: CourseRepository;
  readonly news: NewsRepository;
  readonly lti: LtiRepository;
  readonly proctoring: ProctoringRepository;
  readonly vouchers: VoucherRepository;
  readonly videos: VideoRepository;
  readonly accounts: AccountRepository;
}

/** Repositories are created on first use, so a function only needs the table variables it actually uses. */
export function createRepositories(options: { db?: DynamoDBDocumentClient; tables?: TableNames; now?: () => number } = {}): Repositories {
  const db = () => options.db ?? sharedDocumentClient();
  const tables = options.tables ?? tableNamesFromEnv();
  const now = options.now ?? Date.now;
  const cache = new Map<keyof Repositories, unknown>();
  const lazy = <K extends keyof Repositories>(key: K, build: () => Repositories[K]) => ({
    enumerable: true,
    get: () => {
      if (!cache.has(key)) cache.set(key, build());
      return cache.get(key) as Repositories[K];
    },
  });
  return Object.defineProperties({} as Repositories, {
    scores: lazy('scores', () => new ScoreRepository(db(), tables.gamification, now)),
    badges: lazy('badges', () => new BadgeRepository(db(), tables.gamification, now)),
    courses: lazy('courses', () => new CourseRepository(db(), tables.courses, now)),
    news: lazy('news', () => new NewsRepository(db(), tables.news, now)),
    lti: lazy('lti', () => new LtiRepository(db(), tables.lti)),
    proctoring: lazy('proctoring', () => new ProctoringRepository(db(), tables.proctoring, now)),
    vouchers: lazy('vouchers', () => new VoucherRepository(db(), tables.vouchers, now)),
    videos: lazy('videos', () => new VideoRepository(db(), tables.videos, now)),
    accounts: lazy('accounts', () => new AccountRepository(db(), tables.accounts)),
  });
}

let shared: Repositories | undefined;

/** The container's repositories (set by tests and the local runtime through setRepositories). */
export function repositories(): Repositories {
  shared ??= createRepositories();
  return shared;
}

export function setRepositories(next: Repositories | undefined): void {
  shared = next;
}

export { RecordNotFound, MalformedIdentifierError, identifier } from './errors';
