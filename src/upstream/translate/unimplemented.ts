import { SnetError } from '../../errors/index.ts';
import type { CompiledProtos } from './compiled-protos.ts';

/** METHOD_UNIMPLEMENTED for a method the service protos do not declare, naming it and a few that exist. */
export function unimplemented(method: string, protos: CompiledProtos): SnetError {
  const known = protos.methodPaths.slice(0, 5).join(', ');
  return new SnetError('METHOD_UNIMPLEMENTED', `method ${method} is not in the service protos`, {
    hint: `Call a method the published protos declare${known === '' ? '' : ` (${known}${protos.methodPaths.length > 5 ? ', …' : ''})`}.`,
  });
}
