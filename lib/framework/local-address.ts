// The default data of a zkurator lock node: `<ip> zkurator/<version> pid <pid>`, e.g.
// `10.0.0.7 zkurator/0.1.0 pid 4242`. No lock algorithm reads it; operators and tools do.
// Curator writes the bare IP address; we start with it too (so a glance says which host), and
// add who wrote the node and which process holds it, so `zkurator status` and the gateway's
// web page can tell a zkurator library user from a JVM Curator client (lock-inspector.ts).
import { networkInterfaces } from 'node:os';
import { VERSION } from '../util/version.js';

let cached: Buffer | undefined;

/** This host's first external IPv4 address, else 127.0.0.1. */
export function localAddress(): string {
  const addrs = Object.values(networkInterfaces()).flat();
  const ipv4 = addrs.find((a) => a && a.family === 'IPv4' && !a.internal);
  return ipv4?.address ?? '127.0.0.1';
}

export function localAddressData(): Buffer {
  cached ??= Buffer.from(`${localAddress()} zkurator/${VERSION} pid ${process.pid}`);
  return cached;
}
