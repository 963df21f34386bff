export { remainingMs, type CallContext, type CallProtocol } from './call-context.ts';
export { createContextKey, createContextValues, type ContextKey, type ContextValues } from './context-values.ts';
export { paymentInfoKey, type PaymentInfo } from './payment-info.ts';
export { applyInterceptors, isOkOutcome, type CallHandler, type Interceptor } from './interceptor.ts';
export {
  createServiceRegistry,
  type MethodOptions,
  type SendMessage,
  type ServerStreamingMethod,
  type ServiceRegistry,
  type StreamingMethod,
  type UnaryMethod,
} from './service-registry.ts';
export { createRouter } from './router.ts';
export { createUpstreamHandler } from './upstream-handler.ts';
export { createEchoHandler } from './echo-handler.ts';
export type { CallOutcome, HeaderList, Metadata, ReadonlyMetadata, RequestMessages, ResponseWriter } from '../upstream/index.ts';
export { createAccessLog, type AccessLog } from './access-log.ts';
export { createRateLimiter, createRateLimitInterceptor, rateLimitClientKey, rateLimitedError, rateLimitedMessage, type BucketSettings, type RateLimiter, type RateLimitSettings } from './rate-limit.ts';
export { createProcessingSwitch, createStopSwitchInterceptor, notProcessingMessage, type ProcessingSwitch } from './stop-switch.ts';
