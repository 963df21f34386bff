import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoEtcdEndpoints } from './go-etcd-migration.ts';

void describe('parseGoEtcdEndpoints()', () => {
  void it('takes endpoints the way Go configs write them: http(s) URLs separated by commas', () => {
    assert.deepEqual(parseGoEtcdEndpoints('http://127.0.0.1:2379'), ['http://127.0.0.1:2379']);
    assert.deepEqual(parseGoEtcdEndpoints(' http://10.0.0.5:2379 , https://etcd.example.com:2379,'), ['http://10.0.0.5:2379', 'https://etcd.example.com:2379']);
  });

  void it('refuses anything else, naming the endpoint', () => {
    assert.throws(() => parseGoEtcdEndpoints(''), { code: 'CONFIG_INVALID', message: 'no Go etcd endpoint given' });
    assert.throws(() => parseGoEtcdEndpoints('127.0.0.1:2379'), { code: 'CONFIG_INVALID', message: 'Go etcd endpoint "127.0.0.1:2379" is not an http:// or https:// URL' });
    assert.throws(() => parseGoEtcdEndpoints('http://a:1,unix:///tmp/etcd.sock'), { code: 'CONFIG_INVALID', message: /"unix:\/\/\/tmp\/etcd.sock"/ });
  });
});
