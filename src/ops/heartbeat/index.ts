export { computeDaemonId } from './daemon-id.ts';
export { createServiceProbe, type ServiceProbe, type ServiceProbeOptions, type ServingStatus } from './service-probe.ts';
export { createHeartbeat, type Heartbeat, type HeartbeatOptions } from './heartbeat.ts';
