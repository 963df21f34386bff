// Dynamic pricing end to end (issue #5, docs/payments.md "Dynamic pricing"): the dev chain with the real MPE/Registry, service metadata
// whose service_api_source is a proto tarball on the dev IPFS marking methods with
// (pricing.my_method_option).estimatePriceMethod, the daemon started in-process with enable_dynamic_pricing,
// a real grpc-js service that records what each method received, and grpc-js clients paying with signed
// escrow headers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { buildClaimMessage, signMessage } from '../../src/blockchain/index.ts';
import { startDevNetwork, type DevNetwork } from '../../src/devnet/index.ts';
import { createSilentLogger } from '../../src/shared/index.ts';
import { escrowMetadata, startPaidDaemon, type PaidDaemon } from '../harness/payments.ts';
import { frame, parseFrames } from '../harness/raw-grpc.ts';
import { callPriced, COGS_PER_CHARACTER, encodeText, publishPricedService, startPricedService, type PricedService } from '../harness/priced-service.ts';

const STATIC_PRICE = 7n;

void describe('dynamic pricing through the daemon (dev chain)', () => {
  let net: DevNetwork;
  let service: PricedService;
  let paid: PaidDaemon;
  let client: grpc.Client;
  /** The channel's cumulative amount the daemon has authorised so far. */
  let authorized = 0n;

  before(async () => {
    net = await startDevNetwork({ logger: createSilentLogger(), priceCogs: STATIC_PRICE });
    service = await startPricedService();
    await publishPricedService(net, STATIC_PRICE);
    paid = await startPaidDaemon(net, { service_endpoint: service.endpoint, enable_dynamic_pricing: true, 'payment_channel_storage_client.hot_reload': true });
    client = new grpc.Client(paid.target, grpc.credentials.createInsecure());
  });

  after(async () => {
    client.close();
    await paid.stop();
    await service.stop();
    await net.stop();
  });

  const pay = (amount: bigint): grpc.Metadata => escrowMetadata({ privateKey: net.client.privateKey, mpe: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount });
  const callsTo = (method: string, from: number): { bytes: Buffer; metadata: grpc.Metadata }[] => service.calls.slice(from).filter((c) => c.method === `/priced.Writer/${method}`);

  void it('behavior: a payment whose increment equals the estimate for this request is accepted', async () => {
    for (const text of ['hello', 'a much longer request text']) {
      const price = BigInt(text.length) * COGS_PER_CHARACTER;
      const from = service.calls.length;
      const metadata = pay(authorized + price);
      metadata.set('x-client-tag', `tag-${text.length}`);
      metadata.set('snet-user-address', '0x000000000000000000000000000000000000dEaD');
      const result = await callPriced(client, 'write', text, metadata);
      assert.equal(result.error, undefined, result.error?.message);
      assert.equal(result.text, `wrote ${text}`);
      authorized += price;
      // The estimate got the first request message unchanged and the client's metadata, before the service call.
      const estimates = callsTo('estimate_write', from);
      assert.equal(estimates.length, 1);
      assert.deepEqual(estimates[0]?.bytes, encodeText(text));
      assert.deepEqual(estimates[0]?.metadata.get('x-client-tag'), [`tag-${text.length}`]);
      assert.deepEqual(estimates[0]?.metadata.get('snet-payment-channel-amount'), [authorized.toString()]);
      // snet-user-address is the channel sender for the estimate too, not what the client claimed.
      assert.deepEqual(estimates[0]?.metadata.get('snet-user-address'), [net.channel.sender]);
      assert.deepEqual(callsTo('write', from)[0]?.bytes, encodeText(text));
      assert.deepEqual(service.calls.slice(from).map((c) => c.method), ['/priced.Writer/estimate_write', '/priced.Writer/write']);
    }
  });

  void it('behavior: gRPC-Web (HTTP/1.1) callers are priced by the same estimate; the request message reaches both methods unchanged', async () => {
    const text = 'from a browser';
    const price = BigInt(text.length) * COGS_PER_CHARACTER;
    const amount = authorized + price;
    const signature = signMessage(net.client.privateKey, buildClaimMessage({ mpeAddress: net.contracts.mpe, channelId: net.channel.id, nonce: 0n, amount }));
    const from = service.calls.length;
    const response = await fetch(`http://${paid.target}/priced.Writer/write`, {
      method: 'POST',
      headers: {
        'content-type': 'application/grpc-web+proto',
        'x-grpc-web': '1',
        'snet-payment-type': 'escrow',
        'snet-payment-channel-id': net.channel.id.toString(),
        'snet-payment-channel-nonce': '0',
        'snet-payment-channel-amount': amount.toString(),
        'snet-payment-channel-signature-bin': Buffer.from(signature).toString('base64'),
      },
      body: frame(encodeText(text)),
    });
    const answer = parseFrames(Buffer.from(await response.arrayBuffer()));
    assert.equal(answer.trailers?.['grpc-status'], '0', answer.trailers?.['grpc-message']);
    authorized = amount;
    assert.equal(answer.messages.length, 1);
    assert.deepEqual(service.calls.slice(from).map((c) => c.method), ['/priced.Writer/estimate_write', '/priced.Writer/write']);
    assert.deepEqual(callsTo('estimate_write', from)[0]?.bytes, encodeText(text));
    assert.deepEqual(callsTo('write', from)[0]?.bytes, encodeText(text));
  });

  void it('error: paying the metadata price for a dynamically priced method is the amount mismatch; the method is not called', async () => {
    const from = service.calls.length;
    const result = await callPriced(client, 'write', 'hello', pay(authorized + STATIC_PRICE));
    assert.equal(result.error?.code, grpc.status.UNAUTHENTICATED);
    assert.equal(result.error.details, `income ${STATIC_PRICE} does not equal to price ${5n * COGS_PER_CHARACTER}`);
    assert.deepEqual(service.calls.slice(from).map((c) => c.method), ['/priced.Writer/estimate_write']);
  });

  void it('behavior: a method without the option keeps the metadata price and asks no estimate', async () => {
    const from = service.calls.length;
    const result = await callPriced(client, 'echo', 'hello', pay(authorized + STATIC_PRICE));
    assert.equal(result.error, undefined, result.error?.message);
    authorized += STATIC_PRICE;
    assert.deepEqual(service.calls.slice(from).map((c) => c.method), ['/priced.Writer/echo']);
  });

  void it('error: a failing estimate is INTERNAL "internal error: …", the method is not called and nothing is reserved', async () => {
    const from = service.calls.length;
    const result = await callPriced(client, 'write_broken', 'x', pay(authorized + COGS_PER_CHARACTER));
    assert.equal(result.error?.code, grpc.status.INTERNAL);
    assert.equal(result.error.details, 'internal error: price estimate /priced.Writer/estimate_fail failed with status 9: estimator is broken');
    assert.deepEqual(service.calls.slice(from).map((c) => c.method), ['/priced.Writer/estimate_fail']);
    // The same cumulative amount is still the next valid payment: the failed call reserved nothing.
    const next = await callPriced(client, 'write', 'x', pay(authorized + COGS_PER_CHARACTER));
    assert.equal(next.error, undefined, next.error?.message);
    authorized += COGS_PER_CHARACTER;
  });

  void it('error: a call without any request message cannot be priced (INTERNAL) and never reaches the service', async () => {
    const from = service.calls.length;
    const error = await new Promise<grpc.ServiceError | null>((resolve) => {
      const call = client.makeClientStreamRequest(
        '/priced.Writer/write',
        (b: Buffer) => b,
        (b: Buffer) => b,
        pay(authorized + COGS_PER_CHARACTER),
        {},
        (err) => resolve(err),
      );
      call.end();
    });
    assert.equal(error?.code, grpc.status.INTERNAL);
    assert.equal(error.details, 'internal error: no request message to estimate the price of /priced.Writer/write from');
    assert.equal(service.calls.length, from);
  });

  void it('behavior: a metadata reload naming the same proto tarball keeps the estimate map without fetching it; the new static price applies', async () => {
    const kept = paid.waitForLog(/names the same proto tarball; estimate methods kept/, { newOnly: true });
    const applied = paid.waitForLog(/service metadata applied/, { newOnly: true });
    await publishPricedService(net, STATIC_PRICE + 1n);
    await kept;
    await applied;
    const from = service.calls.length;
    const echo = await callPriced(client, 'echo', 'hi', pay(authorized + STATIC_PRICE + 1n));
    assert.equal(echo.error, undefined, echo.error?.message);
    authorized += STATIC_PRICE + 1n;
    const write = await callPriced(client, 'write', 'abc', pay(authorized + 3n * COGS_PER_CHARACTER));
    assert.equal(write.error, undefined, write.error?.message);
    authorized += 3n * COGS_PER_CHARACTER;
    assert.deepEqual(service.calls.slice(from).map((c) => c.method), ['/priced.Writer/echo', '/priced.Writer/estimate_write', '/priced.Writer/write']);
  });

  void it('behavior: a metadata reload with new protos rebuilds the estimate map (echo becomes dynamically priced)', async () => {
    const reloaded = paid.waitForLog(/service metadata applied/, { newOnly: true });
    const rebuilt = paid.waitForLog(/dynamic pricing: methods priced by their estimate method/, { newOnly: true });
    await publishPricedService(net, STATIC_PRICE, (text) => text.replace('rpc echo(Text) returns (Reply) {}', 'rpc echo(Text) returns (Reply) { option (pricing.my_method_option).estimatePriceMethod = "/priced.Writer/estimate_write"; }'));
    await rebuilt;
    await reloaded;
    const from = service.calls.length;
    const refused = await callPriced(client, 'echo', 'hello', pay(authorized + STATIC_PRICE));
    assert.equal(refused.error?.details, `income ${STATIC_PRICE} does not equal to price ${5n * COGS_PER_CHARACTER}`);
    const result = await callPriced(client, 'echo', 'hello', pay(authorized + 5n * COGS_PER_CHARACTER));
    assert.equal(result.error, undefined, result.error?.message);
    authorized += 5n * COGS_PER_CHARACTER;
    assert.deepEqual(service.calls.slice(from).map((c) => c.method), ['/priced.Writer/estimate_write', '/priced.Writer/estimate_write', '/priced.Writer/echo']);
  });

  void it('behavior: with enable_dynamic_pricing=false the metadata price applies and no estimate is asked', async () => {
    // A second daemon with its own store: the channel starts from the chain (nothing authorised there yet).
    const off = await startPaidDaemon(net, { service_endpoint: service.endpoint, enable_dynamic_pricing: false });
    const offClient = new grpc.Client(off.target, grpc.credentials.createInsecure());
    try {
      const from = service.calls.length;
      const refused = await callPriced(offClient, 'write', 'hello', pay(5n * COGS_PER_CHARACTER));
      assert.equal(refused.error?.details, `income ${5n * COGS_PER_CHARACTER} does not equal to price ${STATIC_PRICE}`);
      const result = await callPriced(offClient, 'write', 'hello', pay(STATIC_PRICE));
      assert.equal(result.error, undefined, result.error?.message);
      assert.deepEqual(service.calls.slice(from).map((c) => c.method), ['/priced.Writer/write']);
    } finally {
      offClient.close();
      await off.stop();
    }
  });
});
