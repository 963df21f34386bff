// The upstream of a jsonrpc, http or process service (service metadata `service_type`), with the protos it reads.
import { availableParallelism } from 'node:os';
import type { DaemonConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import type { Logger } from '../shared/index.ts';
import { createJsonRpcUpstream, createProcessUpstream, createRestUpstream, type CompiledProtos, type ServiceCredential, type Upstream } from '../upstream/index.ts';
import { loadTranslationProtos } from './translation-protos.ts';

/** Service types answered by a translating upstream (the gRPC one is the default upstream). */
export const TRANSLATED_SERVICE_TYPES: ReadonlySet<string> = new Set(['jsonrpc', 'http', 'process']);

type TranslationConfig = Pick<
  DaemonConfig,
  'service_endpoint' | 'executable_path' | 'service_credentials' | 'process_max_running' | 'process_max_queued' | 'max_message_size_in_mb'
> &
  Parameters<typeof loadTranslationProtos>[0];

/**
 * The upstream for `serviceType` (one of {@link TRANSLATED_SERVICE_TYPES}); its `close` also stops the proto reload.
 * Throws CONFIG_INVALID when the type's setting is missing (executable_path for process), and the metadata errors
 * of the protos (the http type cannot work without them).
 */
export async function createTranslatingUpstream(
  deps: { logger: Logger },
  config: TranslationConfig,
  facts: { readonly serviceType: string; readonly encoding: 'proto' | 'json'; readonly userAgent: string },
): Promise<Upstream> {
  const executablePath = config.executable_path ?? '';
  if (facts.serviceType === 'process' && executablePath === '') {
    throw new SnetError('CONFIG_INVALID', 'the service metadata says service_type "process" but executable_path is not set', {
      hint: 'Set executable_path to the program the daemon runs once per call.',
    });
  }
  const live = await loadTranslationProtos(config, deps, facts.serviceType === 'http');
  const maxMessageBytes = config.max_message_size_in_mb * 1024 * 1024;
  let upstream: Upstream;
  if (facts.serviceType === 'jsonrpc') {
    upstream = createJsonRpcUpstream({ endpoint: config.service_endpoint, encoding: facts.encoding, protos: live.current, maxMessageBytes, userAgent: facts.userAgent });
  } else if (facts.serviceType === 'http') {
    upstream = createRestUpstream({
      endpoint: config.service_endpoint,
      encoding: facts.encoding,
      // Required above: the start-up failed if the metadata names no protos.
      protos: live.current as () => CompiledProtos,
      credentials: (config.service_credentials ?? []) as readonly ServiceCredential[],
      maxMessageBytes,
      userAgent: facts.userAgent,
    });
  } else {
    upstream = createProcessUpstream(deps, {
      executablePath,
      maxRunning: config.process_max_running === 0 ? 4 * availableParallelism() : config.process_max_running,
      maxQueued: config.process_max_queued,
      maxMessageBytes,
      protos: live.current,
    });
  }
  deps.logger.info({ serviceType: facts.serviceType, encoding: facts.encoding, endpoint: facts.serviceType === 'process' ? executablePath : config.service_endpoint }, 'translating upstream ready');
  return {
    invoke: (call) => upstream.invoke(call),
    isReachable: (timeoutMs) => upstream.isReachable(timeoutMs),
    close: async () => {
      await upstream.close();
      await live.close();
    },
  };
}
