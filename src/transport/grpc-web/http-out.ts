import type http from 'node:http';
import type http2 from 'node:http2';

/** The few operations a gRPC-Web or plain HTTP answer needs, over HTTP/1.1 or HTTP/2. */
export interface HttpOut {
  head(status: number, headers: Record<string, string | string[]>, endStream?: boolean): void;
  write(chunk: Uint8Array): boolean;
  end(chunk?: Uint8Array): void;
  onDrain(listener: () => void): void;
  isGone(): boolean;
  bufferedBytes(): number;
}

/** {@link HttpOut} over an HTTP/1.1 `ServerResponse`. */
export function httpOutFromResponse(res: http.ServerResponse): HttpOut {
  return {
    head: (status, headers, endStream) => {
      res.writeHead(status, headers);
      if (endStream === true) res.end();
    },
    write: (chunk) => res.write(chunk),
    end: (chunk) => {
      if (chunk === undefined) res.end();
      else res.end(chunk);
    },
    onDrain: (listener) => {
      if (res.destroyed) queueMicrotask(listener);
      else onceDrainOrClose(res, listener);
    },
    isGone: () => res.destroyed || res.writableEnded,
    bufferedBytes: () => res.writableLength,
  };
}

/** {@link HttpOut} over an HTTP/2 server stream. */
export function httpOutFromStream(stream: http2.ServerHttp2Stream): HttpOut {
  return {
    head: (status, headers, endStream) => {
      stream.respond({ ...headers, ':status': status }, { endStream: endStream === true });
    },
    write: (chunk) => stream.write(chunk),
    end: (chunk) => {
      if (chunk === undefined) stream.end();
      else stream.end(chunk);
    },
    onDrain: (listener) => {
      if (stream.destroyed) queueMicrotask(listener);
      else onceDrainOrClose(stream, listener);
    },
    isGone: () => stream.destroyed || stream.closed,
    bufferedBytes: () => stream.writableLength,
  };
}

/** Runs `listener` once on 'drain' or 'close' (a closed stream never drains; its waiter must not hang). */
function onceDrainOrClose(emitter: NodeJS.EventEmitter, listener: () => void): void {
  const onDrain = (): void => {
    emitter.off('close', onClose);
    listener();
  };
  const onClose = (): void => {
    emitter.off('drain', onDrain);
    listener();
  };
  emitter.once('drain', onDrain);
  emitter.once('close', onClose);
}
