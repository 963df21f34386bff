/**
 * Every transport scenario again, with the service hop on node:http2 (`upstream_http2_engine: nghttp2`)
 * instead of the built-in HTTP/2 client (the default, which the scenario files run on by themselves):
 * the harness default is switched for this test process, then the scenario files register their suites here.
 */
import { useUpstreamEngine } from '../harness/transport-daemon.ts';

useUpstreamEngine('nghttp2');
await import('./transport-grpc.test.ts');
await import('./transport-headers.test.ts');
await import('./transport-grpc-web.test.ts');
await import('./transport-ops.test.ts');
await import('./transport-malformed.test.ts');
