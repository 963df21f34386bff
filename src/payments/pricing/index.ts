export { createPriceResolver, type MethodPriceInput, type PriceResolver, type PriceResult, type PricingInput, type ServicePricingInput } from './price-resolver.ts';
export { describeEstimateMethods, ESTIMATE_PRICE_OPTION, extractEstimateMethods, type EstimateMethods, type ProtoFile } from './estimate-methods.ts';
export { decodePriceInCogs, type PriceInCogsResult } from './price-in-cogs.ts';
export { createDynamicPricing, dynamicPriceFailedError, type DynamicPricing, type EstimateCall, type EstimateRequest } from './dynamic-pricing.ts';
