/**
 * The custom resource behind Amazon MQ mode's topology: on Create and Update
 * it declares the topology (idempotent); on Delete it keeps everything (the
 * queues may hold messages; deleting the stack deletes the broker anyway).
 * It answers CloudFormation itself (PUT to the pre-signed ResponseURL), so a
 * failure reaches the stack events with its reason instead of a timeout.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { errorFields, jsonLogger, type Logger } from './log';
import { declareTopology, ManagementApi, ManagementApiError, TopologyError, type DeclareReport, type TopologySpec } from './topology';

export interface TopologyResourceOptions {
  credentials(secretArn: string): Promise<{ username: string; password: string }>;
  readonly fetchImpl?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts while the broker's management API is not reachable yet. Default 10. */
  readonly attempts?: number;
  readonly log?: Logger;
}

export interface TopologyResourceProperties {
  readonly ManagementUrl: string;
  readonly SecretArn: string;
  /** JSON of TopologySpec (CloudFormation would turn numbers into strings otherwise). */
  readonly Topology: string;
}

function parseSpec(text: string): TopologySpec {
  const spec = JSON.parse(text) as TopologySpec;
  if (!spec || typeof spec.exchange !== 'string' || !Array.isArray(spec.queues) || typeof spec.deliveryLimit !== 'number') {
    throw new TopologyError('the Topology property is not a topology specification: synthesize the stack again');
  }
  return spec;
}

const transient = (error: unknown) => !(error instanceof ManagementApiError && error.status < 500) && !(error instanceof TopologyError && !(error instanceof ManagementApiError));

export function createTopologyResourceHandler(options: TopologyResourceOptions): (event: CloudFormationCustomResourceEvent) => Promise<void> {
  const fetchImpl = options.fetchImpl ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempts = options.attempts ?? 10;
  const log = options.log ?? jsonLogger;

  async function respond(event: CloudFormationCustomResourceEvent, status: 'SUCCESS' | 'FAILED', physicalId: string, reason: string, data: Record<string, string>): Promise<void> {
    const body = JSON.stringify({
      Status: status,
      Reason: reason.slice(0, 3500),
      PhysicalResourceId: physicalId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: data,
    });
    const response = await fetchImpl(event.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
    if (!response.ok) throw new Error(`CloudFormation response upload failed with ${response.status}`);
  }

  return async (event) => {
    const props = event.ResourceProperties as unknown as TopologyResourceProperties;
    const physicalId = event.RequestType === 'Create' ? `msgr-topology-${event.LogicalResourceId}` : event.PhysicalResourceId;
    if (event.RequestType === 'Delete') {
      await respond(event, 'SUCCESS', physicalId, 'topology kept: queues may hold messages', {});
      return;
    }
    try {
      const spec = parseSpec(props.Topology);
      const credentials = await options.credentials(props.SecretArn);
      const api = new ManagementApi({ url: props.ManagementUrl, ...credentials }, fetchImpl);
      let report: DeclareReport | undefined;
      for (let attempt = 1; ; attempt++) {
        try {
          report = await declareTopology(api, spec);
          break;
        } catch (error) {
          if (attempt >= attempts || !transient(error)) throw error;
          log('warn', 'management API not ready; retrying', { attempt, ...errorFields(error) });
          await sleep(Math.min(30_000, 2_000 * attempt));
        }
      }
      log('info', 'topology declared', { ...report });
      await respond(event, 'SUCCESS', physicalId, `declared ${report.queues.length} queues, added ${report.bindingsAdded} bindings, removed ${report.bindingsRemoved.length}`, {
        Exchange: spec.exchange,
        DeadLetterExchange: spec.deadLetterExchange,
      });
    } catch (error) {
      log('error', 'topology declaration failed', errorFields(error));
      await respond(event, 'FAILED', physicalId, `Msgr topology on ${props.ManagementUrl}: ${(error as Error).message}`, {});
    }
  };
}
