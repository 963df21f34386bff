import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrgGroup } from '../blockchain/index.ts';
import { daemonConfigSchema, type DaemonConfig } from '../config/index.ts';
import { priceResolverFrom, storageOptionsFrom } from './payment-layer.ts';

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
