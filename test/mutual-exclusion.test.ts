// F1 / F2: many OS processes (zkurator workers and Curator peers) contend for one mutex on a
// real 3-node ensemble, each logging enter/exit (with its fencing token) to a shared record.
// The checker proves no two holds overlap and tokens only grow, with and without members
// being SIGKILLed (leader included) during the run. Bounded in cycles and time.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CuratorPeer } from './support/curator-peer.js';
import { checkHoldRecord } from './support/hold-record.js';
import { newClient, uniquePath } from './support/harness.js';
import { useEnsemble } from './support/ensemble-fixture.js';

const workerScript = fileURLToPath(new URL('./support/mutex-worker.js', import.meta.url));

interface WorkerResult { code: number | null; done: number; losses: number }

function startWorker(connect: string, path: string, name: string, cycles: number, record: string): { child: ChildProcess; result: Promise<WorkerResult> } {
  const child = spawn(process.execPath, [workerScript, JSON.stringify({ connect, path, name, cycles, record, sessionTimeout: 10_000 })],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let done = 0;
  let losses = 0;
  child.on('message', (m: { done: number; losses: number }) => { done = m.done; losses = m.losses; });
  const result = new Promise<WorkerResult>((resolve) => child.once('exit', (code) => resolve({ code, done, losses })));
  return { child, result };
}

describe('multi-process mutual exclusion on a 3-node ensemble (F1, F2)', function () {
  this.timeout(240_000);
  const cluster = useEnsemble();
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'zkurator-mx-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('F1: 10 zkurator processes x 200 cycles and 2 Curator peers: no overlap, tokens grow, clean', async () => {
    const record = join(dir, 'f1.log');
    const path = uniquePath('f1');
    const started = Date.now();
    const workers = Array.from({ length: 10 }, (_, i) => startWorker(cluster().connectString, path, `Z${i}`, 200, record));
    const peers = await Promise.all([1, 2].map(() => CuratorPeer.start(cluster().connectString)));
    try {
      await Promise.all(peers.map((peer) => peer.recordTo(record)));
      await Promise.all(peers.map(async (peer, p) => {
        for (let i = 0; i < 50; i++) {
          expect(await peer.acquire(`C${p}.${i}`, 'mutex', path, 120_000)).to.equal(true);
          await peer.release(`C${p}.${i}`);
        }
      }));
      const results = await Promise.all(workers.map((w) => w.result));
      expect(results.map((r) => r.code)).to.deep.equal(Array(10).fill(0));
      expect(results.map((r) => r.done)).to.deep.equal(Array(10).fill(200));
    } finally {
      await Promise.all(peers.map((p) => p.stop()));
      for (const w of workers) w.child.kill('SIGKILL');
    }
    const verdict = checkHoldRecord(readFileSync(record, 'utf8'));
    expect(verdict.violations).to.deep.equal([]);
    expect(verdict.enters).to.equal(10 * 200 + 2 * 50);
    expect(verdict.open).to.deep.equal([]);
    const client = await newClient({ connectString: cluster().connectString });
    expect(await client.getChildren(path).catch(() => [])).to.deep.equal([]);
    console.log(`      F1: ${verdict.enters} holds in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it('F2: members (the leader included) are SIGKILLed and restarted during the run: no overlap, progress resumes, everyone finishes', async () => {
    const record = join(dir, 'f2.log');
    const path = uniquePath('f2');
    const started = Date.now();
    const workers = Array.from({ length: 6 }, (_, i) => startWorker(cluster().connectString, path, `K${i}`, 150, record));
    let finished = false;
    const all = Promise.all(workers.map((w) => w.result)).finally(() => { finished = true; });
    const kills: string[] = [];
    try {
      for (let round = 0; !finished && round < 20; round++) {
        await sleep(1_500); // let work progress between faults
        if (finished) break;
        const leader = await cluster().leader();
        const victim = round % 2 === 0 && leader ? leader : cluster().members[round % 3]!;
        kills.push(`${victim.id}${victim === leader ? '(leader)' : ''}`);
        await victim.stop('SIGKILL');
        await sleep(800);
        await cluster().restart(victim.id);
      }
      const results = await all;
      expect(results.map((r) => r.code)).to.deep.equal(Array(6).fill(0));
      expect(results.map((r) => r.done)).to.deep.equal(Array(6).fill(150));
      const verdict = checkHoldRecord(readFileSync(record, 'utf8'));
      expect(verdict.violations).to.deep.equal([]);
      expect(verdict.open).to.deep.equal([]);
      expect(kills.length).to.be.greaterThan(0);
      expect(kills.some((k) => k.includes('leader'))).to.equal(true);
      const losses = results.reduce((n, r) => n + r.losses, 0);
      console.log(`      F2: ${verdict.enters} holds, kills ${kills.join(' ')}, ${losses} holds cut short by a lost connection, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } finally {
      for (const w of workers) w.child.kill('SIGKILL');
      await Promise.all(cluster().members.filter((m) => !m.running).map((m) => cluster().restart(m.id)));
    }
  });
});
