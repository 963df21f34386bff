export { createUpstreamHealthProbe, type HealthProbe, type HealthStatus } from './health-probe.ts';
export { encodeHealthCheckResponse, healthCheckPath, healthWatchPath, registerHealthService, type HealthServiceOptions } from './health-service.ts';
