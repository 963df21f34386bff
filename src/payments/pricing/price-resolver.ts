import { SnetError } from '../../errors/index.ts';
import { priceUndefinedError, type PaymentError } from '../payment-error.ts';

// Pricing as Go `pricing/*.go` does it. The metadata is parsed elsewhere (blockchain/metadata);
// this module takes a small structural input so app/ can map the parsed metadata onto it.

/** One method's price inside `fixed_price_per_method` details. */
export interface MethodPriceInput {
  /** `method_name`, e.g. `add`. */
  readonly methodName: string;
  /** `price_in_cogs`. */
  readonly priceInCogs: bigint;
}

/** One service's methods inside `fixed_price_per_method` details. */
export interface ServicePricingInput {
  /** `service_name`, e.g. `Calculator`. */
  readonly serviceName: string;
  readonly methodPricing: readonly MethodPriceInput[];
}

/**
 * One entry of a service-metadata group's `pricing[]`, in camelCase:
 * `{ price_model, price_in_cogs, package_name, details[].service_name, details[].method_pricing[].{method_name, price_in_cogs}, default }`.
 */
export interface PricingInput {
  /** `price_model`: `fixed_price` (one price for every method) or `fixed_price_per_method` (a table). */
  readonly priceModel: 'fixed_price' | 'fixed_price_per_method';
  /** `price_in_cogs`: required for `fixed_price`. */
  readonly priceInCogs?: bigint;
  /** `package_name` of the proto package; omitted or empty when the service has no package. */
  readonly packageName?: string;
  /** `details`: required for `fixed_price_per_method`. */
  readonly details?: readonly ServicePricingInput[];
  /** `default`: in a list of entries, the one marked `true` is used. */
  readonly default?: boolean;
}

/** Outcome of a price lookup. */
export type PriceResult = { readonly ok: true; readonly value: bigint } | { readonly ok: false; readonly error: PaymentError };

/**
 * The price of one call, in cogs, by full gRPC method path (`/<package>.<Service>/<Method>`). One Map
 * lookup (or none, for `fixed_price`). An unknown method under `fixed_price_per_method` is INTERNAL
 * `internal error: price is not defined for the Method <path>` (Go `pricing/fixed_method_pricing.go`), as a result, never a throw.
 */
export type PriceResolver = (methodPath: string) => PriceResult;

function invalid(message: string): SnetError {
  return new SnetError('PAYMENT_PRICING_INVALID', message, {
    hint: 'Publish service metadata whose group has a pricing entry with "default": true and a valid price_model.',
  });
}

function checkPrice(price: bigint | undefined, where: string): bigint {
  if (typeof price !== 'bigint') throw invalid(`${where}: price_in_cogs is missing`);
  if (price < 0n) throw invalid(`${where}: price_in_cogs is negative (${price})`);
  return price;
}

/**
 * The entry the reference uses: a single entry as is; from a list, the one with `default: true`
 * (Go fails metadata loading with `metadata does not have the default pricing set` when there is none;
 * note the Python SDK uses `pricing[0]`).
 */
function selectEntry(pricing: PricingInput | readonly PricingInput[]): PricingInput {
  if (!Array.isArray(pricing)) return pricing as PricingInput;
  const entry = (pricing as readonly PricingInput[]).find((p) => p.default === true);
  if (entry === undefined) throw invalid('metadata does not have the default pricing set');
  return entry;
}

/**
 * Builds the price lookup once at start-up (and again when the metadata changes). Throws an
 * `SnetError` `PAYMENT_PRICING_INVALID` when the pricing cannot be used (no default entry, unknown model,
 * missing or negative price). Duplicate method entries: the last one wins, as in the reference's map fill.
 * Dynamic pricing (`enable_dynamic_pricing`) and training prices are not handled here.
 */
export function createPriceResolver(pricing: PricingInput | readonly PricingInput[]): PriceResolver {
  const entry = selectEntry(pricing);
  switch (entry.priceModel) {
    case 'fixed_price': {
      const price = checkPrice(entry.priceInCogs, 'fixed_price');
      const result: PriceResult = { ok: true, value: price };
      return () => result;
    }
    case 'fixed_price_per_method': {
      if (entry.details === undefined || entry.details.length === 0) throw invalid('fixed_price_per_method: details are missing');
      // "/" + package + "." + service + "/" + method; the "package." part is dropped when the package is empty (Go `pricing/fixed_method_pricing.go`).
      const prefix = entry.packageName === undefined || entry.packageName === '' ? '/' : `/${entry.packageName}.`;
      const prices = new Map<string, PriceResult>();
      for (const service of entry.details) {
        for (const method of service.methodPricing) {
          const path = `${prefix}${service.serviceName}/${method.methodName}`;
          prices.set(path, { ok: true, value: checkPrice(method.priceInCogs, path) });
        }
      }
      return (methodPath) => prices.get(methodPath) ?? { ok: false, error: priceUndefinedError(methodPath) };
    }
    default: {
      const model: unknown = (entry as { priceModel: unknown }).priceModel;
      throw invalid(`unknown price_model ${JSON.stringify(model)}; expected fixed_price or fixed_price_per_method`);
    }
  }
}
