// storageClientCertDetails of /heartbeat (Go metrics/heartbeat.go getStorageCertificateDetails): the validity
// of the etcd client certificate `payment_channel_cert_path`, in the reference's wording and Go's time format.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { compileGoTimeLayout, GO_TIME_STRING_LAYOUT } from '../logging/go-time-layout.ts';

/** The heartbeat field; both strings empty when no certificate is configured or it cannot be read. */
export interface CertDetails {
  readonly validFrom: string;
  readonly validTill: string;
}

/** Validity dates of the first certificate in a PEM file; `undefined` when it cannot be read or parsed. */
export async function readCertificateValidity(path: string): Promise<{ notBeforeMs: number; notAfterMs: number } | undefined> {
  try {
    const certificate = new X509Certificate(await readFile(path));
    return { notBeforeMs: Date.parse(certificate.validFrom), notAfterMs: Date.parse(certificate.validTo) };
  } catch {
    return undefined;
  }
}

const formatGoTime = compileGoTimeLayout(GO_TIME_STRING_LAYOUT, 'UTC');

/**
 * The reference's strings: `Valid Since: <Go time.String()> days` / `Valid Till: … days` (the " days" is the
 * reference's text, kept because monitoring may match it). Empty strings when `path` is unset or unreadable.
 */
export async function readCertDetails(path: string | undefined): Promise<CertDetails> {
  if (path === undefined || path === '') return { validFrom: '', validTill: '' };
  const validity = await readCertificateValidity(path);
  if (validity === undefined) return { validFrom: '', validTill: '' };
  return { validFrom: `Valid Since: ${formatGoTime(validity.notBeforeMs)} days`, validTill: `Valid Till: ${formatGoTime(validity.notAfterMs)} days` };
}
