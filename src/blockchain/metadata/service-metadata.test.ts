import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSnetError } from '../../errors/index.ts';
import { parseOrgMetadata } from './org-metadata.ts';
import { parseServiceMetadata } from './service-metadata.ts';

const GROUP_ID = Buffer.alloc(32, 7).toString('base64');
const service = (group: Record<string, unknown>): string =>
  JSON.stringify({ mpe_address: '0x5c7a4290f6f8ff64c69eeffdfafc8644a4ec3a4e', groups: [{ group_name: 'g', group_id: GROUP_ID, ...group }] });

void describe('parseServiceMetadata()', () => {
  void it('behavior: amounts stay exact above 2^53 (number literal or decimal string)', () => {
    // The literal must be in the JSON text: a JS number would already be rounded.
    const md = parseServiceMetadata(service({ pricing: [{ price_model: 'fixed_price', price_in_cogs: 'BIG', default: true }] }).replace('"BIG"', '123456789012345678901234567890'));
    assert.deepEqual(md.groups[0]?.defaultPricing, { priceModel: 'fixed_price', isDefault: true, priceCogs: 123456789012345678901234567890n });
    const fromString = parseServiceMetadata(service({ pricing: [{ price_model: 'fixed_price', price_in_cogs: '5', default: true }] }));
    assert.equal(fromString.groups[0]?.defaultPricing.priceModel === 'fixed_price' && fromString.groups[0].defaultPricing.priceCogs, 5n);
    assert.equal(md.mpeAddress, '0x5C7a4290F6F8FF64c69eEffDFAFc8644A4Ec3a4E');
    assert.equal(md.encoding, 'proto');
    assert.equal(md.serviceType, 'grpc');
  });

  void it('behavior: per-method keys omit the package part when package_name is empty', () => {
    const md = parseServiceMetadata(service({ pricing: [{ price_model: 'fixed_price_per_method', default: true, details: [{ service_name: 'Calc', method_pricing: [{ method_name: 'add', price_in_cogs: 2 }] }] }] }));
    const pricing = md.groups[0]?.defaultPricing;
    assert.ok(pricing?.priceModel === 'fixed_price_per_method');
    assert.deepEqual([...pricing.methodPrices], [['/Calc/add', 2n]]);
  });

  void it('error: negative or fractional amounts, two defaults, no default', () => {
    assert.throws(() => parseServiceMetadata(service({ pricing: [{ price_model: 'fixed_price', price_in_cogs: -1, default: true }] })), (e) => isSnetError(e, 'METADATA_INVALID') && /price_in_cogs/.test(e.message));
    assert.throws(() => parseServiceMetadata(service({ pricing: [{ price_model: 'fixed_price', price_in_cogs: 1.5, default: true }] })), (e) => isSnetError(e, 'METADATA_INVALID'));
    const two = [{ price_model: 'fixed_price', price_in_cogs: 1, default: true }, { price_model: 'fixed_price', price_in_cogs: 2, default: true }];
    assert.throws(() => parseServiceMetadata(service({ pricing: two })), (e) => isSnetError(e, 'METADATA_INVALID') && /more than one entry/.test(e.message));
    const none = [{ price_model: 'fixed_price', price_in_cogs: 1 }, { price_model: 'fixed_price', price_in_cogs: 2 }];
    assert.throws(() => parseServiceMetadata(service({ pricing: none })), (e) => isSnetError(e, 'METADATA_INVALID') && /does not have the default pricing set/.test(e.message));
  });

  void it('behavior: __proto__ keys do not pollute prototypes', () => {
    const text = `{"__proto__": {"polluted": true}, "mpe_address": "0x5c7a4290f6f8ff64c69eeffdfafc8644a4ec3a4e", "groups": [{"__proto__": {"polluted": true}, "group_name": "g", "pricing": [{"price_model": "fixed_price", "price_in_cogs": 1, "default": true}]}]}`;
    parseServiceMetadata(text);
    assert.throws(() => parseOrgMetadata(`{"__proto__": {"polluted": true}, "org_id": "o", "groups": []}`));
    assert.equal((({}) as Record<string, unknown>)['polluted'], undefined);
    assert.equal(([] as unknown as Record<string, unknown>)['polluted'], undefined);
  });
});
