// Which TLS failures are permanent. A certificate that did not verify will not verify on the
// next attempt, and a server that refused our certificate (or the lack of one) will refuse it
// again: retrying those until the connect timeout only hides the cause. Everything else a
// socket runs into (refused, reset, closed before the handshake, timed out) may pass and is
// retried as usual.
import { TlsError } from '../errors.js';

/** OpenSSL's certificate verification results, as Node names them (X509_V_ERR_*). */
const VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_CRL', 'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID', 'CERT_HAS_EXPIRED', 'CRL_NOT_YET_VALID', 'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD', 'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_CHAIN_TOO_LONG', 'CERT_REVOKED',
  'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH',
]);

/**
 * The alerts SSL 3.0 already had, among those below. Node makes its code from OpenSSL's reason
 * text, and OpenSSL 3.2 renamed these from "sslv3 alert ..." to "ssl/tls alert ...": the same
 * alert is ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE under OpenSSL 3.0 (Node 20) and
 * ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE under 3.2 and later (Node 22 and 24 bundle 3.5).
 */
const SSLV3_ALERTS = [
  'HANDSHAKE_FAILURE', 'BAD_CERTIFICATE', 'UNSUPPORTED_CERTIFICATE', 'CERTIFICATE_REVOKED', 'CERTIFICATE_EXPIRED', 'CERTIFICATE_UNKNOWN',
];

/**
 * TLS alerts by which a server refuses the handshake for good: our certificate (missing,
 * untrusted, expired...), or no protocol version or cipher in common. Not among them:
 * internal_error, decode errors and the like, which say nothing about the configuration.
 */
const REFUSED_BY_SERVER = new Set([
  ...SSLV3_ALERTS.flatMap((alert) => [`ERR_SSL_SSLV3_ALERT_${alert}`, `ERR_SSL_SSL/TLS_ALERT_${alert}`]),
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_TLSV1_ALERT_INSUFFICIENT_SECURITY', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
]);

/** `CODE: short reason`, without OpenSSL's source file and line noise. */
export function socketErrorText(err: Error): string {
  const { code, reason } = err as Error & { code?: string; reason?: unknown };
  const text = typeof reason === 'string' && reason ? reason : err.message.trim();
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}

/** The permanent TLS failure `err` reports on the connection to `server`, if it is one. */
export function permanentTlsFailure(err: Error, server: string): TlsError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (!code) return undefined;
  let what: string;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') what = `the certificate of ${server} is not for the name connected to`;
  else if (VERIFY_CODES.has(code)) what = `the certificate of ${server} is not trusted (check tls.ca)`;
  else if (REFUSED_BY_SERVER.has(code)) what = `${server} refused the TLS handshake (a client certificate it trusts missing?)`;
  else return undefined;
  return new TlsError(server, code, `TLS: ${what}: ${socketErrorText(err)}`, { cause: err });
}

/** The TLS options could not be used at all (a key or certificate that does not parse...). */
export function unusableTlsOptions(err: unknown): TlsError {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  const text = err instanceof Error ? socketErrorText(err) : String(err);
  return new TlsError(undefined, code, `TLS: the tls options cannot be used: ${text}`, { cause: err });
}
