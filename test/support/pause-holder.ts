// A lock holder in its own process, for the pause test: the parent SIGSTOPs it for longer
// than the session timeout, then SIGCONTs it. It reports over IPC what its first timer
// callback after the pause saw, what a work timer set before the pause saw, and how the lease
// ended. Args (JSON): { connect, path, sessionTimeout }.
import { connect, LockLostError, Mutex } from '../../lib/index.js';

interface Args { connect: string; path: string; sessionTimeout: number }
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const send = (m: Record<string, unknown>): void => { process.send?.(m); };

const client = await connect(args.connect, { sessionTimeout: args.sessionTimeout });
const lease = await new Mutex(client, args.path).acquire({ timeout: 10_000 });
const captured = lease.signal; // as withLock hands it out: read once, used later
let abortEventSeen = false;
captured.addEventListener('abort', () => { abortEventSeen = true; }, { once: true });
send({ kind: 'holding', token: String(lease.fencingToken), validFor: lease.validFor(), negotiated: client.negotiatedSessionTimeout });

// A probe every 20 ms; the first one after a gap longer than the session timeout reports.
let last = performance.now();
const probe = (): void => {
  const now = performance.now();
  const gap = now - last;
  last = now;
  if (gap < args.sessionTimeout) {
    setTimeout(probe, 20);
    return;
  }
  const eventBefore = abortEventSeen; // did anything abort it before this first timer ran?
  const validFor = lease.validFor();
  const capturedAborted = captured.aborted;
  const freshAborted = lease.signal.aborted;
  let asserted = 'no throw';
  try {
    lease.assertValid();
  } catch (err) {
    asserted = err instanceof LockLostError ? err.reason : String(err);
  }
  send({ kind: 'probe', gap, validFor, capturedAborted, freshAborted, eventBefore, asserted });
};
setTimeout(probe, 20);

process.on('message', (m) => {
  if (m !== 'arm') return;
  // Work that comes due during the pause, as a holder's next step would.
  setTimeout(() => {
    send({ kind: 'work', abortEventSeen, reason: (captured.reason as LockLostError | undefined)?.reason });
  }, 1_234);
  send({ kind: 'armed' });
});

try {
  await lease.untilSafe();
  await new Promise<void>((resolve) => captured.addEventListener('abort', () => resolve(), { once: true }));
  await lease.untilSafe();
  send({ kind: 'final', status: lease.status });
} catch (err) {
  send({ kind: 'final', status: lease.status, reason: err instanceof LockLostError ? err.reason : String(err) });
}
await lease.release();
await client.close();
process.disconnect?.();
