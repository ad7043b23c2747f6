// A throwaway PKI for the TLS tests, made at test time with openssl (and the JDK's keytool for
// the Java trust store): a CA, a server certificate for 127.0.0.1 and localhost, a client
// certificate from the same CA, and a second, unrelated CA with a client certificate of its
// own (for "not trusted" cases). EC P-256 keys: instant to generate, fine for Java and Node.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  /** PEM certificate. */
  cert: Buffer;
  /** PEM private key (PKCS#8, unencrypted). */
  key: Buffer;
}

export interface TestPki {
  dir: string;
  /** PEM of the CA that signed the server and client certificates. */
  ca: Buffer;
  server: KeyPair;
  client: KeyPair;
  /** An unrelated CA, and a client certificate it signed. */
  otherCa: Buffer;
  otherClient: KeyPair;
  /** Server key store (key + certificate) and trust store (the CA), PKCS12. */
  keyStore: string;
  trustStore: string;
  storePassword: string;
  remove(): void;
}

function run(cmd: string, args: string[], cwd: string): void {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeCa(dir: string, name: string): void {
  run('openssl', ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`], dir);
}

/** A certificate for `name`, signed by the CA `ca`, with the given extensions. */
function makeLeaf(dir: string, name: string, ca: string, extensions: string[]): KeyPair {
  run('openssl', ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
  writeFileSync(join(dir, `${name}.ext`), extensions.join('\n') + '\n');
  run('openssl', ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`], dir);
  return { cert: readFileSync(join(dir, `${name}.pem`)), key: readFileSync(join(dir, `${name}.key`)) };
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'zkurator-pki-'));
  const storePassword = 'zkurator-test';
  try {
    makeCa(dir, 'ca');
    makeCa(dir, 'other-ca');
    const server = makeLeaf(dir, 'server', 'ca', [
      'basicConstraints=CA:FALSE', 'extendedKeyUsage=serverAuth', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
    const client = makeLeaf(dir, 'client', 'ca', ['basicConstraints=CA:FALSE', 'extendedKeyUsage=clientAuth']);
    const otherClient = makeLeaf(dir, 'other-client', 'other-ca', ['basicConstraints=CA:FALSE', 'extendedKeyUsage=clientAuth']);
    // The key store holds the server's key and certificate only (not the CA): a client that
    // does not trust the CA then fails on the leaf, as with most real deployments.
    run('openssl', ['pkcs12', '-export', '-in', 'server.pem', '-inkey', 'server.key', '-name', 'server',
      '-out', 'keystore.p12', '-passout', `pass:${storePassword}`], dir);
    run('keytool', ['-importcert', '-noprompt', '-alias', 'ca', '-file', 'ca.pem', '-keystore', 'truststore.p12',
      '-storetype', 'PKCS12', '-storepass', storePassword], dir);
    return {
      dir,
      ca: readFileSync(join(dir, 'ca.pem')),
      server,
      client,
      otherCa: readFileSync(join(dir, 'other-ca.pem')),
      otherClient,
      keyStore: join(dir, 'keystore.p12'),
      trustStore: join(dir, 'truststore.p12'),
      storePassword,
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
