export { createPriceResolver, type MethodPriceInput, type PriceResolver, type PriceResult, type PricingInput, type ServicePricingInput } from './price-resolver.ts';
