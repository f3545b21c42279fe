/**
 * The proctoring vendor (SMOWL in Xikolo) behind an interface: the jobs see
 * `ProctoringVendor`, the HTTP client below is one implementation, and its
 * credentials come from Secrets Manager.
 *
 * The HTTP contract (paths, parameters, statuses) is documented in
 * docs/workload.md; the base URL is part of the secret, so a vendor endpoint
 * change needs no deployment.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { bodySnippet, request, type HttpOptions } from './http';

/** The vendor could not answer (network, 5xx, rejected credentials, a reply we cannot read): retried by the jobs. */
export class ProctoringServiceError extends Error {
  static readonly rubyName = 'Proctoring::ServiceError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProctoringServiceError';
  }
}

export interface ProctoringReference {
  readonly courseId: string;
  readonly userId: string;
}

export interface SubmissionReference extends ProctoringReference {
  readonly quizId: string;
}

export type SubmissionResults =
  /** The vendor has finished evaluating the session. */
  | { readonly status: 'ready'; readonly results: Readonly<Record<string, unknown>> }
  /** Still being evaluated: ask again later. */
  | { readonly status: 'pending' };

export interface CertificateImage {
  readonly body: Uint8Array;
  readonly contentType: string;
}

export interface ProctoringVendor {
  submissionResults(ref: SubmissionReference, signal?: AbortSignal): Promise<SubmissionResults>;
  /** The learner's registration image for the certificate; undefined when the vendor has none. */
  certificateImage(ref: ProctoringReference, signal?: AbortSignal): Promise<CertificateImage | undefined>;
}

export interface ProctoringCredentials {
  readonly account_name: string;
  readonly license_key: string;
  /** Default https://results-api.smowltech.net/. */
  readonly base_url?: string;
}

export type CredentialsProvider = () => Promise<ProctoringCredentials>;

export class ProctoringCredentialsError extends Error {
  constructor(secretId: string, problem: string) {
    super(`proctoring credentials secret ${secretId}: ${problem}; set it to JSON {"account_name": "...", "license_key": "...", "base_url"?: "https://..."} in Secrets Manager`);
    this.name = 'ProctoringCredentialsError';
  }
}

export function parseCredentials(secretId: string, raw: string | undefined): ProctoringCredentials {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '');
  } catch {
    throw new ProctoringCredentialsError(secretId, 'is not JSON');
  }
  const v = value as Record<string, unknown>;
  if (typeof v?.account_name !== 'string' || v.account_name === '' || typeof v.license_key !== 'string' || v.license_key === '') {
    throw new ProctoringCredentialsError(secretId, 'needs non-empty account_name and license_key');
  }
  if (v.base_url !== undefined && (typeof v.base_url !== 'string' || !/^https?:\/\//.test(v.base_url))) {
    throw new ProctoringCredentialsError(secretId, 'base_url must be an http(s) URL');
  }
  // Paths are resolved against base_url: without a trailing slash, new URL() would drop its last segment (…/api → …/v2/results).
  const baseUrl = typeof v.base_url === 'string' && v.base_url ? (v.base_url.endsWith('/') ? v.base_url : `${v.base_url}/`) : undefined;
  return { account_name: v.account_name, license_key: v.license_key, ...(baseUrl ? { base_url: baseUrl } : {}) };
}

/** Reads the secret once per container (and again after `ttlMs`, default 5 min, so a rotation is picked up). */
export function secretsManagerCredentials(secretId: string, client: SecretsManagerClient = new SecretsManagerClient({}), ttlMs = 300_000, now: () => number = Date.now): CredentialsProvider {
  let cached: { value: ProctoringCredentials; at: number } | undefined;
  return async () => {
    if (cached && now() - cached.at < ttlMs) return cached.value;
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = parseCredentials(secretId, out.SecretString);
    cached = { value, at: now() };
    return value;
  };
}

const DEFAULT_BASE_URL = 'https://results-api.smowltech.net/';

export class HttpProctoringVendor implements ProctoringVendor {
  constructor(
    private readonly credentials: CredentialsProvider,
    private readonly http: HttpOptions = {},
  ) {}

  async submissionResults(ref: SubmissionReference, signal?: AbortSignal): Promise<SubmissionResults> {
    const response = await this.get('v2/results', { course: ref.courseId, activity: ref.quizId, user: ref.userId }, signal);
    if (response.status === 202 || response.status === 404) return { status: 'pending' };
    await this.expectOk(response, 'results');
    const body = await this.json(response, 'results');
    if (body.status === 'pending' || body.status === 'processing') return { status: 'pending' };
    if (body.status !== 'done' || typeof body.results !== 'object' || body.results === null) {
      throw new ProctoringServiceError(`proctoring vendor: results for user ${ref.userId}, quiz ${ref.quizId} have an unexpected shape (status ${JSON.stringify(body.status)}); check the vendor's API version`);
    }
    return { status: 'ready', results: body.results as Record<string, unknown> };
  }

  async certificateImage(ref: ProctoringReference, signal?: AbortSignal): Promise<CertificateImage | undefined> {
    const response = await this.get('v2/registration-image', { course: ref.courseId, user: ref.userId }, signal);
    if (response.status === 404) return undefined;
    await this.expectOk(response, 'registration image');
    const contentType = response.headers.get('content-type') ?? 'application/octet-stream';
    if (!contentType.startsWith('image/')) {
      throw new ProctoringServiceError(`proctoring vendor: registration image of user ${ref.userId} came as ${contentType}, not an image; check the vendor's API version`);
    }
    return { body: new Uint8Array(await response.arrayBuffer()), contentType };
  }

  private async get(path: string, params: Record<string, string>, signal?: AbortSignal): Promise<Response> {
    const credentials = await this.credentials();
    const url = new URL(path, credentials.base_url ?? DEFAULT_BASE_URL);
    url.searchParams.set('entity', credentials.account_name);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const auth = Buffer.from(`${credentials.account_name}:${credentials.license_key}`).toString('base64');
    try {
      return await request(this.http, url, { headers: { authorization: `Basic ${auth}`, accept: 'application/json, image/*' }, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ProctoringServiceError(`proctoring vendor unreachable at ${url.origin}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async expectOk(response: Response, what: string): Promise<void> {
    if (response.ok) return;
    const detail = await bodySnippet(response);
    const hint = response.status === 401 || response.status === 403 ? ' (credentials rejected: check the proctoring secret)' : '';
    throw new ProctoringServiceError(`proctoring vendor answered ${response.status} for ${what}${hint}: ${detail}`);
  }

  private async json(response: Response, what: string): Promise<Record<string, unknown>> {
    try {
      return (await response.json()) as Record<string, unknown>;
    } catch (error) {
      throw new ProctoringServiceError(`proctoring vendor sent ${what} that are not JSON`, { cause: error });
    }
  }
}
