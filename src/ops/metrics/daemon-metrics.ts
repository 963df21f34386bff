// The daemon's Prometheus registry: every metric it exports, created once at start-up. Per-call counting goes
// through typed-array tables (dense-metrics.ts); values that already exist elsewhere (transport counters,
// process figures) are read at scrape time, so they cost nothing per call.
import { createRequire } from 'node:module';
import type * as promClientModule from 'prom-client';
import type { Registry } from 'prom-client';
import { createCounterTable, createHistogramTable, type CounterTable, type HistogramTable, type LabelDimension } from './dense-metrics.ts';
import { connectionProtocolLabels, dependencyLabels, paymentOutcomeLabels, paymentTypeLabels, statusLabels } from './label-sets.ts';

/** Live figures of the listener, read at each scrape (the transport's `stats()`). */
export interface TransportSnapshot {
  readonly activeCalls: number;
  readonly handlersRunning: number;
  readonly connections: number;
  readonly http2Streams: number;
  readonly bytesReceived: number;
  readonly bytesSent: number;
  /** Connections accepted since start, by protocol (`h2c`, `h2`, `http1`, `https1`). */
  readonly connectionsAccepted: Readonly<Record<string, number>>;
}

/** Settings of {@link createDaemonMetrics}. */
export interface DaemonMetricsOptions {
  /** Daemon version, exported as `snetd_info{version}`. */
  readonly version: string;
  /** Method paths always labelled by name (the daemon's own methods, methods the owner lists). */
  readonly knownMethods: readonly string[];
  /**
   * Further method labels learned from calls the service answered (not UNIMPLEMENTED), at most this many;
   * later ones count as `unknown`. Bounds the series a client can create. @default 100
   */
  readonly maxLearnedMethods?: number;
  /** Export node process metrics (CPU, memory, event loop, GC) as `snetd_process_*` / `snetd_nodejs_*`. @default true */
  readonly processMetrics?: boolean;
}

/** The metrics of one daemon. */
export interface DaemonMetrics {
  readonly registry: Registry;
  /** `content-type` of {@link render}'s text. */
  readonly contentType: string;
  /** The Prometheus text exposition of every metric. */
  render(): Promise<string>;
  /** Label index of a method path: a known or learned method, else 0 (`unknown`). */
  methodIndex(path: string): number;
  /** Learns `path` as a method label if there is room; returns its index (0 when full). */
  learnMethod(path: string): number;
  /** calls_total{method, payment_type, code} */
  readonly calls: CounterTable;
  /** Whole call, from the daemon taking it to its status: {method}. */
  readonly callSeconds: HistogramTable;
  /** The daemon's own share of a call (call time minus service time): {method}. */
  readonly overheadSeconds: HistogramTable;
  /** Time the service took (upstream call): {method}. */
  readonly serviceSeconds: HistogramTable;
  /** payments_total{payment_type, outcome} */
  readonly payments: CounterTable;
  /** earned_cogs_total{payment_type}: prices of calls that were paid and answered OK. */
  readonly earnedCogs: CounterTable;
  /** Failures of a dependency seen by calls or by the payment layer: {dependency}. */
  readonly dependencyErrors: CounterTable;
  /** Round trips to a dependency reported by the payment layer: {dependency}. */
  readonly dependencySeconds: HistogramTable;
  /** Service up (1) / down (0) from the heartbeat probe; absent until the first probe or with no probe. */
  setServiceUp(up: boolean | undefined): void;
  /** Unclaimed signed amount and channels close to expiry, reported by whoever scans channels. */
  setChannelExposure(unclaimedCogs: number, channelsNearExpiry: number): void;
  /** Days until a certificate expires (`ssl_cert`, `payment_channel_cert_path`), by role. */
  setCertificateExpiry(role: 'tls' | 'storage_client', seconds: number | undefined): void;
  /** Where scrapes read the transport's live figures; set once the listener exists. */
  readTransportFrom(snapshot: () => TransportSnapshot): void;
}

const methodDimensionName = 'method';

// prom-client is loaded when the registry is built, not when the ops domain is imported: `snetd config`
// and the other CLI commands (which import ops for the logging checks) start without it.
const requireCjs = createRequire(import.meta.url);

