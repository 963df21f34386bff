export type { Logger } from './logger.ts';
export { createSilentLogger } from './silent-logger.ts';
