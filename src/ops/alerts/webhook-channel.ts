// Alerts POSTed to `notification_endpoint` as plain JSON with the reference's fields (Go
// metrics/notifications.go: component_id, timestamp, recipient, message, details, component, type, level),
// not its double encoding; signed with the metering headers when a metering key is configured.
import { compileGoTimeLayout, GO_TIME_STRING_LAYOUT } from '../logging/go-time-layout.ts';
import { redactUrl } from '../logging/redact-url.ts';
import type { SignedHeaders } from '../metering/signed-headers.ts';
import type { AlertChannel, AlertEvent } from './alert-event.ts';

/** Settings of {@link createWebhookAlertChannel}. */
export interface WebhookAlertOptions {
  readonly url: string;
  readonly daemonId: string;
  /** `alerts_email`: the reference sends it as `recipient`. */
  readonly recipient: string;
  /** Signed metering headers (`X-username` = daemon id), when `private_key_for_metering` is set. */
  readonly signedHeaders?: SignedHeaders | undefined;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

const formatGoTime = compileGoTimeLayout(GO_TIME_STRING_LAYOUT, 'UTC');

/** The JSON body of an alert. */
export function alertNotificationBody(event: AlertEvent, options: Pick<WebhookAlertOptions, 'daemonId' | 'recipient'>): Record<string, string> {
  return {
    component_id: options.daemonId,
    timestamp: formatGoTime(event.atMs),
    recipient: options.recipient,
    message: event.message,
    details: event.details,
    component: 'Daemon',
    type: event.kind,
    level: event.firing ? 'ERROR' : 'INFO',
  };
}

/** Creates the channel. A non-2xx answer is a failed delivery. */
export function createWebhookAlertChannel(options: WebhookAlertOptions): AlertChannel {
  return {
    name: 'webhook',
    async send(event) {
      const headers = options.signedHeaders === undefined ? { 'content-type': 'application/json' } : await options.signedHeaders(options.daemonId);
      const response = await fetch(options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(alertNotificationBody(event, options)),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`notification_endpoint ${redactUrl(options.url)} answered HTTP ${response.status}`);
    },
  };
}
