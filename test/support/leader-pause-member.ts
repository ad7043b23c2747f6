// A LeaderLatch leader in its own process, for the pause test: the parent SIGSTOPs it for longer
// than the session timeout, then SIGCONTs it. It reports over IPC what its first timer callback
// after the pause saw (the leadership signal captured before the pause, validFor(), and until
// when, in CLOCK_MONOTONIC ns, its leadership was surely valid by its clock), what a work timer
// set before the pause saw, and that it queued again afterwards. Args (JSON): { connect, path, sessionTimeout }.
import { connect, LeaderLatch, LeadershipLostError } from '../../lib/index.js';

interface Args { connect: string; path: string; sessionTimeout: number }
const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const send = (m: Record<string, unknown>): void => { process.send?.(m); };

const client = await connect(args.connect, { sessionTimeout: args.sessionTimeout });
const latch = new LeaderLatch(client, args.path, { id: 'paused-node' });
await latch.start();
await latch.await();
const leadership = latch.leadership!;
const captured = leadership.signal; // read once, used later, as a leader's work would
let abortEventSeen = false;
captured.addEventListener('abort', () => { abortEventSeen = true; }, { once: true });
const node = latch.node;
send({ kind: 'leading', token: String(leadership.fencingToken), validFor: leadership.validFor(), negotiated: client.negotiatedSessionTimeout });

// A probe every 20 ms; the first one after a gap longer than the session timeout reports.
let last = performance.now();
const probe = (): void => {
  const now = performance.now();
  const nowNs = process.hrtime.bigint();
  const gap = now - last;
  last = now;
  if (gap < args.sessionTimeout) {
    setTimeout(probe, 20);
    return;
  }
  // Until when leadership was surely ours by the clock: a session timeout after the latest
  // request a server answered (no reply can have been read yet: timers run before I/O).
  const validUntilNs = nowNs - BigInt(Math.round((now - client.sessionAliveUntil) * 1e6));
  const eventBefore = abortEventSeen; // aborted by an event before this first timer ran?
  const validFor = leadership.validFor();
  const capturedAborted = captured.aborted;
  const hasLeadership = latch.hasLeadership;
  send({
    kind: 'probe', gap, validFor, capturedAborted, hasLeadership, eventBefore, validUntilNs: String(validUntilNs),
    reason: (captured.reason as LeadershipLostError | undefined)?.reason,
  });
};
setTimeout(probe, 20);

process.on('message', (m) => {
  if (m === 'arm') {
    // Work that comes due during the pause, as a leader's next step would.
    setTimeout(() => send({ kind: 'work', abortEventSeen }), 1_234);
    send({ kind: 'armed' });
  } else if (m === 'close') {
    void latch.close().then(() => client.close()).then(() => {
      send({ kind: 'closed' });
      process.disconnect?.();
    });
  }
});

// After the pause: its session expired, so it queues again with a new node (behind the new leader).
const requeued = setInterval(() => {
  if (latch.node === undefined || latch.node === node) return;
  clearInterval(requeued);
  send({ kind: 'requeued', leads: latch.hasLeadership });
}, 50);
