// Lock metrics for Prometheus: counters and histograms fed by zkurator's diagnostics channels,
// gauges read from client.metrics() at scrape time. Serve registry.metrics() at /metrics.
import diagnosticsChannel from 'node:diagnostics_channel';
import promClient from 'prom-client';
import { connect, LockChannels, Mutex } from 'zkurator';

const registry = new promClient.Registry();
const acquires = new promClient.Counter({
  name: 'zkurator_lock_acquires_total', help: 'Lock acquires by outcome',
  labelNames: ['lock', 'outcome'], registers: [registry],
});
const lost = new promClient.Counter({
  name: 'zkurator_lock_lost_total', help: 'Held locks lost, by reason',
  labelNames: ['lock', 'reason'], registers: [registry],
});
const waitSeconds = new promClient.Histogram({
  name: 'zkurator_lock_wait_seconds', help: 'Time from acquire() to the grant',
  labelNames: ['lock'], buckets: [0.001, 0.01, 0.1, 1, 10, 60], registers: [registry],
});
const holdSeconds = new promClient.Histogram({
  name: 'zkurator_lock_hold_seconds', help: 'Time a lock was held',
  labelNames: ['lock'], buckets: [0.001, 0.01, 0.1, 1, 10, 60, 600], registers: [registry],
});

diagnosticsChannel.subscribe(LockChannels.acquired, (m) => {
  acquires.inc({ lock: m.lockPath, outcome: 'acquired' });
  waitSeconds.observe({ lock: m.lockPath }, m.waitMs / 1000);
});
for (const outcome of ['timeout', 'aborted', 'failed']) {
  diagnosticsChannel.subscribe(LockChannels[outcome], (m) => acquires.inc({ lock: m.lockPath, outcome }));
}
diagnosticsChannel.subscribe(LockChannels.released, (m) => holdSeconds.observe({ lock: m.lockPath }, m.holdMs / 1000));
diagnosticsChannel.subscribe(LockChannels.lost, (m) => {
  lost.inc({ lock: m.lockPath, reason: m.reason });
  holdSeconds.observe({ lock: m.lockPath }, m.holdMs / 1000);
});

const zk = await connect(process.env.ZOOKEEPER_CONNECT || '127.0.0.1:2181');
new promClient.Gauge({
  name: 'zkurator_locks_held', help: 'Locks held by this process now', registers: [registry],
  collect() { this.set(zk.metrics().held); },
});
new promClient.Gauge({
  name: 'zkurator_locks_waiting', help: 'Acquires waiting now', registers: [registry],
  collect() { this.set(zk.metrics().waiting); },
});

const mutex = new Mutex(zk, '/locks/example');
await mutex.withLock(async () => {
  await new Mutex(zk, '/locks/example').tryAcquire(); // busy: counted as a timeout
}, { timeout: 5_000 });

console.log(await registry.metrics());
await zk.close();
