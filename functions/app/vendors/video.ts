/**
 * Video providers behind an interface: Video::SyncVideosJob sees
 * `VideoProviderClient`; `VimeoClient` is the fetch-based implementation for
 * Vimeo accounts (Xikolo's main provider). Other provider types plug in
 * through `videoClientFor`.
 */
import type { VideoAttributes, VideoProvider } from '../domain/videos';
import { bodySnippet, request, type HttpOptions } from './http';

/** The provider refused the account's credentials (Xikolo's Video::Provider::AuthenticationFailed). */
export class AuthenticationFailed extends Error {
  static readonly rubyName = 'Video::Provider::AuthenticationFailed';
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationFailed';
  }
}

/** The provider account is suspended or lacks the plan the API needs (Video::Provider::AccountInactive). */
export class AccountInactive extends Error {
  static readonly rubyName = 'Video::Provider::AccountInactive';
  constructor(message: string) {
    super(message);
    this.name = 'AccountInactive';
  }
}

/** A transient provider problem (network, rate limit, 5xx): the job fails the attempt and is retried. */
export class VideoProviderError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'VideoProviderError';
  }
}

export class UnknownProviderTypeError extends Error {
  constructor(provider: VideoProvider) {
    super(`video provider ${provider.id} (${provider.name}) has provider_type "${provider.provider_type}", which this deployment cannot sync: supported types are ${Object.keys(CLIENTS).join(', ')}`);
    this.name = 'UnknownProviderTypeError';
  }
}

/** A video as the provider's API returns it (the stored record adds provider and sync time). */
export type RemoteVideo = VideoAttributes;

export interface VideoProviderClient {
  /** Videos changed since `since` (all videos when undefined), newest first, page by page. */
  videos(options: { since?: Date; signal?: AbortSignal }): AsyncIterable<RemoteVideo[]>;
}

interface VimeoVideo {
  uri?: string;
  name?: string;
  duration?: number;
  modified_time?: string;
  pictures?: { base_link?: string };
  files?: { quality?: string; rendition?: string; link?: string }[];
}

export class VimeoClient implements VideoProviderClient {
  constructor(
    private readonly token: string,
    private readonly http: HttpOptions & { baseUrl?: string; perPage?: number } = {},
  ) {}

  async *videos(options: { since?: Date; signal?: AbortSignal }): AsyncIterable<RemoteVideo[]> {
    const base = this.http.baseUrl ?? 'https://api.vimeo.com/';
    let next: string | undefined = `me/videos?per_page=${this.http.perPage ?? 100}&sort=modified_time&direction=desc&fields=uri,name,duration,modified_time,pictures.base_link,files`;
    while (next) {
      const url = new URL(next, base);
      let response: Response;
      try {
        response = await request(this.http, url, {
          headers: { authorization: `bearer ${this.token}`, accept: 'application/vnd.vimeo.*+json;version=3.4' },
          ...(options.signal ? { signal: options.signal } : {}),
        });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        throw new VideoProviderError(`Vimeo unreachable at ${url.origin}: ${(error as Error).message}`, { cause: error });
      }
      if (response.status === 401) throw new AuthenticationFailed(`Vimeo rejected the access token (401): ${await bodySnippet(response)}; renew the provider's token`);
      if (response.status === 403) throw new AccountInactive(`Vimeo refused access to the account's videos (403): ${await bodySnippet(response)}; check the account's status and plan`);
      if (!response.ok) throw new VideoProviderError(`Vimeo answered ${response.status} for ${url.pathname}: ${await bodySnippet(response)}`);
      const page = (await response.json()) as { data?: VimeoVideo[]; paging?: { next?: string | null } };
      const videos = (page.data ?? []).map(toRemoteVideo).filter((v): v is RemoteVideo => v !== undefined);
      const fresh = options.since ? videos.filter((v) => !v.remote_modified_at || new Date(v.remote_modified_at) >= options.since!) : videos;
      if (fresh.length > 0) yield fresh;
      // Sorted by modification time: once a page reaches videos older than `since`, the rest are older still.
      next = fresh.length < videos.length ? undefined : (page.paging?.next ?? undefined);
    }
  }
}

function toRemoteVideo(video: VimeoVideo): RemoteVideo | undefined {
  const id = video.uri?.split('/').pop();
  if (!id || !/^\d+$/.test(id)) return undefined;
  const streams: Record<string, string> = {};
  for (const file of video.files ?? []) {
    const key = file.rendition ?? file.quality;
    if (key && file.link) streams[key] = file.link;
  }
  return {
    remote_id: id,
    title: video.name ?? '',
    ...(typeof video.duration === 'number' ? { duration_seconds: video.duration } : {}),
    ...(video.pictures?.base_link ? { thumbnail_url: video.pictures.base_link } : {}),
    ...(Object.keys(streams).length > 0 ? { streams } : {}),
    ...(video.modified_time ? { remote_modified_at: new Date(video.modified_time).toISOString() } : {}),
  };
}

const CLIENTS: Record<string, (provider: VideoProvider, http: HttpOptions) => VideoProviderClient> = {
  vimeo: (provider, http) => {
    const token = provider.settings?.token;
    if (!token) throw new AuthenticationFailed(`video provider ${provider.id} (${provider.name}) has no access token in its settings; add one`);
    return new VimeoClient(token, http);
  },
};

export type VideoClientFactory = (provider: VideoProvider) => VideoProviderClient;

export function videoClientFor(http: HttpOptions = {}): VideoClientFactory {
  return (provider) => {
    const build = CLIENTS[provider.provider_type];
    if (!build) throw new UnknownProviderTypeError(provider);
    return build(provider, http);
  };
}
