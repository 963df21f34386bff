import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSnetError } from '../../errors/index.ts';
import { describeEstimateMethods, extractEstimateMethods } from './estimate-methods.ts';

// The reference's pricing.proto (Go `pricing/pricing.proto`): shipped in service tarballs next to the service proto.
const PRICING_PROTO = `syntax = "proto3";
import "google/protobuf/descriptor.proto";
package pricing;
extend google.protobuf.MethodOptions { EstimatePrice my_method_option = 9999127; }
message EstimatePrice { string estimatePriceMethod = 1; }
message PriceInCogs { uint64 price = 1; }
`;

const SERVICE_PROTO = `syntax = "proto3";
import "pricing.proto";
package example.v1;
message In { string text = 1; }
message Out { string text = 1; }
service Writer {
  rpc write(In) returns (Out) { option (pricing.my_method_option).estimatePriceMethod = "/example.v1.Writer/estimate_write"; }
  rpc aggregate(In) returns (Out) { option (pricing.my_method_option) = { estimatePriceMethod: "/example.v1.Pricer/price" }; }
  rpc plain(In) returns (Out) {}
  rpc estimate_write(In) returns (pricing.PriceInCogs) {}
}
`;

const PRICER_PROTO = `syntax = "proto3";
package example.v1;
import "pricing.proto";
message In2 { string text = 1; }
service Pricer { rpc price(In2) returns (pricing.PriceInCogs); }
`;

describe('extractEstimateMethods()', () => {
  it('behavior: maps marked methods of several services and files to their estimate methods', () => {
    const map = extractEstimateMethods([
      { name: 'pricing.proto', content: PRICING_PROTO },
      { name: 'writer.proto', content: SERVICE_PROTO },
      { name: 'pricer.proto', content: PRICER_PROTO },
    ]);
    assert.deepEqual(
      [...map],
      [
        ['/example.v1.Writer/write', '/example.v1.Writer/estimate_write'],
        ['/example.v1.Writer/aggregate', '/example.v1.Pricer/price'],
      ],
    );
  });

  it('behavior: a package-less proto gives /<Service>/<method> paths', () => {
    const map = extractEstimateMethods([
      {
        name: 'calc.proto',
        content: `syntax = "proto3";
message N { float a = 1; }
service Calc {
  rpc add(N) returns (N) { option (pricing.my_method_option).estimatePriceMethod = "/Calc/price_add"; }
  rpc price_add(N) returns (N);
}`,
      },
    ]);
    assert.deepEqual([...map], [['/Calc/add', '/Calc/price_add']]);
  });

  it('behavior: protos without the option give an empty map (every method keeps the metadata price)', () => {
    assert.equal(extractEstimateMethods([{ name: 'p.proto', content: PRICING_PROTO }, { name: 'x.proto', content: 'syntax = "proto3"; service S { rpc m(M) returns (M); } message M {}' }]).size, 0);
    assert.equal(extractEstimateMethods([]).size, 0);
  });

  const failures: [string, string, RegExp][] = [
    ['a proto that does not parse', 'syntax = "proto3"; service S { rpc m(', /^service proto bad\.proto does not parse: /],
    [
      'an option that is not a method path',
      'syntax = "proto3"; package p; message M {} service S { rpc m(M) returns (M) { option (pricing.my_method_option).estimatePriceMethod = "p.S.est"; } rpc est(M) returns (M); }',
      /^bad\.proto: the estimatePriceMethod of \/p\.S\/m is "p\.S\.est", not a method path like/,
    ],
    [
      'an option naming an unknown method',
      'syntax = "proto3"; package p; message M {} service S { rpc m(M) returns (M) { option (pricing.my_method_option).estimatePriceMethod = "/p.S/nope"; } }',
      /^bad\.proto: the estimatePriceMethod of \/p\.S\/m names \/p\.S\/nope, which no published proto declares \(declared: \/p\.S\/m\)$/,
    ],
  ];
  for (const [what, content, message] of failures) {
    it(`error: ${what} is DYNAMIC_PRICING_INVALID`, () => {
      assert.throws(
        () => extractEstimateMethods([{ name: 'bad.proto', content }]),
        (err: unknown) => isSnetError(err, 'DYNAMIC_PRICING_INVALID') && message.test(err.message) && err.hint !== undefined,
      );
    });
  }

  it('behavior: method names that look like Object.prototype keys are plain entries', () => {
    const map = extractEstimateMethods([
      {
        name: 'proto.proto',
        content:
          'syntax = "proto3"; message M {} service S { rpc constructor(M) returns (M) { option (pricing.my_method_option).estimatePriceMethod = "/S/hasOwnProperty"; } rpc hasOwnProperty(M) returns (M); }',
      },
    ]);
    assert.equal(map.get('/S/constructor'), '/S/hasOwnProperty');
    assert.equal(map.get('/S/toString'), undefined);
  });

  it('behavior: an estimate method whose request type cannot be the priced method\'s is a warning naming both (the map is unchanged)', () => {
    const { methods, warnings } = describeEstimateMethods([
      { name: 'pricing.proto', content: PRICING_PROTO },
      { name: 'writer.proto', content: SERVICE_PROTO },
      { name: 'pricer.proto', content: PRICER_PROTO },
    ]);
    assert.equal(methods.size, 2);
    assert.deepEqual(warnings, [
      '/example.v1.Writer/aggregate (writer.proto) takes In but its estimate method /example.v1.Pricer/price (pricer.proto) takes In2: the estimate receives the call\'s first message unchanged, so its request type should be the same message',
    ]);
  });

  it('behavior: one type spelled differently (relative, qualified, absolute, across files of one package) is no warning', () => {
    const { warnings } = describeEstimateMethods([
      {
        name: 'a.proto',
        content: `syntax = "proto3"; package shop.v1; message Order {}
service Sales {
  rpc buy(Order) returns (Order) { option (pricing.my_method_option).estimatePriceMethod = "/shop.v1.Pricing/quote"; }
  rpc sell(shop.v1.Order) returns (Order) { option (pricing.my_method_option).estimatePriceMethod = "/shop.v1.Pricing/quote_abs"; }
  rpc nested(v1.Order) returns (Order) { option (pricing.my_method_option).estimatePriceMethod = "/shop.v1.Sales/estimate_nested"; }
  rpc estimate_nested(.shop.v1.Order) returns (pricing.PriceInCogs);
}`,
      },
      { name: 'b.proto', content: 'syntax = "proto3"; package shop.v1; service Pricing { rpc quote(shop.v1.Order) returns (pricing.PriceInCogs); rpc quote_abs(.shop.v1.Order) returns (pricing.PriceInCogs); }' },
    ]);
    assert.deepEqual(warnings, []);
  });
});
