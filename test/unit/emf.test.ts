import { describe, it, expect } from 'vitest';
import { MetricsEmitter } from '../../functions/runtime/metrics/emf';

describe('EMF lines', () => {
  const lines: string[] = [];
  const emitter = new MetricsEmitter({ namespace: 'Test', defaultDimensions: { Environment: 'dev' }, sink: (l) => lines.push(l), now: () => 1_700_000_000_000 });

  it('writes the CloudWatch directive, dimensions, values and properties as one JSON object', () => {
    emitter.emit({ dimensions: { Queue: 'default' }, metrics: { Jobs: 1, RunTime: { value: 0.25, unit: 'Seconds' } }, properties: { id: 'job-1' } });
    expect(JSON.parse(lines[0]!)).toEqual({
      _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: 'Test', Dimensions: [['Environment', 'Queue']], Metrics: [{ Name: 'Jobs', Unit: 'Count' }, { Name: 'RunTime', Unit: 'Seconds' }] }] },
      Environment: 'dev',
      Queue: 'default',
      Jobs: 1,
      RunTime: 0.25,
      id: 'job-1',
    });
  });

  it('keeps directives of different shapes apart and carries arrays of values', () => {
    emitter.emit({ dimensions: { JobName: 'A' }, dimensionSets: [['JobName']], metrics: { ItemsDone: [3, 4] } });
    emitter.emit({ dimensions: { Queue: 'mails' }, metrics: { Jobs: 1, RunTime: { value: 1, unit: 'Seconds' } } });
    const [second, third] = lines.slice(1).map((l) => JSON.parse(l));
    expect(second._aws.CloudWatchMetrics[0]).toEqual({ Namespace: 'Test', Dimensions: [['Environment', 'JobName']], Metrics: [{ Name: 'ItemsDone', Unit: 'Count' }] });
    expect(second.ItemsDone).toEqual([3, 4]);
    expect(third._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Environment', 'Queue']]);
    expect(third.Queue).toBe('mails');
  });
});
