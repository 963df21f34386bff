/**
 * The contract between the daemon's call pipeline and whatever answers a call (the gRPC service, the
 * JSON-RPC, HTTP and process translators, or the daemon's own services). It is byte-level on purpose:
 * the gRPC passthrough never compiles the service's proto, messages travel as the client framed them.
 */

/**
 * gRPC metadata as lower-case header name → value(s). Binary (`-bin`) values stay base64 text as on
 * the wire. Objects of this type are created with a null prototype (client input builds them).
 */
export type Metadata = Record<string, string | string[]>;

/** Read-only view of {@link Metadata}. */
export type ReadonlyMetadata = Readonly<Record<string, string | readonly string[]>>;

/**
 * Headers as node:http2 receives and sends them without building objects: a flat list
 * `[name, value, name, value, …]`, lower-case names, one entry per header line (a repeated header
 * appears once per value, in wire order). node's `rawHeaders` argument has this shape.
 */
export type HeaderList = readonly string[];

/** The gRPC status a call ended with; `code` is the numeric wire status (0 = OK, 1000 = snet nonce quirk). */
export interface CallOutcome {
  readonly code: number;
  /** Sent as `grpc-message` (percent-encoded by the transport); empty for OK. */
  readonly message: string;
  /** Extra trailers for the client, e.g. `grpc-status-details-bin` and service trailers. */
  readonly trailers?: ReadonlyMetadata;
}

/** Where raw request bytes go (an http2 client stream, a socket...). Mirrors node's `Writable`. */
export interface ByteSink {
  write(chunk: Uint8Array): boolean;
  end(): void;
  once(event: 'drain', listener: () => void): unknown;
  /** Bytes written but not yet taken (node `Writable.writableLength`). */
  readonly writableLength: number;
}

/**
 * How many bytes a writer may queue towards one peer before its producer is paused. node's
 * `write()` says "full" above 16 KiB, which for a 100 KB message meant a pause/resume cycle per
 * DATA chunk; HTTP/2 flow-control windows still bound what is in flight. 128 KiB: a 100 KB message
 * passes without a pause; 256 KiB cost no less CPU but ~5 MiB more RSS on the 1 GiB stream (bench/README.md).
 */
export const writeBufferBytes = 128 << 10;

/**
 * The client's request messages. Frames are validated as they arrive (size limit, compression
 * flag); a violation rejects the reading operation with an `SnetError` (REQUEST_TOO_LARGE,
 * REQUEST_MALFORMED) and the transport ends the call with that status.
 */
export interface RequestMessages {
  /** `grpc-encoding` of the client's compressed frames (`identity` when none). */
  readonly encoding: string;
  /**
   * The first message (decompressed) without consuming it: later `pipeFrames`/`messages` still
   * start with it. Resolves `undefined` when the client half-closed without sending one.
   * The bytes are a view into the received chunk when the message fits in one (no copy).
   */
  first(): Promise<Uint8Array | undefined>;
  /**
   * Forwards the request as received (length-prefixed frames, compressed or not) into `sink`,
   * honouring `sink` backpressure, and ends `sink` at the client's half-close. Resolves at that
   * point; rejects on a frame violation or when the client goes away. Call at most once.
   */
  pipeFrames(sink: ByteSink): Promise<void>;
  /** The decoded (decompressed) messages, for handlers that read them one by one. Call at most once. */
  messages(): AsyncIterable<Uint8Array>;
}

/**
 * The response towards the client. Writes return `false` when the client is slow; the writer
 * then calls `onDrain` listeners once it can take more (node stream semantics).
 */
export interface ResponseWriter {
  /**
   * Adds response headers (e.g. the service's own). They are sent with the first message; a call
   * that ends without messages sends them with the status (trailers-only). Ignored once sent.
   */
  setHeaders(headers: ReadonlyMetadata): void;
  /**
   * The service's own response headers as a flat {@link HeaderList} (forwarded without building an object;
   * repeated names stay separate lines), together with anything {@link setHeaders} added. Unlike
   * {@link setHeaders}, they are sent at once, as the service sent them: a status that follows without any
   * message then reaches the client as trailers after these headers, not as a trailers-only answer. Ignored once sent.
   */
  addHeaderList(headers: HeaderList): void;
  /** Writes already framed bytes (5-byte prefix + message), e.g. a service's DATA chunks. */
  writeFrames(chunk: Uint8Array): boolean;
  /** Frames one uncompressed message and writes it. */
  writeMessage(message: Uint8Array): boolean;
  /** Runs `listener` once the client drained what was written. */
  onDrain(listener: () => void): void;
}

/** One call as an upstream receives it. */
export interface UpstreamCall {
  /** Full gRPC path, `/package.Service/Method`, exactly as the client used it. */
  readonly method: string;
  /** Metadata for the service: the client's minus reserved headers, plus what interceptors added. */
  readonly metadata: ReadonlyMetadata;
  /** Time left until the call's deadline, in ms; `undefined` = no deadline. */
  readonly timeoutMs: number | undefined;
  /** Aborted when the client cancels, the deadline passes or the daemon stops. */
  readonly signal: AbortSignal;
  readonly request: RequestMessages;
  readonly response: ResponseWriter;
}

/**
 * Something that answers calls: the gRPC service behind the daemon, or a JSON-RPC/HTTP/process translator.
 * `invoke` resolves with the final status, including error statuses the service chose; it rejects
 * (with an `SnetError`) only when the call could not be carried out (service down, bad frames).
 */
export interface Upstream {
  invoke(call: UpstreamCall): Promise<CallOutcome>;
  /** True when the service accepts connections right now (used by health checks). */
  isReachable(timeoutMs: number): Promise<boolean>;
  /** Closes connections to the service; in-flight calls are cancelled. */
  close(): Promise<void>;
}
