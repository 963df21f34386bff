// Counters and histograms over fixed label sets, stored in typed arrays so that counting a call is an index
// and an add (no label object, no hash, no string per call); prom-client only formats them at scrape time.
// prom-client's own `labels(...).inc()` hashes the label object on every call (lib/counter.js), too much for
// the per-call path.
import type { Registry } from 'prom-client';

/** One label dimension: its name and every value it can take (index 0 is usually the catch-all). */
export interface LabelDimension {
  readonly name: string;
  readonly values: readonly string[];
}

interface MetricValue {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
}

interface CustomMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: MetricValue[] }>;
  reset(): void;
}

/** Product of dimension sizes: the number of cells of a table. */
function cellCount(dimensions: readonly LabelDimension[]): number {
  return dimensions.reduce((n, d) => n * d.values.length, 1);
}

/** The label set of cell `index` (row-major over `dimensions`). */
function labelsOf(dimensions: readonly LabelDimension[], index: number): Record<string, string> {
  const positions: number[] = [];
  let rest = index;
  for (let d = dimensions.length - 1; d >= 0; d--) {
    const size = (dimensions[d] as LabelDimension).values.length;
    positions[d] = rest % size;
    rest = Math.floor(rest / size);
  }
  // Insertion order is the printed order: the dimensions' order.
  const labels: Record<string, string> = {};
  dimensions.forEach((dimension, d) => {
    labels[dimension.name] = dimension.values[positions[d] as number] as string;
  });
  return labels;
}

/**
 * A counter (or gauge) with one cell per label combination. `cell(i, j, …)` turns dimension indexes into the
 * cell index (do it once where possible); `add(cell, n)` is the per-call operation. Cells never touched are
 * not exported, so a scrape shows only what happened.
 */
export interface CounterTable {
  readonly dimensions: readonly LabelDimension[];
  /** Cell of the given dimension indexes (up to three dimensions; no array per call). */
  cell(a: number, b?: number, c?: number): number;
  add(cell: number, amount?: number): void;
  set(cell: number, value: number): void;
  /** Current value of a cell (tests, alert rules). */
  value(cell: number): number;
}

/** Creates a {@link CounterTable} and registers it in `registry` under `name`. */
export function createCounterTable(registry: Registry, options: { name: string; help: string; type?: 'counter' | 'gauge'; dimensions: readonly LabelDimension[] }): CounterTable {
  const { dimensions } = options;
  const values = new Float64Array(cellCount(dimensions));
  const touched = new Uint8Array(values.length);
  const strides = dimensions.map((_, d) => cellCount(dimensions.slice(d + 1)));
  const metric: CustomMetric = {
    name: options.name,
    help: options.help,
    type: options.type ?? 'counter',
    aggregator: 'sum',
    get() {
      const out: MetricValue[] = [];
      for (let i = 0; i < values.length; i++) if (touched[i] === 1) out.push({ value: values[i] as number, labels: labelsOf(dimensions, i) });
      return Promise.resolve({ name: metric.name, help: metric.help, type: metric.type, aggregator: 'sum', values: out });
    },
    reset() {
      values.fill(0);
      touched.fill(0);
    },
  };
  registry.registerMetric(metric as never);
  return {
    dimensions,
    cell: (a, b = 0, c = 0) => a * (strides[0] ?? 0) + b * (strides[1] ?? 0) + c * (strides[2] ?? 0),
    add(cell, amount = 1) {
      values[cell] = (values[cell] as number) + amount;
      touched[cell] = 1;
    },
    set(cell, value) {
      values[cell] = value;
      touched[cell] = 1;
    },
    value: (cell) => values[cell] as number,
  };
}

/** A histogram with one series per cell of `dimensions`; `observe(cell, seconds)` is a short bucket scan. */
export interface HistogramTable {
  observe(cell: number, value: number): void;
  /** Observations of a cell (tests). */
  count(cell: number): number;
}

/** Latency buckets in seconds, from 100 µs (daemon overhead) to 60 s (slow AI services). */
export const latencyBuckets: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Creates a {@link HistogramTable} (cumulative buckets at export, as Prometheus wants). */
export function createHistogramTable(registry: Registry, options: { name: string; help: string; dimensions: readonly LabelDimension[]; buckets?: readonly number[] }): HistogramTable {
  const { dimensions } = options;
  const bounds = Float64Array.from(options.buckets ?? latencyBuckets);
  const width = bounds.length + 1; // + the +Inf bucket
  const cells = cellCount(dimensions);
  const buckets = new Float64Array(cells * width);
  const sums = new Float64Array(cells);
  const counts = new Float64Array(cells);
  const metric: CustomMetric = {
    name: options.name,
    help: options.help,
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const out: MetricValue[] = [];
      for (let cell = 0; cell < cells; cell++) {
        if (counts[cell] === 0) continue;
        const labels = labelsOf(dimensions, cell);
        let cumulative = 0;
        for (let b = 0; b < width; b++) {
          cumulative += buckets[cell * width + b] as number;
          out.push({ metricName: `${metric.name}_bucket`, value: cumulative, labels: { ...labels, le: b < bounds.length ? (bounds[b] as number) : '+Inf' } });
        }
        out.push({ metricName: `${metric.name}_sum`, value: sums[cell] as number, labels });
        out.push({ metricName: `${metric.name}_count`, value: counts[cell] as number, labels });
      }
      return Promise.resolve({ name: metric.name, help: metric.help, type: 'histogram', aggregator: 'sum', values: out });
    },
    reset() {
      buckets.fill(0);
      sums.fill(0);
      counts.fill(0);
    },
  };
  registry.registerMetric(metric as never);
  return {
    observe(cell, value) {
      let b = 0;
      while (b < bounds.length && value > (bounds[b] as number)) b++;
      const at = cell * width + b;
      buckets[at] = (buckets[at] as number) + 1;
      sums[cell] = (sums[cell] as number) + value;
      counts[cell] = (counts[cell] as number) + 1;
    },
    count: (cell) => counts[cell] as number,
  };
}
