import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSecretKey, showValue } from './mask.ts';

void describe('secret keys', () => {
  void it('behavior: service_credentials values are secret at any depth; their key and location are not', () => {
    assert.equal(isSecretKey('service_credentials.0.value'), true);
    assert.equal(isSecretKey('service_credentials.3.value.nested.id'), true);
    assert.equal(isSecretKey('service_credentials.0.key'), false);
    assert.equal(isSecretKey('service_credentials.0.location'), false);
    assert.equal(showValue('service_credentials.0.value', 'api-key-123'), '[hidden, 11 chars]');
  });
});
