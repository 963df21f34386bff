import { createHash } from 'node:crypto';

/**
 * The daemon id of the reference (Go `metrics/register.go`): hex sha256 of the plain concatenation
 * organization_id + service_id + group id (base64) + registry address.
 */
export function computeDaemonId(organizationId: string, serviceId: string, groupIdBase64: string, registryAddress: string): string {
  return createHash('sha256').update(`${organizationId}${serviceId}${groupIdBase64}${registryAddress}`).digest('hex');
}
