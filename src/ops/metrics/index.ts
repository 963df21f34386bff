export { createDaemonMetrics, type DaemonMetrics, type DaemonMetricsOptions, type TransportSnapshot } from './daemon-metrics.ts';
export { createCallMetrics, serviceTimer, type CallEnd, type CallMetrics, type CallMetricsOptions } from './call-metrics.ts';
export { latencyBuckets, type CounterTable, type HistogramTable } from './dense-metrics.ts';
export { statusLabels, paymentTypeLabels, paymentOutcomeLabels } from './label-sets.ts';
export { parseAdminEndpoint, startAdminListener, type AdminListener, type AdminRoute } from './admin-listener.ts';
