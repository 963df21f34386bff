/** What an alert is about; with `subject` (e.g. which certificate) it names one alert state. */
export type AlertKind = 'service_down' | 'error_rate' | 'storage_unreachable' | 'chain_unreachable' | 'certificate_expiry' | 'channel_expiry';

/** One state change of one alert: it started firing, or it resolved. */
export interface AlertEvent {
  readonly kind: AlertKind;
  readonly subject: string;
  readonly firing: boolean;
  /** One line for humans: the e-mail subject and the webhook `message`. */
  readonly message: string;
  /** Specifics (error text, numbers); no secrets. */
  readonly details: string;
  readonly atMs: number;
}

/** Where alerts go (e-mail, webhook). `send` rejects on a failed delivery; the dispatcher logs it. */
export interface AlertChannel {
  readonly name: string;
  send(event: AlertEvent): Promise<void>;
  close?(): Promise<void>;
}
