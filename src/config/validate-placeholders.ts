// `snetd init` writes placeholders (YOUR_SERVICE_ENDPOINT, YOUR_ORG_ID …) that look like values:
// left in place, the daemon would start "ready" and fail every call, or fail later at the chain.
import type { DaemonConfig } from './schema.ts';
import type { RawProblem } from './validate-semantics.ts';

const placeholder = /^YOUR_[A-Z0-9_]+$/;

/** What each placeholder key needs, said in the problem line. */
const whatToSet: Readonly<Record<string, string>> = {
  service_endpoint: 'set the address of your AI service, e.g. http://127.0.0.1:5000 or grpc://127.0.0.1:5000',
  organization_id: 'set the id of your organization in the Registry (snet organization list)',
  service_id: 'set the id of your service in the Registry (snet service metadata)',
};

/**
 * Every config value that is still an `init` placeholder. `organization_id` and `service_id` are
 * placeholders by default and only name the daemon in logs while the blockchain is off; the
 * service endpoint matters only when calls are forwarded (passthrough_enabled).
 */
export function placeholderProblems(config: DaemonConfig): RawProblem[] {
  const problems: RawProblem[] = [];
  const ignored = new Set<string>();
  if (!config.blockchain_enabled) ignored.add('organization_id').add('service_id');
  if (!config.passthrough_enabled) ignored.add('service_endpoint');
  walk(config, []);
  return problems;

  function walk(value: unknown, path: string[]): void {
    if (typeof value === 'string') {
      const key = path.join('.');
      if (placeholder.test(value.trim()) && !ignored.has(key)) {
        problems.push({ key, problem: `still the placeholder written by \`snetd init\`: ${whatToSet[key] ?? 'set your own value'}` });
      }
      return;
    }
    if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, String(index)]));
    else if (value !== null && typeof value === 'object') for (const [key, inner] of Object.entries(value)) walk(inner, [...path, key]);
  }
}
