export { createSignedHeaders, type MeteringIdentity, type SignedHeaders } from './signed-headers.ts';
