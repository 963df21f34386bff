/**
 * Every transport scenario again, with the service hop on the built-in HTTP/2 client
 * (`upstream_http2_engine: builtin`) instead of node:http2: the harness default is switched for this
 * test process, then the scenario files register their suites here.
 */
import { useUpstreamEngine } from '../harness/transport-daemon.ts';

useUpstreamEngine('builtin');
await import('./transport-grpc.test.ts');
await import('./transport-headers.test.ts');
await import('./transport-grpc-web.test.ts');
await import('./transport-ops.test.ts');
await import('./transport-malformed.test.ts');
