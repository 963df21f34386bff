/**
 * Runtime-built protobuf descriptors of snet.test.TestService (test/fixtures/test-service.proto)
 * for the connect-es gRPC-Web clients, without code generation. The `metadata` map of EchoResponse
 * is left out: clients skip unknown fields.
 */
import { create, createFileRegistry, type DescMessage, type DescService } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';

const string = 9;
const bytes = 12;
const int32 = 5;
const optional = 1;

const field = (name: string, number: number, type: number, jsonName: string) => ({ name, number, type, label: optional, jsonName });

const file = create(FileDescriptorProtoSchema, {
  name: 'snet/test/test-service-web.proto',
  package: 'snet.test',
  syntax: 'proto3',
  messageType: [
    {
      name: 'EchoRequest',
      field: [
        field('text', 1, string, 'text'),
        field('payload', 2, bytes, 'payload'),
        field('repeat', 3, int32, 'repeat'),
        field('delay_ms', 4, int32, 'delayMs'),
        field('fail_code', 5, int32, 'failCode'),
        field('fail_message', 6, string, 'failMessage'),
        field('chunk_bytes', 7, int32, 'chunkBytes'),
      ],
    },
    { name: 'EchoResponse', field: [field('text', 1, string, 'text'), field('payload', 2, bytes, 'payload'), field('index', 3, int32, 'index')] },
  ],
  service: [
    {
      name: 'TestService',
      method: [
        { name: 'Unary', inputType: '.snet.test.EchoRequest', outputType: '.snet.test.EchoResponse' },
        { name: 'ClientStream', inputType: '.snet.test.EchoRequest', outputType: '.snet.test.EchoResponse', clientStreaming: true },
        { name: 'ServerStream', inputType: '.snet.test.EchoRequest', outputType: '.snet.test.EchoResponse', serverStreaming: true },
        { name: 'Bidi', inputType: '.snet.test.EchoRequest', outputType: '.snet.test.EchoResponse', clientStreaming: true, serverStreaming: true },
      ],
    },
  ],
});

const registry = createFileRegistry(file, () => undefined);

/** snet.test.TestService as a connect-es service descriptor. */
export const testServiceDesc = registry.getService('snet.test.TestService') as DescService;
export const echoRequestDesc = registry.getMessage('snet.test.EchoRequest') as DescMessage;
export const echoResponseDesc = registry.getMessage('snet.test.EchoResponse') as DescMessage;
