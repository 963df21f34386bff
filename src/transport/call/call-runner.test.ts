import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import type { CallHandler } from '../../pipeline/index.ts';
import { createSilentLogger } from '../../shared/index.ts';
import type { CallOutcome } from '../../upstream/index.ts';
import type { CallResponse } from './call-response.ts';
import { CallRunner } from './call-runner.ts';

/** A response that records the status it was finished with. */
function recordingResponse(): CallResponse & { outcomes: CallOutcome[] } {
  const outcomes: CallOutcome[] = [];
  return {
    outcomes,
    setHeaders: () => undefined,
    addHeaderList: () => undefined,
    writeFrames: () => true,
    writeMessage: () => true,
    onDrain: (listener) => queueMicrotask(listener),
    bufferedBytes: () => 0,
    finish: (outcome) => outcomes.push(outcome),
  };
}

/** A runner over `handler` with one gRPC call started on it; `clientGone()` is the client going away. */
function startCall(handler: CallHandler, response: CallResponse = recordingResponse()): { runner: CallRunner; clientGone: () => void } {
  const runner = new CallRunner(createSilentLogger(), handler, { maxMessageBytes: 1024, serviceTimeoutMs: 0, dropMetadata: new Set() });
  let gone: () => void = () => undefined;
  runner.run({
    method: '/p.S/M',
    protocol: 'grpc',
    httpVersion: '2',
    headers: {},
    remoteAddress: undefined,
    body: new PassThrough(),
    response,
    onClientGone: (listener) => (gone = listener),
  });
  return { runner, clientGone: () => gone() };
}

describe('CallRunner', () => {
  it('behavior: a cancelled call leaves activeCalls at once but handlersRunning only when its handler returns', async () => {
    let handlerReturn: (outcome: CallOutcome) => void = () => undefined;
    let aborted: () => void = () => undefined;
    const abortSeen = new Promise<void>((resolve) => (aborted = resolve));
    // Like the payment interceptor: the call is aborted, the handler still writes its release before it returns.
    const handler: CallHandler = (ctx) =>
      new Promise((resolve) => {
        ctx.signal.addEventListener('abort', () => aborted());
        handlerReturn = resolve;
      });
    const response = recordingResponse();
    const { runner, clientGone } = startCall(handler, response);
    assert.deepEqual({ active: runner.activeCalls, running: runner.handlersRunning }, { active: 1, running: 1 });
    clientGone();
    await abortSeen;
    assert.equal(response.outcomes[0]?.code, 1, 'the client got CANCELLED at once');
    assert.deepEqual({ active: runner.activeCalls, running: runner.handlersRunning }, { active: 0, running: 1 });
    handlerReturn({ code: 1, message: 'released' });
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual({ active: runner.activeCalls, running: runner.handlersRunning }, { active: 0, running: 0 });
    assert.equal(response.outcomes.length, 1, 'the status is sent once');
  });

  it('behavior: idle() waits for the handler of a cancelled call (its payment release), not only for its status', async () => {
    let handlerReturn: (outcome: CallOutcome) => void = () => undefined;
    const handler: CallHandler = () => new Promise((resolve) => (handlerReturn = resolve));
    const { runner, clientGone } = startCall(handler);
    clientGone();
    let idle = false;
    const waiting = runner.idle().then(() => (idle = true));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(idle, false, 'shutdown would close storage under the release');
    handlerReturn({ code: 1, message: 'released' });
    await waiting;
    assert.equal(idle, true);
  });
});
