/** Vendor clients at their HTTP boundary: a local HTTP server plays the vendor. */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { HttpProctoringVendor, parseCredentials, ProctoringServiceError, ProctoringCredentialsError, secretsManagerCredentials, type ProctoringCredentials } from '../../functions/app/vendors/proctoring';
import { VimeoClient, AuthenticationFailed, AccountInactive, VideoProviderError, videoClientFor, UnknownProviderTypeError } from '../../functions/app/vendors/video';

type Reply = { status: number; headers?: Record<string, string>; body?: string | Buffer };
let server: Server;
let base: string;
const requests: { url: URL; headers: IncomingMessage['headers'] }[] = [];
let route: (url: URL) => Reply = () => ({ status: 404 });

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://localhost');
    requests.push({ url, headers: req.headers });
    const reply = route(url);
    res.writeHead(reply.status, reply.headers ?? { 'content-type': 'application/json' });
    res.end(reply.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
});

describe('proctoring vendor client', () => {
  const credentials = async (): Promise<ProctoringCredentials> => ({ account_name: 'openhpi', license_key: 's3cret', base_url: base });
  const vendor = () => new HttpProctoringVendor(credentials, { timeoutMs: 2000 });
  const ref = { courseId: 'c1', quizId: 'q1', userId: 'u1' };

  it('asks for a submission\'s results with the account\'s credentials and returns them when done', async () => {
    route = () => ({ status: 200, body: JSON.stringify({ status: 'done', results: { passed: true, wrong_user: 0 } }) });
    expect(await vendor().submissionResults(ref)).toEqual({ status: 'ready', results: { passed: true, wrong_user: 0 } });
    const [req] = requests;
    expect(req!.url.pathname).toBe('/v2/results');
    expect(Object.fromEntries(req!.url.searchParams)).toEqual({ entity: 'openhpi', course: 'c1', activity: 'q1', user: 'u1' });
    expect(req!.headers.authorization).toBe(`Basic ${Buffer.from('openhpi:s3cret').toString('base64')}`);
  });

  it('reports results still being evaluated as pending (202, 404 or status processing)', async () => {
    for (const reply of [{ status: 202 }, { status: 404 }, { status: 200, body: JSON.stringify({ status: 'processing' }) }]) {
      route = () => reply;
      expect(await vendor().submissionResults(ref)).toEqual({ status: 'pending' });
    }
  });

  it('turns server errors, rejected credentials, unreadable replies and network failures into ServiceError', async () => {
    route = () => ({ status: 503, body: 'maintenance' });
    await expect(vendor().submissionResults(ref)).rejects.toThrow(/answered 503 for results: maintenance/);
    route = () => ({ status: 401, body: 'bad key' });
    await expect(vendor().submissionResults(ref)).rejects.toThrow(/credentials rejected/);
    route = () => ({ status: 200, body: 'not json' });
    await expect(vendor().submissionResults(ref)).rejects.toThrow(ProctoringServiceError);
    route = () => ({ status: 200, body: JSON.stringify({ status: 'weird' }) });
    await expect(vendor().submissionResults(ref)).rejects.toThrow(/unexpected shape/);
    const unreachable = new HttpProctoringVendor(async () => ({ account_name: 'a', license_key: 'b', base_url: 'http://127.0.0.1:1/' }));
    await expect(unreachable.submissionResults(ref)).rejects.toThrow(/unreachable/);
  });

  it('downloads the registration image as bytes with its content type, and undefined when there is none', async () => {
    route = () => ({ status: 200, headers: { 'content-type': 'image/jpeg' }, body: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) });
    const image = await vendor().certificateImage({ courseId: 'c1', userId: 'u1' });
    expect(image!.contentType).toBe('image/jpeg');
    expect([...image!.body]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
    expect(requests[0]!.url.pathname).toBe('/v2/registration-image');
    route = () => ({ status: 404 });
    expect(await vendor().certificateImage({ courseId: 'c1', userId: 'u1' })).toBeUndefined();
    route = () => ({ status: 200, body: '{"error":"html page"}' });
    await expect(vendor().certificateImage({ courseId: 'c1', userId: 'u1' })).rejects.toThrow(/not an image/);
  });

  it('reads the credentials from Secrets Manager once and rejects a malformed secret with what to set', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ account_name: 'openhpi', license_key: 'k' }) });
    const provider = secretsManagerCredentials('xikolo-async-test-proctoring', new SecretsManagerClient({ region: 'eu-central-1' }));
    expect(await provider()).toEqual({ account_name: 'openhpi', license_key: 'k' });
    await provider();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input.SecretId).toBe('xikolo-async-test-proctoring');
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ account_name: 'openhpi' }) });
    const bad = secretsManagerCredentials('s', new SecretsManagerClient({ region: 'eu-central-1' }));
    await expect(bad()).rejects.toThrow(ProctoringCredentialsError);
    await expect(bad()).rejects.toThrow(/needs non-empty account_name and license_key/);
    sm.restore();
  });
});

