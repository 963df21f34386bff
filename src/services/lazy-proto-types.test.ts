import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lazyProtoTypes, preloadServiceTypes } from './lazy-proto-types.ts';

void describe('lazyProtoTypes()', () => {
  void it('behavior: a type is parsed on first read and is a plain value from then on', () => {
    const types = lazyProtoTypes(new URL('./escrow/', import.meta.url).href, ['./token_service.proto'], { TokenRequest: 'escrow.TokenRequest' });
    assert.equal(Object.getOwnPropertyDescriptor(types, 'TokenRequest')?.writable, undefined);
    const first = types.TokenRequest;
    assert.equal(first.fullName, '.escrow.TokenRequest');
    assert.equal(Object.getOwnPropertyDescriptor(types, 'TokenRequest')?.value, first);
    assert.equal(types.TokenRequest, first);
  });

  void it('behavior: preloadServiceTypes parses every type not read yet', () => {
    const types = lazyProtoTypes(new URL('./escrow/', import.meta.url).href, ['./free_call_state.proto'], { FreeCallToken: 'escrow.FreeCallToken' });
    preloadServiceTypes();
    assert.equal(Object.getOwnPropertyDescriptor(types, 'FreeCallToken')?.writable, false);
    assert.equal(types.FreeCallToken.fullName, '.escrow.FreeCallToken');
  });

  void it('error: an unknown type name throws when read, naming it', () => {
    const types = lazyProtoTypes(new URL('./escrow/', import.meta.url).href, ['./token_service.proto'], { Missing: 'escrow.NoSuchMessage' });
    assert.throws(() => types.Missing, /NoSuchMessage/);
  });
});
