import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isSnetError } from '../../errors/index.ts';
import { createPriceResolver, type PricingInput } from './price-resolver.ts';

interface RawPricing {
  price_model: 'fixed_price' | 'fixed_price_per_method';
  price_in_cogs?: number;
  package_name?: string;
  default?: boolean;
  details?: { service_name: string; method_pricing: { method_name: string; price_in_cogs: number }[] }[];
}

// What app/ does with the parsed metadata: snake_case JSON → PricingInput.
function fromMetadata(raw: RawPricing): PricingInput {
  return {
    priceModel: raw.price_model,
    ...(raw.price_in_cogs === undefined ? {} : { priceInCogs: BigInt(raw.price_in_cogs) }),
    ...(raw.package_name === undefined ? {} : { packageName: raw.package_name }),
    ...(raw.default === undefined ? {} : { default: raw.default }),
    ...(raw.details === undefined
      ? {}
      : {
          details: raw.details.map((d) => ({
            serviceName: d.service_name,
            methodPricing: d.method_pricing.map((m) => ({ methodName: m.method_name, priceInCogs: BigInt(m.price_in_cogs) })),
          })),
        }),
  };
}

function fixture(name: string): { groups?: { pricing: RawPricing[] }[]; pricing?: RawPricing } {
  return JSON.parse(readFileSync(new URL(`../../../test/fixtures/go-snetd/${name}`, import.meta.url), 'utf8')) as never;
}

void describe('createPriceResolver()', () => {
  void it('behavior: fixed_price charges price_in_cogs for every method', () => {
    const price = createPriceResolver({ priceModel: 'fixed_price', priceInCogs: 10n });
    assert.deepEqual(price('/example_service.Calculator/add'), { ok: true, value: 10n });
    assert.deepEqual(price('/anything/else'), { ok: true, value: 10n });
  });

  void it('behavior: fixed_price_per_method keys /<package>.<Service>/<method>', () => {
    const price = createPriceResolver({
      priceModel: 'fixed_price_per_method',
      packageName: 'example_service',
      details: [
        { serviceName: 'Calculator', methodPricing: [{ methodName: 'add', priceInCogs: 2n }, { methodName: 'mul', priceInCogs: 3n }] },
        { serviceName: 'Calculator2', methodPricing: [{ methodName: 'add', priceInCogs: 20000000000000000000n }] },
      ],
    });
    assert.deepEqual(price('/example_service.Calculator/add'), { ok: true, value: 2n });
    assert.deepEqual(price('/example_service.Calculator/mul'), { ok: true, value: 3n });
    assert.deepEqual(price('/example_service.Calculator2/add'), { ok: true, value: 20000000000000000000n });
  });

  void it('behavior: without a package name the path is /<Service>/<method>', () => {
    for (const packageName of [undefined, '']) {
      const price = createPriceResolver({
        priceModel: 'fixed_price_per_method',
        ...(packageName === undefined ? {} : { packageName }),
        details: [{ serviceName: 'Calculator', methodPricing: [{ methodName: 'add', priceInCogs: 2n }] }],
      });
      assert.deepEqual(price('/Calculator/add'), { ok: true, value: 2n });
      assert.equal(price('/.Calculator/add').ok, false);
    }
  });

  void it('error: an unpriced method is INTERNAL "internal error: price is not defined for the Method <path>"', () => {
    const price = createPriceResolver({
      priceModel: 'fixed_price_per_method',
      packageName: 'example_service',
      details: [{ serviceName: 'Calculator', methodPricing: [{ methodName: 'add', priceInCogs: 2n }] }],
    });
    for (const path of ['/example_service.Calculator/sub', '/example_service.calculator/add', 'constructor', '__proto__', '']) {
      const result = price(path);
      assert.equal(result.ok, false);
      if (!result.ok) {
        assert.equal(result.error.code, 'PAYMENT_PRICE_UNDEFINED');
        assert.equal(result.error.message, `internal error: price is not defined for the Method ${path}`);
      }
    }
  });

  void it('behavior: from a list, the entry marked default is used (reference fixture service_metadata.json)', () => {
    const metadata = fixture('service_metadata.json');
    const pricing = metadata.groups?.[0]?.pricing;
    assert.ok(pricing !== undefined);
    const price = createPriceResolver(pricing.map(fromMetadata));
    assert.deepEqual(price('/example_service.Calculator/add'), { ok: true, value: 1n });
  });

  void it('behavior: the reference per-method fixture prices every Calculator method', () => {
    const raw = fixture('service_metadata_method_pricing.json').pricing;
    assert.ok(raw !== undefined);
    const price = createPriceResolver(fromMetadata(raw));
    assert.deepEqual(price('/example_service.Calculator/div'), { ok: true, value: 2n });
    assert.deepEqual(price('/example_service.Calculator2/div'), { ok: true, value: 3n });
    assert.deepEqual(price('/example_service.Calculator2/mul'), { ok: true, value: 2n });
  });

  void it('behavior: a duplicated method keeps the last price, like the reference map fill', () => {
    const price = createPriceResolver({
      priceModel: 'fixed_price_per_method',
      details: [{ serviceName: 'S', methodPricing: [{ methodName: 'm', priceInCogs: 1n }, { methodName: 'm', priceInCogs: 5n }] }],
    });
    assert.deepEqual(price('/S/m'), { ok: true, value: 5n });
  });

  void it('behavior: price 0 is a valid price', () => {
    assert.deepEqual(createPriceResolver({ priceModel: 'fixed_price', priceInCogs: 0n })('/a/b'), { ok: true, value: 0n });
  });

  const startupErrors: [string, PricingInput | PricingInput[], RegExp][] = [
    ['no default entry in a list', [{ priceModel: 'fixed_price', priceInCogs: 1n }], /^metadata does not have the default pricing set$/],
    ['an empty list', [], /^metadata does not have the default pricing set$/],
    ['fixed_price without price', { priceModel: 'fixed_price' }, /price_in_cogs is missing/],
    ['a negative price', { priceModel: 'fixed_price', priceInCogs: -1n }, /negative/],
    ['per-method without details', { priceModel: 'fixed_price_per_method' }, /details are missing/],
    [
      'a negative method price',
      { priceModel: 'fixed_price_per_method', details: [{ serviceName: 'S', methodPricing: [{ methodName: 'm', priceInCogs: -2n }] }] },
      /\/S\/m: price_in_cogs is negative/,
    ],
    ['an unknown model', { priceModel: 'dynamic' } as unknown as PricingInput, /unknown price_model "dynamic"/],
  ];
  for (const [name, input, message] of startupErrors) {
    void it(`error: start-up PAYMENT_PRICING_INVALID for ${name}`, () => {
      assert.throws(
        () => createPriceResolver(input),
        (error: unknown) => isSnetError(error, 'PAYMENT_PRICING_INVALID') && message.test(error.message),
      );
    });
  }
});
