export { createSignedHeaders, type MeteringIdentity, type SignedHeaders } from './signed-headers.ts';
export { createMeteringClient, formatMeteringTime, usagePayload, type MeteredCall, type MeteringClient, type MeteringOptions } from './metering-client.ts';
