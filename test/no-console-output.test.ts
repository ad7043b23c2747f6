// The library never prints: not on its own, and not the native client's C-level log lines
// (e.g. "yield:zookeeper_process ...") when the server goes away under it.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ZkCluster } from './support/zk-server.js';

const libIndex = fileURLToPath(new URL('../lib/index.js', import.meta.url));

describe('console silence', function () {
  this.timeout(60_000);

  it('prints nothing through connect, lock, server death, reconnect attempts and close', async () => {
    const server = await ZkCluster.standalone();
    const script = `
      const { connect, Mutex } = await import(${JSON.stringify(libIndex)});
      const client = await connect(${JSON.stringify(server.connectString)}, { sessionTimeout: 4000 });
      const lease = await new Mutex(client, '/quiet/lock').acquire({ timeout: 5000 });
      // many waiters and holds on one client must not trip Node's listener-leak warning
      const others = await Promise.all(Array.from({ length: 15 }, (_, i) => new Mutex(client, '/quiet/many-' + i).acquire({ timeout: 5000 })));
      await Promise.all(Array.from({ length: 15 }, () => new Mutex(client, '/quiet/lock').acquire({ timeout: 300 }).catch(() => {})));
      for (const o of others) await o.release();
      process.send('held');
      await new Promise((r) => process.once('message', r)); // server killed meanwhile
      if (client.isConnected) await new Promise((r) => client.once('state', r)); // SUSPENDED
      await new Mutex(client, '/quiet/other').acquire({ timeout: 1500 }).catch(() => {});
      await lease.release();
      await client.close();
      process.send('done');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
    const messages: string[] = [];
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await new Promise<void>((resolve) => child.on('message', (m) => { messages.push(String(m)); if (m === 'held') resolve(); }));
      await server.members[0]!.stop('SIGKILL');
      child.send('go');
      expect(await exited).to.equal(0);
      expect(messages).to.deep.equal(['held', 'done']);
      expect(output).to.equal('');
    } finally {
      child.kill('SIGKILL');
      await server.destroy();
    }
  });
});
