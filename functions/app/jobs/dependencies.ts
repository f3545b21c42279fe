/**
 * What Xikolo's jobs need from the outside world, built lazily once per
 * container from the environment the CDK app sets (tables, bucket, secret),
 * and replaceable as a whole or in part by tests and the local runtime.
 */
import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { repositories, type Repositories } from '../domain';
import { RESOURCE_ENV } from '../domain/tables';
import { HttpProctoringVendor, secretsManagerCredentials, type ProctoringVendor } from '../vendors/proctoring';
import { videoClientFor, type VideoClientFactory } from '../vendors/video';

export interface CertificateStore {
  /** Stores an image under `key`; writing the same key again replaces it. */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
}

/** Where handled errors go (Xikolo reports discarded jobs' errors to its error tracker). */
export type ErrorReporter = (error: Error, context: Readonly<Record<string, unknown>>) => void;

export interface JobDependencies {
  readonly repositories: Repositories;
  readonly proctoring: ProctoringVendor;
  readonly certificates: CertificateStore;
  readonly videoClients: VideoClientFactory;
  readonly report: ErrorReporter;
  readonly now: () => number;
}

export class MissingResourceConfigError extends Error {
  constructor(variable: string, what: string) {
    super(`environment variable ${variable} (${what}) is not set: the CDK app sets it on job workers through DataStack.environmentFor(); locally, set it yourself`);
    this.name = 'MissingResourceConfigError';
  }
}

function required(variable: string, what: string): string {
  const value = process.env[variable];
  if (!value) throw new MissingResourceConfigError(variable, what);
  return value;
}

/** A structured error line in the function's log (CloudWatch Logs Insights finds it by `level`). */
export const logErrorReporter: ErrorReporter = (error, context) => {
  console.error(JSON.stringify({ level: 'error', reported: true, error_class: error.name, message: error.message, ...context }));
};

export class S3CertificateStore implements CertificateStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ServerSideEncryption: 'AES256' }));
  }
}

let overrides: Partial<JobDependencies> = {};
const built: Partial<JobDependencies> = {};

function lazy<K extends keyof JobDependencies>(key: K, build: () => JobDependencies[K]): JobDependencies[K] {
  const override = overrides[key];
  if (override !== undefined) return override as JobDependencies[K];
  built[key] ??= build();
  return built[key] as JobDependencies[K];
}

export function jobDependencies(): JobDependencies {
  return {
    get repositories() {
      return lazy('repositories', () => repositories());
    },
    get proctoring() {
      return lazy('proctoring', () => new HttpProctoringVendor(secretsManagerCredentials(required(RESOURCE_ENV.proctoringSecret, 'the proctoring vendor credentials secret'))));
    },
    get certificates() {
      return lazy('certificates', () => new S3CertificateStore(new S3Client({}), required(RESOURCE_ENV.certificateBucket, 'the certificate image bucket')));
    },
    get videoClients() {
      return lazy('videoClients', () => videoClientFor());
    },
    get report() {
      return lazy('report', () => logErrorReporter);
    },
    get now() {
      return lazy('now', () => Date.now);
    },
  };
}

/** Replaces some dependencies (tests, the local runtime); `undefined` restores the defaults. */
export function setJobDependencies(next: Partial<JobDependencies> | undefined): void {
  overrides = next ?? {};
}
