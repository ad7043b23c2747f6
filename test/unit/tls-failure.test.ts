// Which socket errors on a TLS connection are permanent (a TlsError at once) and which are retried,
// by Node's error code, whatever the OpenSSL under Node calls the alert.
import { expect } from 'chai';
import { TlsError } from '../../lib/errors.js';
import { permanentTlsFailure } from '../../lib/zookeeper/tls-failure.js';

function socketError(code: string, message = 'handshake'): Error {
  return Object.assign(new Error(message), { code });
}

describe('TLS failures: permanent or retried, by code', () => {
  it('a server\'s refusal is permanent under both OpenSSL spellings of the alert (3.0: SSLV3, 3.2 and later: SSL/TLS)', () => {
    for (const alert of ['BAD_CERTIFICATE', 'HANDSHAKE_FAILURE', 'CERTIFICATE_UNKNOWN', 'CERTIFICATE_EXPIRED', 'CERTIFICATE_REVOKED', 'UNSUPPORTED_CERTIFICATE']) {
      for (const code of [`ERR_SSL_SSLV3_ALERT_${alert}`, `ERR_SSL_SSL/TLS_ALERT_${alert}`]) {
        const err = permanentTlsFailure(socketError(code), '127.0.0.1:2281');
        expect(err, code).to.be.instanceOf(TlsError);
        expect(err?.tlsCode).to.equal(code);
        expect(err?.server).to.equal('127.0.0.1:2281');
        expect(err?.message).to.match(/^TLS: 127\.0\.0\.1:2281 refused the TLS handshake/);
      }
    }
    expect(permanentTlsFailure(socketError('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), 'h:1')).to.be.instanceOf(TlsError);
    expect(permanentTlsFailure(socketError('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), 'h:1')).to.be.instanceOf(TlsError);
  });

  it('alerts that say nothing about the configuration, and plain socket errors, are retried', () => {
    for (const code of ['ERR_SSL_SSLV3_ALERT_BAD_RECORD_MAC', 'ERR_SSL_SSL/TLS_ALERT_BAD_RECORD_MAC', 'ERR_SSL_SSL/TLS_ALERT_UNEXPECTED_MESSAGE',
      'ERR_SSL_TLSV1_ALERT_INTERNAL_ERROR', 'ECONNRESET', 'ECONNREFUSED']) {
      expect(permanentTlsFailure(socketError(code), 'h:1'), code).to.equal(undefined);
    }
    expect(permanentTlsFailure(new Error('no code'), 'h:1')).to.equal(undefined);
  });
});