describe('Vimeo client', () => {
  const video = (id: number, modified: string) => ({ uri: `/videos/${id}`, name: `Video ${id}`, duration: 60 + id, modified_time: modified, pictures: { base_link: `https://i.vimeocdn.com/${id}` }, files: [{ rendition: '720p', link: `https://player.vimeo.com/${id}/720` }] });

  function pages(): (url: URL) => Reply {
    return (url) => {
      const page = url.searchParams.get('page') ?? '1';
      if (page === '1') {
        return { status: 200, body: JSON.stringify({ data: [video(3, '2026-12-04T11:00:00Z'), video(2, '2026-12-04T09:00:00Z')], paging: { next: '/me/videos?page=2&per_page=2' } }) };
      }
      return { status: 200, body: JSON.stringify({ data: [video(1, '2026-11-01T00:00:00Z')], paging: { next: null } }) };
    };
  }

  async function collect(client: VimeoClient, since?: Date) {
    const all = [];
    for await (const page of client.videos(since ? { since } : {})) all.push(...page);
    return all;
  }

  it('lists every video page by page with the bearer token', async () => {
    route = pages();
    const videos = await collect(new VimeoClient('tok', { fetch, baseUrl: base }));
    expect(videos.map((v) => v.remote_id)).toEqual(['3', '2', '1']);
    expect(videos[0]).toEqual({ remote_id: '3', title: 'Video 3', duration_seconds: 63, thumbnail_url: 'https://i.vimeocdn.com/3', streams: { '720p': 'https://player.vimeo.com/3/720' }, remote_modified_at: '2026-12-04T11:00:00.000Z' });
    expect(requests.map((r) => r.headers.authorization)).toEqual(['bearer tok', 'bearer tok']);
  });

  it('stops at the first video older than the last sync (newest first)', async () => {
    route = pages();
    const videos = await collect(new VimeoClient('tok', { baseUrl: base }), new Date('2026-12-04T10:00:00Z'));
    expect(videos.map((v) => v.remote_id)).toEqual(['3']);
    expect(requests).toHaveLength(1);
  });

  it('raises AuthenticationFailed on 401, AccountInactive on 403 and a retryable error otherwise', async () => {
    route = () => ({ status: 401, body: '{"error":"token revoked"}' });
    await expect(collect(new VimeoClient('tok', { baseUrl: base }))).rejects.toThrow(AuthenticationFailed);
    route = () => ({ status: 403, body: '{"error":"account suspended"}' });
    await expect(collect(new VimeoClient('tok', { baseUrl: base }))).rejects.toThrow(AccountInactive);
    route = () => ({ status: 429, body: 'slow down' });
    await expect(collect(new VimeoClient('tok', { baseUrl: base }))).rejects.toThrow(VideoProviderError);
  });

  it('picks the client by provider type and refuses unknown types and providers without a token', () => {
    const factory = videoClientFor();
    expect(factory({ id: 'p', name: 'P', provider_type: 'vimeo', settings: { token: 't' } })).toBeInstanceOf(VimeoClient);
    expect(() => factory({ id: 'p', name: 'P', provider_type: 'kaltura' })).toThrow(UnknownProviderTypeError);
    expect(() => factory({ id: 'p', name: 'P', provider_type: 'vimeo' })).toThrow(AuthenticationFailed);
  });
});

describe('proctoring credentials', () => {
  it('keeps a base_url path: a URL without a trailing slash gets one, so v2/results resolves under it', () => {
    const creds = parseCredentials('proctoring', JSON.stringify({ account_name: 'a', license_key: 'b', base_url: 'https://vendor.example/api' }));
    expect(creds.base_url).toBe('https://vendor.example/api/');
    expect(new URL('v2/results', creds.base_url).href).toBe('https://vendor.example/api/v2/results');
  });
});
