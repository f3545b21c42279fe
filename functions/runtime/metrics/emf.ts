/**
 * CloudWatch Embedded Metric Format: JSON log lines that CloudWatch Logs
 * turns into metrics without any API call (no PutMetricData per job).
 *
 * Dimensions must stay low-cardinality (never a job or message id): every
 * distinct combination is a billed custom metric. High-cardinality values go
 * in `properties`, where Logs Insights can still find them. A metric may carry
 * an array of values (up to 100), so one line can report many events.
 */

export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds' | 'Bytes' | 'None';

export type MetricValue = number | readonly number[];

export interface MetricEvent {
  /** Dimension name → value. Low-cardinality only. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Dimension sets to publish, each a list of keys of `dimensions`. Default: all dimensions as one set. */
  readonly dimensionSets?: readonly (readonly string[])[];
  /** Metric name → value(s) (and unit, default Count). */
  readonly metrics: Readonly<Record<string, MetricValue | { readonly value: MetricValue; readonly unit: MetricUnit }>>;
  /** Extra searchable fields: ids, tags, anything high-cardinality. */
  readonly properties?: Readonly<Record<string, unknown>>;
}

export type LineSink = (line: string) => void;

export interface EmfOptions {
  /** CloudWatch namespace. Default `XikoloAsync`. */
  readonly namespace?: string;
  /** Dimensions added to every event (for example the environment). */
  readonly defaultDimensions?: Readonly<Record<string, string>>;
  /** Where lines go. Default: stdout, which Lambda ships to CloudWatch Logs. */
  readonly sink?: LineSink;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** EMF allows at most 100 values per metric in one line. */
export const MAX_VALUES_PER_LINE = 100;

const stdoutSink: LineSink = (line) => {
  process.stdout.write(line + '\n');
};

export class MetricsEmitter {
  private readonly namespace: string;
  private readonly defaults: Readonly<Record<string, string>>;
  private readonly defaultKeys: readonly string[];
  private readonly sink: LineSink;
  private readonly now: () => number;
  /** The CloudWatchMetrics directive depends only on the event's shape: serialise it once per shape. */
  private readonly directives = new Map<string, string>();

  constructor(options: EmfOptions = {}) {
    this.namespace = options.namespace ?? 'XikoloAsync';
    this.defaults = options.defaultDimensions ?? {};
    this.defaultKeys = Object.keys(this.defaults);
    this.sink = options.sink ?? stdoutSink;
    this.now = options.now ?? Date.now;
  }

  /** Serialises one event as an EMF line and hands it to the sink. */
  emit(event: MetricEvent): void {
    this.sink(this.format(event));
  }

  format(event: MetricEvent): string {
    const values: Record<string, MetricValue> = {};
    let shape = '';
    for (const name in event.metrics) {
      const metric = event.metrics[name]!;
      const isPlain = typeof metric === 'number' || Array.isArray(metric);
      values[name] = isPlain ? (metric as MetricValue) : (metric as { value: MetricValue }).value;
      shape += `${name}:${isPlain ? 'Count' : (metric as { unit: MetricUnit }).unit};`;
    }
    const sets = event.dimensionSets ?? [Object.keys(event.dimensions)];
    shape += `|${sets.map((set) => set.join(',')).join('|')}`;
    let directive = this.directives.get(shape);
    if (directive === undefined) {
      directive = this.directive(event, sets);
      this.directives.set(shape, directive);
    }
    const body = JSON.stringify({ ...event.properties, ...this.defaults, ...event.dimensions, ...values });
    return `{"_aws":{"Timestamp":${this.now()},"CloudWatchMetrics":${directive}}${body.length > 2 ? ',' : ''}${body.slice(1)}`;
  }

  private directive(event: MetricEvent, sets: readonly (readonly string[])[]): string {
    const dimensions = sets.map((set) => [...this.defaultKeys, ...set.filter((key) => !this.defaultKeys.includes(key))]);
    const metrics = Object.entries(event.metrics).map(([name, metric]) => ({
      Name: name,
      Unit: typeof metric === 'number' || Array.isArray(metric) ? 'Count' : (metric as { unit: MetricUnit }).unit,
    }));
    return JSON.stringify([{ Namespace: this.namespace, Dimensions: dimensions, Metrics: metrics }]);
  }
}
