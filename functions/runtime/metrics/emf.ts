/**
 * CloudWatch Embedded Metric Format: one JSON log line per event, turned into
 * metrics by CloudWatch Logs without any API call (no PutMetricData per job).
 *
 * Dimensions must stay low-cardinality (never a job or message id): every
 * distinct combination is a billed custom metric. High-cardinality values go
 * in `properties`, where Logs Insights can still find them.
 */

export type MetricUnit = 'Count' | 'Seconds' | 'Milliseconds' | 'Bytes' | 'None';

export interface MetricEvent {
  /** Dimension name → value. Low-cardinality only. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Dimension sets to publish, each a list of keys of `dimensions`. Default: all dimensions as one set. */
  readonly dimensionSets?: readonly (readonly string[])[];
  /** Metric name → value (and unit). */
  readonly metrics: Readonly<Record<string, number | { value: number; unit: MetricUnit }>>;
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

const stdoutSink: LineSink = (line) => {
  process.stdout.write(line + '\n');
};

export class MetricsEmitter {
  private readonly namespace: string;
  private readonly defaults: Readonly<Record<string, string>>;
  private readonly sink: LineSink;
  private readonly now: () => number;

  constructor(options: EmfOptions = {}) {
    this.namespace = options.namespace ?? 'XikoloAsync';
    this.defaults = options.defaultDimensions ?? {};
    this.sink = options.sink ?? stdoutSink;
    this.now = options.now ?? Date.now;
  }

  /** Serialises one event as an EMF line and hands it to the sink. */
  emit(event: MetricEvent): void {
    this.sink(this.format(event));
  }

  format(event: MetricEvent): string {
    const dimensions = { ...this.defaults, ...event.dimensions };
    const defaultKeys = Object.keys(this.defaults);
    const sets = (event.dimensionSets ?? [Object.keys(event.dimensions)]).map((set) => [
      ...defaultKeys,
      ...set.filter((key) => !defaultKeys.includes(key)),
    ]);
    const metricDefinitions: { Name: string; Unit: MetricUnit }[] = [];
    const values: Record<string, number> = {};
    for (const [name, metric] of Object.entries(event.metrics)) {
      const { value, unit } = typeof metric === 'number' ? { value: metric, unit: 'Count' as const } : metric;
      metricDefinitions.push({ Name: name, Unit: unit });
      values[name] = value;
    }
    return JSON.stringify({
      _aws: {
        Timestamp: this.now(),
        CloudWatchMetrics: [{ Namespace: this.namespace, Dimensions: sets, Metrics: metricDefinitions }],
      },
      ...event.properties,
      ...dimensions,
      ...values,
    });
  }
}
