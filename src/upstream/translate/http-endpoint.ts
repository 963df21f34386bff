import { SnetError } from '../../errors/index.ts';

/**
 * `service_endpoint` of a jsonrpc or http service as a URL: `http://…` or `https://…`; a bare `host:port` means
 * `http://host:port`. Throws CONFIG_INVALID for anything else.
 */
export function parseHttpEndpoint(value: string, serviceType: string): URL {
  const text = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//iu.test(text) ? text : `http://${text}`);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    throw new SnetError('CONFIG_INVALID', `service_endpoint "${value}" is not an http:// or https:// URL, which a ${serviceType} service needs`, {
      hint: 'Set service_endpoint to the URL the service listens on, e.g. http://127.0.0.1:5000/rpc.',
    });
  }
  return url;
}
