// One JSON line per lock event, e.g. for a log shipper. The events carry the client and the
// error objects; log the fields you need.
import diagnosticsChannel from 'node:diagnostics_channel';
import { connect, LockChannels, Mutex } from 'zkurator';

const log = (event, fields) => console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));
const on = (name, fn) => diagnosticsChannel.subscribe(name, fn);

on(LockChannels.queued, (m) => log('lock.queued', { lock: m.lockPath, kind: m.kind, position: m.position }));
on(LockChannels.acquired, (m) => log('lock.acquired', { lock: m.lockPath, kind: m.kind, waitMs: Math.round(m.waitMs) }));
on(LockChannels.timeout, (m) => log('lock.timeout', { lock: m.lockPath, waitMs: Math.round(m.waitMs) }));
on(LockChannels.aborted, (m) => log('lock.aborted', { lock: m.lockPath, waitMs: Math.round(m.waitMs) }));
on(LockChannels.failed, (m) => log('lock.failed', { lock: m.lockPath, error: String(m.error) }));
on(LockChannels.released, (m) => log('lock.released', { lock: m.lockPath, holdMs: Math.round(m.holdMs) }));
on(LockChannels.lost, (m) => log('lock.lost', { lock: m.lockPath, reason: m.reason, holdMs: Math.round(m.holdMs) }));
on(LockChannels.connection, (m) => log('connection', { state: m.state, session: m.sessionId }));

const zk = await connect(process.env.ZOOKEEPER_CONNECT || '127.0.0.1:2181');
const lease = await new Mutex(zk, '/locks/example').acquire({ timeout: 5_000 });
await new Mutex(zk, '/locks/example').tryAcquire(); // busy: lock.timeout
await lease.release();
await zk.close();
