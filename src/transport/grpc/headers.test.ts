import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeGrpcMessage } from '../../upstream/index.ts';
import { encodeGrpcMessage, isGrpcContentType } from './headers.ts';

describe('isGrpcContentType()', () => {
  it('behavior: gRPC subtypes yes, gRPC-Web and look-alikes no', () => {
    for (const yes of ['application/grpc', 'application/grpc+proto', 'application/grpc+json', 'application/grpc;charset=utf-8']) assert.ok(isGrpcContentType(yes), yes);
    for (const no of ['application/grpc-web', 'application/grpc-web-text', 'application/grpcx', 'text/plain', '']) assert.ok(!isGrpcContentType(no), no);
  });
});

describe('encodeGrpcMessage()', () => {
  it('behavior: printable ASCII is unchanged, the rest percent-encoded as UTF-8', () => {
    assert.equal(encodeGrpcMessage('plain text'), 'plain text');
    assert.equal(encodeGrpcMessage('100% ü\n'), '100%25 %C3%BC%0A');
  });
  it('behavior: round-trips through decodeGrpcMessage', () => {
    const text = 'nonce mismatch: «7» ≠ 8 %';
    assert.equal(decodeGrpcMessage(encodeGrpcMessage(text)), text);
  });
});
