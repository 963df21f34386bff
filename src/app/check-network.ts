// `snetd config --check-network`: reach every peer the daemon needs (chain RPC, IPFS, etcd, the
// service) once, with a short timeout, and say which fail. Plain fetch and TCP: nothing here
// builds the daemon, and a URL is shown only with its secrets masked.
import { connect } from 'node:net';
import { normaliseServiceEndpoint, showValue, type DaemonConfig } from '../config/index.ts';

/** The outcome of reaching one peer. */
export interface NetworkCheck {
  /** What was reached: `rpc`, `ipfs`, `etcd`, `service`. */
  readonly peer: string;
  /** The address as it may be shown (secrets masked). */
  readonly target: string;
  readonly ok: boolean;
  /** What answered, or why it failed. */
  readonly detail: string;
}

function causeText(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return `${code}${current.message.includes(code) ? '' : `: ${current.message}`}`;
    if (current.cause === undefined) return current.message;
    current = current.cause;
  }
  return String(error);
}

async function postJson(url: string, body: unknown, timeoutMs: number, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
}

async function checkRpc(config: DaemonConfig, timeoutMs: number): Promise<NetworkCheck> {
  const url = (config.ethereum_json_rpc_http_endpoint ?? '').trim() || (config.blockchain_network_selected === 'local' ? 'http://127.0.0.1:8545' : '');
  const target = showValue('ethereum_json_rpc_http_endpoint', url, true);
  if (url === '') return { peer: 'rpc', target, ok: false, detail: 'no ethereum_json_rpc_http_endpoint set' };
  try {
    // Loaded here only: the chain code is heavy and the other checks do not need it.
    const { providerAuthHeaders } = await import('../blockchain/index.ts');
    const response = await postJson(url, { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }, timeoutMs, providerAuthHeaders(url, config.blockchain_provider_api_key));
    if (!response.ok) return { peer: 'rpc', target, ok: false, detail: `HTTP ${response.status}` };
    const body = (await response.json()) as { result?: string; error?: { message?: string } };
    if (typeof body.result !== 'string') return { peer: 'rpc', target, ok: false, detail: `no chain id in the answer (${body.error?.message ?? 'empty result'})` };
    return { peer: 'rpc', target, ok: true, detail: `chain id ${Number(BigInt(body.result))}` };
  } catch (error) {
    return { peer: 'rpc', target, ok: false, detail: causeText(error) };
  }
}

async function checkIpfs(config: DaemonConfig, timeoutMs: number): Promise<NetworkCheck> {
  const target = showValue('ipfs_endpoint', config.ipfs_endpoint, true);
  try {
    // The Kubo RPC API answers POST only; /api/v0/version is its cheapest call.
    const response = await fetch(new URL('/api/v0/version', config.ipfs_endpoint), { method: 'POST', signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { peer: 'ipfs', target, ok: false, detail: `HTTP ${response.status} from /api/v0/version` };
    const body = (await response.json().catch(() => ({}))) as { Version?: string };
    return { peer: 'ipfs', target, ok: true, detail: body.Version === undefined ? 'answers' : `version ${body.Version}` };
  } catch (error) {
    return { peer: 'ipfs', target, ok: false, detail: causeText(error) };
  }
}

async function checkEtcd(endpoint: string, timeoutMs: number): Promise<NetworkCheck> {
  const target = showValue('payment_channel_storage_client.endpoints', endpoint, true);
  try {
    const response = await fetch(new URL('/version', endpoint), { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { peer: 'etcd', target, ok: false, detail: `HTTP ${response.status} from /version` };
    const body = (await response.json().catch(() => ({}))) as { etcdserver?: string };
    return { peer: 'etcd', target, ok: true, detail: body.etcdserver === undefined ? 'answers' : `etcd ${body.etcdserver}` };
  } catch (error) {
    return { peer: 'etcd', target, ok: false, detail: causeText(error) };
  }
}

function checkService(config: DaemonConfig, timeoutMs: number): Promise<NetworkCheck> {
  const target = showValue('service_endpoint', config.service_endpoint, true);
  const url = normaliseServiceEndpoint(config.service_endpoint);
  if (url === undefined) return Promise.resolve({ peer: 'service', target, ok: false, detail: 'not a URL or host:port' });
  const secure = url.protocol === 'https:' || url.protocol === 'grpcs:';
  const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean, detail: string): void => {
      socket.destroy();
      resolve({ peer: 'service', target, ok, detail });
    };
    socket.once('connect', () => done(true, `accepts connections on ${host}:${port}`));
    socket.once('timeout', () => done(false, `no answer from ${host}:${port} within ${timeoutMs} ms`));
    socket.once('error', (error) => done(false, causeText(error)));
  });
}

/**
 * Reaches every peer this configuration names, in parallel: the chain RPC and IPFS when the
 * blockchain is on (IPFS only without local metadata files), the configured etcd members, and the
 * service when calls are forwarded. etcd members announced only in the organization metadata are
 * not known without the chain and are not checked here.
 */
export async function checkNetwork(config: DaemonConfig, options: { timeoutMs?: number } = {}): Promise<NetworkCheck[]> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const checks: Array<Promise<NetworkCheck>> = [];
  if (config.blockchain_enabled) {
    checks.push(checkRpc(config, timeoutMs));
    const metadataFromFiles = (config.service_metadata_file ?? '') !== '' && (config.org_metadata_file ?? '') !== '';
    if (!metadataFromFiles) checks.push(checkIpfs(config, timeoutMs));
  }
  if (config.payment_channel_storage_type !== 'embedded' && config.payment_channel_storage_type !== 'memory') {
    for (const endpoint of config.payment_channel_storage_client.endpoints ?? []) checks.push(checkEtcd(endpoint, timeoutMs));
  }
  if (config.passthrough_enabled) checks.push(checkService(config, timeoutMs));
  return Promise.all(checks);
}