/** Builds the registry and every metric. */
export function createDaemonMetrics(options: DaemonMetricsOptions): DaemonMetrics {
  const { collectDefaultMetrics, Gauge, Registry } = requireCjs('prom-client') as typeof promClientModule;
  const registry = new Registry();
  const maxLearned = options.maxLearnedMethods ?? 100;
  const known = [...new Set(options.knownMethods)];
  // Index 0 is `unknown`; then known methods; then room for learned ones. Table cells exist for all of them
  // from the start, so learning a method allocates nothing but its map entry.
  const methodValues: string[] = ['unknown', ...known, ...Array.from({ length: maxLearned }, () => '')];
  const methodIndexes = new Map(known.map((path, index) => [path, index + 1]));
  let nextLearned = known.length + 1;
  const method: LabelDimension = { name: methodDimensionName, values: methodValues };
  const paymentType: LabelDimension = { name: 'payment_type', values: paymentTypeLabels };
  const prefix = 'snetd_';

  const metrics: DaemonMetrics = {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    methodIndex: (path) => methodIndexes.get(path) ?? 0,
    learnMethod(path) {
      const existing = methodIndexes.get(path);
      if (existing !== undefined) return existing;
      if (nextLearned >= methodValues.length) return 0;
      const index = nextLearned++;
      methodValues[index] = path;
      methodIndexes.set(path, index);
      return index;
    },
    calls: createCounterTable(registry, {
      name: `${prefix}calls_total`,
      help: 'Calls by method, payment type and final gRPC status (refused calls included).',
      dimensions: [method, paymentType, { name: 'code', values: statusLabels }],
    }),
    callSeconds: createHistogramTable(registry, { name: `${prefix}call_duration_seconds`, help: 'Call duration from the daemon taking the call to its status.', dimensions: [method] }),
    overheadSeconds: createHistogramTable(registry, {
      name: `${prefix}call_overhead_seconds`,
      help: "The daemon's share of a call: call duration minus the time spent in the service.",
      dimensions: [method],
    }),
    serviceSeconds: createHistogramTable(registry, { name: `${prefix}service_duration_seconds`, help: 'Time the service took to answer a forwarded call.', dimensions: [method] }),
    payments: createCounterTable(registry, {
      name: `${prefix}payments_total`,
      help: 'Payment checks by payment type and outcome: accepted, or the refusal reason.',
      dimensions: [paymentType, { name: 'outcome', values: paymentOutcomeLabels }],
    }),
    earnedCogs: createCounterTable(registry, {
      name: `${prefix}earned_cogs_total`,
      help: 'Price in cogs of the paid calls the service answered OK (the payment was committed).',
      dimensions: [paymentType],
    }),
    dependencyErrors: createCounterTable(registry, {
      name: `${prefix}dependency_errors_total`,
      help: 'Failures reaching the channel storage or the chain.',
      dimensions: [{ name: 'dependency', values: dependencyLabels }],
    }),
    dependencySeconds: createHistogramTable(registry, {
      name: `${prefix}dependency_duration_seconds`,
      help: 'Round-trip time of channel storage and chain requests.',
      dimensions: [{ name: 'dependency', values: dependencyLabels }],
    }),
    setServiceUp(up) {
      if (up === undefined) serviceUp.reset();
      else serviceUp.set(up ? 1 : 0);
    },
    setChannelExposure(unclaimedCogs, channelsNearExpiry) {
      unclaimed.set(unclaimedCogs);
      nearExpiry.set(channelsNearExpiry);
    },
    setCertificateExpiry(role, seconds) {
      if (seconds === undefined) certificateExpiry.remove(role);
      else certificateExpiry.set({ certificate: role }, seconds);
    },
    readTransportFrom(read) {
      snapshot = read;
    },
  };

  let snapshot: (() => TransportSnapshot) | undefined;
  const serviceUp = new Gauge({ name: `${prefix}service_up`, help: 'Service heartbeat: 1 when the last probe found the service up, 0 when down; absent with no probe configured.', registers: [registry] });
  const unclaimed = new Gauge({ name: `${prefix}unclaimed_cogs`, help: 'Signed but not yet claimed amount over all channels, in cogs.', registers: [registry] });
  const nearExpiry = new Gauge({ name: `${prefix}channels_near_expiry`, help: 'Channels holding unclaimed funds whose expiration is near.', registers: [registry] });
  const certificateExpiry = new Gauge({
    name: `${prefix}certificate_expiry_seconds`,
    help: 'Seconds until a certificate the daemon uses expires (negative once expired).',
    labelNames: ['certificate'],
    registers: [registry],
  });
  new Gauge({ name: `${prefix}info`, help: 'Constant 1, labelled with the daemon version.', labelNames: ['version'], registers: [registry] }).set({ version: options.version }, 1);
  const transportGauge = (name: string, help: string, read: (s: TransportSnapshot) => number): void => {
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers: [registry],
      collect() {
        if (snapshot !== undefined) this.set(read(snapshot()));
      },
    });
  };
  transportGauge('calls_in_flight', 'Calls whose status is not sent yet.', (s) => s.activeCalls);
  transportGauge('handlers_running', 'Calls whose interceptors still settle (in flight, or cancelled while a payment is released).', (s) => s.handlersRunning);
  transportGauge('http2_streams_open', 'Open HTTP/2 streams over all client connections.', (s) => s.http2Streams);
  transportGauge('connections_open', 'Open client connections.', (s) => s.connections);
  // Counters read from the transport's running totals: Prometheus needs counter semantics, prom-client
  // only increments, so these are gauges of monotonic totals named and typed as counters by hand.
  const transportTotal = (name: string, help: string, read: (s: TransportSnapshot) => number): void => {
    registry.registerMetric({
      name: `${prefix}${name}`,
      help,
      type: 'counter',
      aggregator: 'sum',
      get: () => Promise.resolve({ name: `${prefix}${name}`, help, type: 'counter', aggregator: 'sum', values: snapshot === undefined ? [] : [{ value: read(snapshot()), labels: {} }] }),
      reset: () => undefined,
    } as never);
  };
  transportTotal('received_bytes_total', 'Bytes received from clients (all connections, wire level).', (s) => s.bytesReceived);
  transportTotal('sent_bytes_total', 'Bytes sent to clients (all connections, wire level).', (s) => s.bytesSent);
  const connectionsName = `${prefix}connections_total`;
  const connectionsHelp = 'Client connections accepted, by protocol (h2c, h2 = HTTP/2 over TLS, http1, https1).';
  registry.registerMetric({
    name: connectionsName,
    help: connectionsHelp,
    type: 'counter',
    aggregator: 'sum',
    get: () =>
      Promise.resolve({
        name: connectionsName,
        help: connectionsHelp,
        type: 'counter',
        aggregator: 'sum',
        values: snapshot === undefined ? [] : connectionProtocolLabels.map((protocol) => ({ value: snapshot?.().connectionsAccepted[protocol] ?? 0, labels: { protocol } })),
      }),
    reset: () => undefined,
  } as never);
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix });
  return metrics;
}
