import net from 'node:net';

/** True when something accepts TCP connections at `url`'s host and port within `timeoutMs` (health checks). */
export function isListening(url: URL, timeoutMs: number): Promise<boolean> {
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
