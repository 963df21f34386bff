import http from 'node:http';
import https from 'node:https';
import { SnetError } from '../../errors/index.ts';
import { cancelledCallError, serviceUnavailableError } from '../service-request.ts';

/** A service's answer to one POST. */
export interface PostAnswer {
  readonly status: number;
  readonly body: Buffer;
}

/** What {@link createJsonPoster} needs once at start-up. */
export interface JsonPosterOptions {
  /** Largest answer body accepted (the largest reply message, `max_message_size_in_mb`). */
  readonly maxAnswerBytes: number;
  /** `user-agent` the service sees. */
  readonly userAgent: string;
}

/** POSTs JSON bodies to an HTTP(S) service over kept-alive connections (one pool per upstream). */
export interface JsonPoster {
  post(url: URL, body: Uint8Array, headers: Readonly<Record<string, string>> | undefined, signal: AbortSignal): Promise<PostAnswer>;
  /** Closes idle and in-flight connections. */
  close(): void;
}

/**
 * A JSON POST client over node:http with keep-alive agents built once. A connection failure rejects with
 * UPSTREAM_UNAVAILABLE naming the host, an answer larger than `maxAnswerBytes` with UPSTREAM_FAILED, a cancelled
 * call with the call's own reason (the transport already answered DEADLINE_EXCEEDED or CANCELLED).
 */
export function createJsonPoster(options: JsonPosterOptions): JsonPoster {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  return {
    post(url, body, headers, signal) {
      return new Promise<PostAnswer>((resolve, reject) => {
        if (signal.aborted) {
          reject(cancelledCallError(signal.reason));
          return;
        }
        const secure = url.protocol === 'https:';
        const request = (secure ? https : http).request(url, {
          method: 'POST',
          agent: secure ? agents.https : agents.http,
          signal,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': String(body.byteLength), 'user-agent': options.userAgent },
        });
        request.on('error', (error) => {
          reject(signal.aborted ? cancelledCallError(signal.reason) : serviceUnavailableError(url.host, error));
        });
        request.on('response', (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.byteLength;
            if (size > options.maxAnswerBytes) {
              request.destroy();
              reject(
                new SnetError('UPSTREAM_FAILED', `the service at ${url.host} answered more than ${options.maxAnswerBytes} bytes`, {
                  hint: 'Raise max_message_size_in_mb, or make the service answer less.',
                }),
              );
              return;
            }
            chunks.push(chunk);
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
          response.on('error', (error) => reject(signal.aborted ? cancelledCallError(signal.reason) : serviceUnavailableError(url.host, error)));
        });
        request.end(body);
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** The start of an error answer for a status message: at most 512 characters, one line. */
export function answerExcerpt(body: Buffer): string {
  const text = body.subarray(0, 512).toString('utf8').replace(/\s+/gu, ' ').trim();
  return body.byteLength > 512 ? `${text}…` : text;
}

