export { createPrepaidTokens, type PrepaidTokenOptions, type PrepaidTokens, type TokenVerdict } from './prepaid-token.ts';
export { decodePrepaidUsage, encodePrepaidUsage, NO_USAGE, prepaidUsageKey, prepaidUsageVersion, type PrepaidUsage } from './prepaid-usage.ts';
export {
  createPrepaidPlanner,
  type PlannedChannelView,
  type PrepaidAuthorisation,
  type PrepaidPlanner,
  type PrepaidPlannerDeps,
  type PrepaidPlannerOptions,
} from './prepaid-plan.ts';
export {
  createPrepaidPaymentHandler,
  type PrepaidCharge,
  type PrepaidPaymentHandlerDeps,
  type PrepaidPaymentHandlerOptions,
} from './prepaid-payment-handler.ts';
