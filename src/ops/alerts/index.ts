export type { AlertChannel, AlertEvent, AlertKind } from './alert-event.ts';
export { createAlertDispatcher, type AlertDispatcher, type AlertDispatcherOptions } from './alert-dispatcher.ts';
export { createEmailAlertChannel, formatAlertEmail, type EmailAlertOptions } from './email-channel.ts';
export { alertNotificationBody, createWebhookAlertChannel, type WebhookAlertOptions } from './webhook-channel.ts';
export { watchErrorRate, type ErrorRateWatchOptions } from './error-rate-watch.ts';
export { watchDependencies, type DependencyWatchOptions } from './dependency-watch.ts';
export { watchCertificates, type CertificateWatchOptions } from './certificate-watch.ts';
