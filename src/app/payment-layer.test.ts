import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { parseMetadataUri, type OrgGroup, type ServiceMetadata } from '../blockchain/index.ts';
import { daemonConfigSchema, type DaemonConfig } from '../config/index.ts';
import { SnetError } from '../errors/index.ts';
import { createSilentLogger } from '../shared/index.ts';
import { checkTokenSecret, loadDynamicPricing, priceResolverFrom, storageOptionsFrom } from './payment-layer.ts';

const group = (endpoints: string[]): OrgGroup =>
  ({
    groupName: 'default_group',
    storageClient: { endpoints, connectionTimeoutMs: 3000, requestTimeoutMs: 4000 },
  }) as unknown as OrgGroup;

const config = (values: Record<string, unknown>): DaemonConfig => daemonConfigSchema.parse(values);

describe('storageOptionsFrom()', () => {
  it('behavior: etcd (the default) without endpoints anywhere is the embedded store', () => {
    assert.deepEqual(storageOptionsFrom(config({ embedded_storage_dir: '/data' }), group([])), { backend: 'lmdb', path: '/data' });
  });
  it('behavior: org metadata endpoints and timeouts are used unless the config names its own', () => {
    assert.deepEqual(storageOptionsFrom(config({}), group(['http://10.0.0.1:2379'])), { backend: 'etcd', endpoints: ['http://10.0.0.1:2379'], dialTimeoutMs: 3000, requestTimeoutMs: 4000 });
    const own = config({ payment_channel_storage_client: { endpoints: ['http://e:2379'], connection_timeout: '1s', request_timeout: '2s' } });
    assert.deepEqual(storageOptionsFrom(own, group(['http://10.0.0.1:2379'])), { backend: 'etcd', endpoints: ['http://e:2379'], dialTimeoutMs: 1000, requestTimeoutMs: 2000 });
  });
  it('behavior: https endpoints use the TLS files; embedded and memory are honoured', () => {
    const tls = config({ payment_channel_ca_path: '/ca.pem', payment_channel_cert_path: '/c.pem', payment_channel_key_path: '/k.pem' });
    assert.deepEqual(storageOptionsFrom(tls, group(['https://e:2379'])), {
      backend: 'etcd',
      endpoints: ['https://e:2379'],
      dialTimeoutMs: 3000,
      requestTimeoutMs: 4000,
      tls: { caFile: '/ca.pem', certFile: '/c.pem', keyFile: '/k.pem' },
    });
    assert.deepEqual(storageOptionsFrom(config({ payment_channel_storage_type: 'embedded', embedded_storage_dir: '/d' }), group(['http://e:2379'])), { backend: 'lmdb', path: '/d' });
    assert.deepEqual(storageOptionsFrom(config({ payment_channel_storage_type: 'memory' }), group([])), { backend: 'memory' });
  });
  it('error: an unknown storage type is CONFIG_INVALID', () => {
    assert.throws(() => storageOptionsFrom(config({ payment_channel_storage_type: 'redis' }), group(['http://e:2379'])), { code: 'CONFIG_INVALID' });
  });
});

describe('priceResolverFrom()', () => {
  it('behavior: fixed_price answers every method; per-method looks the path up', () => {
    assert.deepEqual(priceResolverFrom({ priceModel: 'fixed_price', isDefault: true, priceCogs: 7n })('/a.B/c'), { ok: true, value: 7n });
    const perMethod = priceResolverFrom({ priceModel: 'fixed_price_per_method', isDefault: true, packageName: 'a', methodPrices: new Map([['/a.B/c', 3n]]) });
    assert.deepEqual(perMethod('/a.B/c'), { ok: true, value: 3n });
    const missing = perMethod('/a.B/d');
    assert.equal(missing.ok, false);
    assert.equal(!missing.ok && missing.error.message, 'internal error: price is not defined for the Method /a.B/d');
  });
});

describe('loadDynamicPricing()', () => {
  const service = (uri: string | undefined): ServiceMetadata => ({ serviceApiSource: uri === undefined ? undefined : parseMetadataUri(uri), modelIpfsHash: undefined }) as unknown as ServiceMetadata;
  const noCall = (): Promise<never> => Promise.reject(new Error('no estimate calls at load'));

  it('error: a proto tarball that cannot be fetched or read stops the start with DYNAMIC_PRICING_INVALID naming the cause', async () => {
    const server = createServer((_req, res) => res.end('this is not a tar archive'.repeat(40)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const ipfsEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const cases: [ServiceMetadata, Record<string, unknown>, RegExp][] = [
        [service('ipfs://QmProtos'), { ipfsEndpoint, verifyCid: false }, /^enable_dynamic_pricing is on but the service protos could not be loaded: the proto tarball ipfs:\/\/QmProtos is not a readable tar archive/],
        [service('ipfs://QmProtos'), { ipfsEndpoint: 'http://127.0.0.1:1', ipfsTimeoutMs: 2000 }, /^enable_dynamic_pricing is on but the service protos could not be loaded: fetching ipfs:\/\/QmProtos/],
        [service(undefined), { ipfsEndpoint }, /could not be loaded: the service metadata names no proto tarball/],
      ];
      for (const [metadata, options, message] of cases) {
        await assert.rejects(loadDynamicPricing(metadata, options as never, noCall, createSilentLogger()), (err: unknown) => {
          assert.ok(err instanceof SnetError);
          assert.equal(err.code, 'DYNAMIC_PRICING_INVALID');
          assert.match(err.message, message);
          assert.match(err.hint ?? '', /enable_dynamic_pricing to false/);
          return true;
        });
      }
    } finally {
      server.close();
    }
  });
});

describe('checkTokenSecret()', () => {
  it('error: the public default token_secret_key stops the start on every network but local, naming the key with a hint', () => {
    for (const network of ['sepolia', 'main']) {
      assert.throws(
        () => checkTokenSecret(config({ blockchain_network_selected: network }), createSilentLogger()),
        (err: unknown) =>
          err instanceof SnetError &&
          err.code === 'CONFIG_INVALID' &&
          err.message === `token_secret_key is the public default of the reference daemon, refused on network "${network}": anyone could forge prepaid tokens` &&
          /openssl rand -hex 32/.test(err.hint ?? ''),
      );
    }
  });
  it('behavior: allowed on local with a warning; an own secret passes everywhere', () => {
    const warnings: string[] = [];
    const logger = { ...createSilentLogger(), warn: (_obj: object, msg?: string) => warnings.push(msg ?? '') };
    checkTokenSecret(config({ blockchain_network_selected: 'local' }), logger);
    assert.deepEqual(warnings, ['token_secret_key is the public default: acceptable on the local dev chain only']);
    checkTokenSecret(config({ blockchain_network_selected: 'main', token_secret_key: 'k'.repeat(40) }), logger);
    assert.equal(warnings.length, 1);
  });
});
