/**
 * Counts AWS requests at two levels:
 *
 * - SDK: a middleware on every client the benchmark creates records each
 *   command (service and operation) and tags its HTTP request with the
 *   client's role (producer, worker, event source mapping …).
 * - HTTP: Node's `http.client.request.start` diagnostics channel (and
 *   undici's, for fetch) sees every request this process sends, from any
 *   client, instrumented or not; the service is read from the SigV4
 *   credential scope (`…/<region>/<service>/aws4_request`) or the host.
 *
 * The per-job figures come from the HTTP level (what goes on the wire,
 * retries included); the SDK level is a cross-check. A request no
 * instrumented client made shows up as role "unattributed".
 */
import dc from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export interface RequestEntry {
  readonly layer: 'sdk' | 'http';
  readonly role: string;
  readonly service: string;
  readonly operation: string;
}

const ROLE_HEADER = 'x-bench-client';

/** SigV4 signing names and SDK service ids → the names the tables use. */
const SERVICE_NAMES: Record<string, string> = {
  sqs: 'SQS',
  dynamodb: 'DynamoDB',
  events: 'EventBridge',
  eventbridge: 'EventBridge',
  scheduler: 'Scheduler',
  monitoring: 'CloudWatch',
  cloudwatch: 'CloudWatch',
  logs: 'CloudWatch Logs',
  'cloudwatch logs': 'CloudWatch Logs',
  states: 'Step Functions',
  sfn: 'Step Functions',
  secretsmanager: 'Secrets Manager',
  'secrets manager': 'Secrets Manager',
};

export function serviceName(raw: string): string {
  return SERVICE_NAMES[raw.toLowerCase()] ?? raw;
}

function headerValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? String(value[0]) : String(value);
}

function classify(host: string, headers: (name: string) => string | undefined, path: string, method: string): { service: string; operation: string } {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(headers('authorization') ?? '')?.[1];
  const service = scope ?? /^([a-z0-9-]+)\./.exec(host)?.[1] ?? host;
  const target = headers('x-amz-target');
  const operation = target ? target.slice(target.lastIndexOf('.') + 1) : `${method} ${path.split('?')[0]}`;
  return { service: serviceName(service), operation };
}

type Middleware = (next: (args: { request: unknown }) => Promise<unknown>, context: { commandName?: string; clientName?: string }) => (args: { request: unknown }) => Promise<unknown>;

interface Instrumentable {
  readonly config: { serviceId?: string };
  readonly middlewareStack: { add(middleware: Middleware, options: { step: 'build'; name: string }): void };
}

export class RequestCounter {
  readonly entries: RequestEntry[] = [];

  private readonly onHttp = (message: unknown) => {
    const request = (message as { request?: ClientRequest }).request;
    if (!request) return;
    const header = (name: string) => headerValue(request.getHeader(name));
    const { service, operation } = classify(request.host ?? header('host') ?? '', header, request.path ?? '/', request.method ?? 'GET');
    this.entries.push({ layer: 'http', role: header(ROLE_HEADER) ?? 'unattributed', service, operation });
  };

  private readonly onUndici = (message: unknown) => {
    const request = (message as { request?: { origin?: string; path?: string; method?: string; headers?: string | string[] } }).request;
    if (!request) return;
    const raw = request.headers ?? [];
    const pairs: [string, string][] = [];
    if (typeof raw === 'string') {
      for (const line of raw.split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0) pairs.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
      }
    } else {
      for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([String(raw[i]).toLowerCase(), String(raw[i + 1])]);
    }
    const header = (name: string) => pairs.find(([k]) => k === name)?.[1];
    const host = (request.origin ?? '').replace(/^https?:\/\//, '');
    const { service, operation } = classify(host, header, request.path ?? '/', request.method ?? 'GET');
    this.entries.push({ layer: 'http', role: header(ROLE_HEADER) ?? 'unattributed', service, operation });
  };

  start(): this {
    dc.subscribe('http.client.request.start', this.onHttp);
    dc.subscribe('undici:request:create', this.onUndici);
    return this;
  }

  stop(): void {
    dc.unsubscribe('http.client.request.start', this.onHttp);
    dc.unsubscribe('undici:request:create', this.onUndici);
  }

  /** Counts the client's commands and tags its HTTP requests with `role`. */
  instrument<C extends { readonly config: object; readonly middlewareStack: object }>(client: C, role: string): C {
    const target = client as unknown as Instrumentable;
    const service = serviceName(target.config.serviceId ?? 'unknown');
    target.middlewareStack.add(
      (next, context) => async (args) => {
        this.entries.push({ layer: 'sdk', role, service, operation: (context.commandName ?? 'unknown').replace(/Command$/, '') });
        const request = args.request as { headers?: Record<string, string> } | undefined;
        if (request?.headers) request.headers[ROLE_HEADER] = role;
        return next(args);
      },
      { step: 'build', name: `benchRequestCounter-${role}` },
    );
    return client;
  }

  mark(): number {
    return this.entries.length;
  }

  since(mark: number, layer: 'sdk' | 'http' = 'http'): RequestEntry[] {
    return this.entries.slice(mark).filter((e) => e.layer === layer);
  }

  total(role: string, layer: 'sdk' | 'http' = 'http'): number {
    return this.entries.filter((e) => e.layer === layer && e.role === role).length;
  }
}

export function countBy(entries: readonly RequestEntry[], predicate: (e: RequestEntry) => boolean): number {
  return entries.filter(predicate).length;
}
