// Curator writes the local IP address as a lock node's data by default (no lock algorithm
// reads it; operators and `zkurator status` do). We do the same so nodes look alike.
import { networkInterfaces } from 'node:os';

let cached: Buffer | undefined;

export function localAddressData(): Buffer {
  if (!cached) {
    const addrs = Object.values(networkInterfaces()).flat();
    const ipv4 = addrs.find((a) => a && a.family === 'IPv4' && !a.internal);
    cached = Buffer.from(ipv4?.address ?? '127.0.0.1');
  }
  return cached;
}
