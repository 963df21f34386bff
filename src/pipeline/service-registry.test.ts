import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSnetError } from '../errors/index.ts';
import type { CallContext } from './call-context.ts';
import { applyInterceptors, type CallHandler, type Interceptor } from './interceptor.ts';
import { createServiceRegistry } from './service-registry.ts';

const fakeCtx = (method: string): CallContext => ({ method }) as CallContext;

describe('applyInterceptors()', () => {
  it('behavior: the first interceptor is outermost', async () => {
    const order: string[] = [];
    const tag =
      (name: string): Interceptor =>
      (next) =>
      async (ctx) => {
        order.push(`${name}>`);
        const outcome = await next(ctx);
        order.push(`<${name}`);
        return outcome;
      };
    const handler: CallHandler = () => {
      order.push('handler');
      return Promise.resolve({ code: 0, message: '' });
    };
    await applyInterceptors(handler, [tag('rate'), tag('payment')])(fakeCtx('/a.B/C'));
    assert.deepEqual(order, ['rate>', 'payment>', 'handler', '<payment', '<rate']);
  });
});

describe('createServiceRegistry()', () => {
  it('behavior: unknown methods of a registered service are UNIMPLEMENTED, other services are not ours', async () => {
    const registry = createServiceRegistry();
    registry.registerUnary('/grpc.health.v1.Health/Check', () => Promise.resolve(new Uint8Array()));
    assert.ok(registry.lookup('/grpc.health.v1.Health/Check'));
    assert.equal(registry.lookup('/other.Service/Check'), undefined);
    const list = registry.lookup('/grpc.health.v1.Health/List');
    assert.ok(list);
    await assert.rejects(list(fakeCtx('/grpc.health.v1.Health/List')), (error: unknown) => isSnetError(error, 'METHOD_UNIMPLEMENTED') && error.message === 'method List not implemented');
  });
  it('behavior: every service of a daemon-owned package is the daemon\'s, never the AI service\'s', async () => {
    const registry = createServiceRegistry();
    registry.registerUnary('/escrow.PaymentChannelStateService/GetChannelState', () => Promise.resolve(new Uint8Array()));
    const other = registry.lookup('/escrow.TrainingStateService/Get');
    assert.ok(other, 'an unknown service of the escrow package is answered by the daemon');
    await assert.rejects(other(fakeCtx('/escrow.TrainingStateService/Get')), (error: unknown) => isSnetError(error, 'METHOD_UNIMPLEMENTED') && error.message === 'method Get not implemented');
    assert.equal(registry.lookup('/escrowx.Service/Get'), undefined, 'only the exact package');
    assert.equal(registry.lookup('/escrow.sub.Service/Get'), undefined, 'a sub-package is another package');
    assert.equal(registry.lookup('/Calculator/add'), undefined, 'a service without a package is not ours');
  });
  it('error: malformed paths and duplicates are start-up bugs', () => {
    const registry = createServiceRegistry();
    assert.throws(() => registry.registerUnary('Health/Check', () => Promise.resolve(new Uint8Array())), /not a \/package.Service\/Method path/);
    registry.registerUnary('/a.B/C', () => Promise.resolve(new Uint8Array()));
    assert.throws(() => registry.registerUnary('/a.B/C', () => Promise.resolve(new Uint8Array())), /registered twice/);
  });
});
