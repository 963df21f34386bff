import { SnetError } from '../errors/index.ts';
import type { Interceptor } from './interceptor.ts';

/** Whether the daemon takes new proxied calls; flipped by an administrator (configuration service). */
export interface ProcessingSwitch {
  readonly processing: boolean;
  /** New proxied calls are refused from now on; calls in flight finish. */
  stop(): void;
  start(): void;
}

/** The reference's refusal text (Go `handler/stream_interceptor.go`). */
export const notProcessingMessage = 'No requests are currently being processed, please try again later';

/** A switch that starts in the processing state, as the reference does. */
export function createProcessingSwitch(): ProcessingSwitch {
  let processing = true;
  return {
    get processing() {
      return processing;
    },
    stop() {
      processing = false;
    },
    start() {
      processing = true;
    },
  };
}

/** Refuses new calls with UNAVAILABLE while the switch is off; checked before the rate limit (it costs nothing). */
export function createStopSwitchInterceptor(processingSwitch: ProcessingSwitch): Interceptor {
  return (next) => (ctx) => {
    if (processingSwitch.processing) return next(ctx);
    return Promise.reject(new SnetError('DAEMON_NOT_PROCESSING', notProcessingMessage, { hint: 'an administrator stopped request processing; retry later' }));
  };
}
