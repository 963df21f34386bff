export { errorCatalogue, type ErrorCode } from './codes.ts';
export { SnetError, isSnetError, type SnetErrorOptions, type ErrorDetails } from './snet-error.ts';
export { errorFromUnknown } from './from-unknown.ts';
export { renderErrorDocs } from './errors-docs.ts';
