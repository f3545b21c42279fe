/** The small HTTP layer vendor clients share: an injectable fetch and a timeout per request. */

export type Fetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** fetch implementation; tests inject one or point the client at a local server. */
  readonly fetch?: Fetch;
  /** Milliseconds per request. Default 30 s. */
  readonly timeoutMs?: number;
}

/** One request with a timeout, combined with the caller's abort signal. */
export async function request(options: HttpOptions, url: URL, init: RequestInit & { signal?: AbortSignal } = {}): Promise<Response> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  return (options.fetch ?? fetch)(url, { ...init, signal });
}

/** The start of a response body, for error messages. */
export async function bodySnippet(response: Response): Promise<string> {
  try {
    const text = await response.text();
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return '';
  }
}
