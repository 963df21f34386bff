import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSnetError } from '../../errors/index.ts';
import { compileProtos } from './compiled-protos.ts';
import { callMessageEncoding, replyFromJson, requestToJson } from './message-codec.ts';

const pricing = {
  name: 'pricing.proto',
  content: `syntax = "proto3"; package pricing; import "google/protobuf/descriptor.proto";
extend google.protobuf.MethodOptions { MethodOption my_method_option = 9999127; }
message MethodOption { string estimatePriceMethod = 1; }`,
};
const service = {
  name: 'svc/service.proto',
  content: `syntax = "proto3"; package svc; import "pricing.proto"; import "google/protobuf/timestamp.proto";
message Req { int64 big_id = 1; Kind kind = 2; bytes raw = 3; Inner inner = 4; repeated Inner items = 5; map<string, Inner> by_name = 6; google.protobuf.Timestamp at = 7; }
message Inner { string long_name = 1; }
message Res { string text_out = 1; }
enum Kind { KIND_UNSET = 0; KIND_A = 1; }
service Svc {
  rpc run(Req) returns (Res) { option (pricing.my_method_option).estimatePriceMethod = "/svc.Svc/price"; }
  rpc watch(Req) returns (stream Res) {}
}`,
};

void describe('compileProtos', () => {
  void it('behavior: compiles files with imports between them and google types, methods by full path and by simple name', () => {
    const protos = compileProtos([pricing, service]);
    assert.deepEqual(protos.methodPaths, ['/svc.Svc/run', '/svc.Svc/watch']);
    assert.equal(protos.method('/svc.Svc/run')?.input.fullName, '.svc.Req');
    assert.equal(protos.method('/svc.Svc/watch')?.serverStreaming, true);
    // The reference looks the simple name up across services (the service part is ignored).
    assert.equal(protos.method('/other.Service/run')?.path, '/svc.Svc/run');
    assert.equal(protos.method('/svc.Svc/missing'), undefined);
    assert.equal(protos.method('run'), undefined);
    assert.equal(protos.method('/a/b/run'), undefined);
  });

  void it('behavior: an option extension whose proto is not in the tarball does not stop the compile', () => {
    const protos = compileProtos([service]);
    assert.equal(protos.method('/svc.Svc/run')?.output.fullName, '.svc.Res');
  });

  void it('error: a file that does not parse or a type that does not resolve is METADATA_INVALID naming it', () => {
    assert.throws(
      () => compileProtos([{ name: 'broken.proto', content: 'syntax = "proto3"; message {' }]),
      (e) => isSnetError(e, 'METADATA_INVALID') && /broken\.proto/.test(e.message),
    );
    assert.throws(
      () => compileProtos([{ name: 'dangling.proto', content: 'syntax = "proto3"; message A { Missing m = 1; }' }]),
      (e) => isSnetError(e, 'METADATA_INVALID') && /Missing/.test(e.message),
    );
  });
});

void describe('message codec', () => {
  const protos = compileProtos([pricing, service]);
  const types = protos.method('/svc.Svc/run');
  assert.ok(types !== undefined);

  void it('behavior: protobuf → JSON with proto names, 64-bit as strings, enums by name, bytes base64, defaults left out', () => {
    const message = types.input.encode(types.input.fromObject({ big_id: '9223372036854775807', kind: 'KIND_A', raw: Buffer.from('hi'), inner: { long_name: 'x' } })).finish();
    assert.deepEqual(requestToJson(message, 'proto', types.input, '/svc.Svc/run'), { big_id: '9223372036854775807', kind: 'KIND_A', raw: 'aGk=', inner: { long_name: 'x' } });
  });

  void it('behavior: JSON in camelCase or proto names, nested in lists and maps; unknown fields dropped', () => {
    const json = Buffer.from(JSON.stringify({ bigId: '7', items: [{ longName: 'a' }], byName: { k: { longName: 'b' } }, nope: 1 }));
    assert.deepEqual(requestToJson(json, 'json', types.input, '/svc.Svc/run'), { big_id: '7', items: [{ long_name: 'a' }], by_name: { k: { long_name: 'b' } } });
    const reply = replyFromJson({ textOut: 'ok', extra: [1] }, 'json', types.output, '/svc.Svc/run');
    assert.deepEqual(JSON.parse(Buffer.from(reply).toString()), { text_out: 'ok' });
    assert.deepEqual(types.output.toObject(types.output.decode(replyFromJson({ text_out: 'p' }, 'proto', types.output, 'm'))), { text_out: 'p' });
  });

  void it('error: bytes that are not the input type or not JSON are REQUEST_UNDECODABLE; a non-object answer UPSTREAM_FAILED', () => {
    assert.throws(() => requestToJson(Uint8Array.of(0x0a, 0xff), 'proto', types.input, '/svc.Svc/run'), (e) => isSnetError(e, 'REQUEST_UNDECODABLE'));
    assert.throws(() => requestToJson(Buffer.from('{'), 'json', types.input, '/svc.Svc/run'), (e) => isSnetError(e, 'REQUEST_UNDECODABLE'));
    assert.throws(() => replyFromJson([1], 'proto', types.output, '/svc.Svc/run'), (e) => isSnetError(e, 'UPSTREAM_FAILED'));
  });

  void it('behavior: the call encoding follows the metadata encoding, then the content type (+json)', () => {
    assert.equal(callMessageEncoding('json', { 'content-type': 'application/grpc' }), 'json');
    assert.equal(callMessageEncoding('proto', { 'content-type': 'application/grpc' }), 'proto');
    assert.equal(callMessageEncoding('proto', { 'content-type': 'application/grpc-web+json' }), 'json');
    assert.equal(callMessageEncoding('proto', {}), 'proto');
  });
});
