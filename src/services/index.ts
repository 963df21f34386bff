export {
  createUpstreamHealthProbe,
  encodeHealthCheckResponse,
  healthCheckPath,
  healthWatchPath,
  registerHealthService,
  type HealthProbe,
  type HealthServiceOptions,
  type HealthStatus,
} from './health/index.ts';
