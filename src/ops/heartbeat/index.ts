export { computeDaemonId } from './daemon-id.ts';
export { createServiceProbe, type ServiceProbe, type ServiceProbeOptions, type ServingStatus } from './service-probe.ts';
export { createHeartbeat, type Heartbeat, type HeartbeatOptions } from './heartbeat.ts';
export { createSharedProbe, type SharedProbeOptions } from './shared-probe.ts';
export { createHeartbeatMonitor, type HeartbeatMonitor, type HeartbeatMonitorOptions } from './heartbeat-monitor.ts';
export { readCertDetails, readCertificateValidity, type CertDetails } from './cert-details.ts';
