// TLS-ALPN-01 (RFC 8737) on the daemon's own TLS port: a validation connection offers only the ALPN protocol
// `acme-tls/1` and must get the challenge certificate for the domain; every other client, on the same name,
// keeps getting the real one. Node picks a certificate before it knows the ALPN offer (TLS 1.2), so while a
// challenge is pending the listener reads the ClientHello itself and hands the socket on. With no challenge
// pending (all but a few seconds per renewal) sockets go straight to the TLS server, untouched.
import type net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../shared/index.ts';
import { parseClientHello } from './client-hello.ts';

/** The ALPN protocol of TLS-ALPN-01 validation handshakes. */
export const acmeTlsProtocol = 'acme-tls/1';

/** Challenge certificates by server name, kept by the ACME client while its challenges are pending. */
export interface TlsAlpnChallengeSource {
  /** True while some challenge waits for validation: only then are ClientHellos read. */
  readonly pending: boolean;
  /** The challenge certificate for `serverName` (lower case), when its challenge is pending. */
  contextFor(serverName: string): tls.SecureContext | undefined;
}

/**
 * ClientHellos are a few kB (post-quantum key shares included) in one record of at most 16 KiB; a client that
 * sends more before deciding is not a validation and goes to the TLS server (this also bounds the memory held
 * per connection while a challenge is pending).
 */
const maxClientHelloBytes = 16 * 1024 + 5;

/**
 * Routes one accepted TCP connection: to the challenge certificate when it is a TLS-ALPN-01 validation for a
 * pending challenge, else to `server` (the daemon's TLS server, emitted as its `connection`).
 */
export function routeTlsConnection(socket: net.Socket, deps: { readonly server: tls.Server; readonly challenges: TlsAlpnChallengeSource; readonly logger: Logger; readonly handshakeTimeoutMs: number }): void {
  if (!deps.challenges.pending) {
    deps.server.emit('connection', socket);
    return;
  }
  // Until the socket is handed on nobody else listens for its errors (a reset must not crash the daemon).
  socket.on('error', () => socket.destroy());
  socket.setTimeout(deps.handshakeTimeoutMs, () => socket.destroy());
  let received = Buffer.alloc(0);
  const onReadable = (): void => {
    for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) received = Buffer.concat([received, chunk]);
    const hello = received.length > maxClientHelloBytes ? undefined : parseClientHello(received);
    if (hello === 'incomplete') {
      socket.once('readable', onReadable);
      return;
    }
    socket.setTimeout(0);
    socket.unshift(received);
    const serverName = hello?.serverName;
    const context = serverName !== undefined && hello?.alpnProtocols.includes(acmeTlsProtocol) === true ? deps.challenges.contextFor(serverName) : undefined;
    if (serverName === undefined || context === undefined) {
      // Not a validation (or one for no pending challenge): the TLS server sees the same bytes, unread.
      deps.server.emit('connection', socket);
      return;
    }
    answerValidation(socket, context, serverName, deps);
  };
  socket.once('readable', onReadable);
}

/** Completes the handshake with the challenge certificate; the CA then closes without sending data. */
function answerValidation(socket: net.Socket, context: tls.SecureContext, serverName: string, deps: { readonly logger: Logger; readonly handshakeTimeoutMs: number }): void {
  const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context, ALPNProtocols: [acmeTlsProtocol] });
  secure.on('error', () => secure.destroy());
  secure.setTimeout(deps.handshakeTimeoutMs, () => secure.destroy());
  secure.once('secure', () => {
    deps.logger.info({ serverName }, 'answered a TLS-ALPN-01 validation handshake');
    secure.end();
  });
}
