// The gateway's web page at `/`, in a real browser (Debian's chromium driven by
// playwright-core), against a real `zkurator serve` process, a real ZooKeeper and a real Curator
// 5.4.0 peer. What the page shows is checked against what is in ZooKeeper.
import { expect } from 'chai';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { CreateMode, LeaderLatch, Mutex, type Lease } from '../lib/index.js';
import { launchChromium, type Chromium } from './support/chromium.js';
import { useCuratorPeer } from './support/curator-peer.js';
import { GatewayProcess } from './support/gateway-process.js';
import { childrenOf, newClient, sharedConnectString, track, uniquePath, untilChildren } from './support/harness.js';
import { pollUntil } from './support/poll.js';

interface LockView { id: string; url: string; node: string; expiresAt: string | null; title: string }

/** What one participant row of the page says. */
interface RowView { node: string | null; state: string | null; origin: string | null; position: string; originText: string; mode: string; title: string; timeLeft: string; hasRelease: boolean }

const text = async (l: Locator): Promise<string> => ((await l.textContent()) ?? '').trim();

function lockGroup(page: Page, resource: string): Locator {
  return page.locator(`[data-testid="lock"][data-resource="${resource}"]`);
}

async function rowsOf(page: Page, resource: string): Promise<RowView[]> {
  const rows = lockGroup(page, resource).getByTestId('participant');
  const out: RowView[] = [];
  for (let i = 0; i < await rows.count(); i++) {
    const row = rows.nth(i);
    out.push({
      node: await row.getAttribute('data-node'),
      state: await row.getAttribute('data-state'),
      origin: await row.getAttribute('data-origin'),
      position: await text(row.getByTestId('position')),
      originText: await text(row.getByTestId('origin')),
      mode: await text(row.getByTestId('mode')),
      title: await text(row.getByTestId('title')),
      timeLeft: await text(row.getByTestId('time-left')),
      hasRelease: (await row.getByTestId('release').count()) === 1,
    });
  }
  return out;
}

/** Waits until the page shows `n` participant rows for `resource`. */
async function untilRows(page: Page, resource: string, n: number): Promise<void> {
  await pollUntil(async () => (await lockGroup(page, resource).getByTestId('participant').count()) === n,
    { timeoutMs: 10_000, what: `${n} rows for ${resource} on the page` });
}

/** "1m 05s" / "59 s" -> seconds. */
function seconds(shown: string): number {
  const m = /^(?:(\d+)m )?(\d+) ?s$/.exec(shown);
  if (!m) throw new Error(`not a time left: ${JSON.stringify(shown)}`);
  return Number(m[1] ?? 0) * 60 + Number(m[2]);
}

/** Lock node names of `path` in lock order (by sequence suffix). */
async function inLockOrder(path: string): Promise<string[]> {
  const client = await newClient();
  return (await childrenOf(client, path)).sort((a, b) => a.slice(-10).localeCompare(b.slice(-10)));
}

describe('gateway web page in real Chromium', function () {
  this.timeout(60_000);
  const curator = useCuratorPeer();
  let browser: Chromium | undefined;
  let gateway: GatewayProcess | undefined;
  const gw = (): GatewayProcess => gateway!;

  before(async function () {
    this.timeout(60_000);
    [gateway, browser] = await Promise.all([
      GatewayProcess.start({ connectString: sharedConnectString(), root: uniquePath('gateway-page') }),
      launchChromium(),
    ]);
  });

  after(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  it('shows a Curator holder, gateway and library waiters in order, library and read holders, and a live countdown', async () => {
    const zk = await newClient();
    const root = gw().root;
    const leases: Lease[] = [];
    // "orders-db": Curator holds; a gateway client waits first, a zkurator library user second.
    expect(await curator().acquire('page-1', 'mutex', `${root}/orders-db`, 10_000)).to.equal(true);
    const gatewayWaiter = track(gw().request('POST', '/locks/orders-db', { title: 'schema migration', lifetime: 300, wait: 50 }));
    await untilChildren(zk, `${root}/orders-db`, 2);
    const libraryWaiter = track(new Mutex(zk, `${root}/orders-db`).acquire({ timeout: 50_000 }));
    await untilChildren(zk, `${root}/orders-db`, 3);
    // "nightly-backup": a gateway lock with a lifetime; "report-cache": a library holder;
    // "catalog": a Curator reader and a gateway reader share a read-write lock.
    const backup = await gw().request('POST', '/locks/nightly-backup', { title: 'pg_dump from cron on db-backup-1', lifetime: 120 });
    expect(backup.status).to.equal(201);
    const backupLock = backup.json as LockView;
    leases.push(await new Mutex(zk, `${root}/report-cache`).acquire());
    expect(await curator().acquire('page-r', 'read', `${root}/catalog`, 10_000)).to.equal(true);
    const reader = await gw().request('POST', '/locks/catalog', { title: 'catalog export', lifetime: 600, mode: 'read' });
    expect(reader.status).to.equal(201);

    const { page, errors } = await browser!.newPage({ width: 1280, height: 560 });
    await page.goto(`${gw().url}/`);
    await untilRows(page, 'orders-db', 3);
    await untilRows(page, 'nightly-backup', 1);
    await untilRows(page, 'report-cache', 1);
    await untilRows(page, 'catalog', 2);

    // Holders first, then waiters in lock order, each told apart by origin.
    const ordersDb = await rowsOf(page, 'orders-db');
    expect(ordersDb.map((r) => r.node)).to.deep.equal(await inLockOrder(`${root}/orders-db`));
    expect(ordersDb.map((r) => [r.state, r.origin, r.position, r.originText])).to.deep.equal([
      ['holder', 'curator', 'holds', 'JVM Curator'],
      ['waiting', 'gateway', '#1 waiting', 'gateway client'],
      ['waiting', 'zkurator', '#2 waiting', 'zkurator library'],
    ]);
    expect(ordersDb[1]!.title).to.equal('(request waiting)'); // its title comes with the grant
    expect(ordersDb.some((r) => r.hasRelease)).to.equal(false); // nothing held through the gateway there
    const [library] = await rowsOf(page, 'report-cache');
    expect([library!.state, library!.origin, library!.originText, library!.hasRelease]).to.deep.equal(['holder', 'zkurator', 'zkurator library', false]);
    const catalog = await rowsOf(page, 'catalog');
    expect(catalog.map((r) => [r.state, r.origin, r.hasRelease])).to.deep.equal([['holder', 'curator', false], ['holder', 'gateway', true]]);
    expect(await lockGroup(page, 'catalog').getByTestId('mode').allTextContents()).to.deep.equal(['read', 'read']);

    // The gateway lock's time left counts down between polls, from its lifetime.
    const [backupRow] = await rowsOf(page, 'nightly-backup');
    expect([backupRow!.state, backupRow!.origin, backupRow!.title, backupRow!.hasRelease]).to.deep.equal(['holder', 'gateway', 'pg_dump from cron on db-backup-1', true]);
    expect(await lockGroup(page, 'nightly-backup').getByTestId('time-left').getAttribute('data-expires-at')).to.equal(backupLock.expiresAt);
    const first = seconds(backupRow!.timeLeft);
    expect(first).to.be.within(100, 120);
    await pollUntil(async () => seconds(await text(lockGroup(page, 'nightly-backup').getByTestId('time-left'))) < first,
      { timeoutMs: 5_000, what: 'the time left to go down' });
    expect(await text(page.getByTestId('summary'))).to.equal('4 locks, 5 holding, 2 waiting');
    // Accessible structure: a named table with column headers, a row-group header per lock.
    const table = page.getByRole('table', { name: /^Every lock under the root/ });
    expect(await table.getByRole('columnheader').allTextContents()).to.deep.equal(['Position', 'Origin', 'Mode', 'Title or node data', 'Node', 'Time left', 'Action']);
    expect(await table.getByRole('rowheader', { name: /^nightly-backup/ }).count()).to.equal(1);

    const shot = process.env.GATEWAY_PAGE_SCREENSHOT; // set to docs/gateway-page.png to refresh the gateway guide's picture
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    expect(errors).to.deep.equal([]); // no CSP refusal, no script error
    await page.close();

    // Hand the queue on: Curator -> the gateway waiter -> the library waiter; nothing left after.
    await curator().release('page-1');
    const granted = await gatewayWaiter.promise;
    expect(granted.status).to.equal(201);
    expect((await gw().request('DELETE', (granted.json as LockView).url)).status).to.equal(204);
    leases.push(await libraryWaiter.promise);
    for (const l of [backupLock, reader.json as LockView]) expect((await gw().request('DELETE', l.url)).status).to.equal(204);
    await curator().release('page-r');
    await Promise.all(leases.map((l) => l.release()));
    for (const r of ['orders-db', 'nightly-backup', 'report-cache', 'catalog']) expect(await childrenOf(zk, `${root}/${r}`)).to.deep.equal([]);
  });

  it('a gateway lock whose lifetime passes leaves the page once the gateway has released it', async () => {
    const zk = await newClient();
    const root = gw().root;
    const { page, errors } = await browser!.newPage();
    await page.goto(`${gw().url}/`);
    await page.getByTestId('status').and(page.locator('[data-state="live"]')).waitFor({ timeout: 10_000 });
    const taken = await gw().request('POST', '/locks/short-lived', { title: 'three seconds', lifetime: 3 });
    expect(taken.status).to.equal(201);
    await untilRows(page, 'short-lived', 1);
    // (read without waiting: on a starved machine the row may already be gone again)
    for (const shown of await lockGroup(page, 'short-lived').getByTestId('time-left').allTextContents()) {
      if (shown.trim() !== 'expiring\u2026') expect(seconds(shown.trim())).to.be.at.most(3);
    }
    await untilRows(page, 'short-lived', 0);
    expect(await childrenOf(zk, `${root}/short-lived`)).to.deep.equal([]);
    expect((await gw().request('GET', (taken.json as LockView).url)).status).to.equal(404);
    expect(errors).to.deep.equal([]);
    await page.close();
  });

  it('shows titles and node data as text: markup in them makes no element and runs nothing', async () => {
    const zk = await newClient();
    const root = gw().root;
    const evilTitle = '<img src=x onerror="window.__xss=1">';
    const taken = await gw().request('POST', '/locks/hostile-title', { title: evilTitle, lifetime: 60 });
    expect(taken.status).to.equal(201);
    // A node whose data is markup, from no client the gateway knows.
    const evilData = '<script>window.__xss=2</script><b>bold</b><img src=x onerror="window.__xss=3">';
    const lease = await new Mutex(zk, `${root}/hostile-data`, { nodeData: Buffer.from(evilData) }).acquire();

    const { page, errors } = await browser!.newPage();
    await page.goto(`${gw().url}/`);
    await untilRows(page, 'hostile-title', 1);
    await untilRows(page, 'hostile-data', 1);
    const [titled] = await rowsOf(page, 'hostile-title');
    expect([titled!.origin, titled!.title]).to.deep.equal(['gateway', evilTitle]);
    expect(await lockGroup(page, 'hostile-title').getByTestId('release').getAttribute('aria-label'))
      .to.equal(`Release lock hostile-title held as "${evilTitle}"`);
    const [data] = await rowsOf(page, 'hostile-data');
    expect([data!.origin, data!.title]).to.deep.equal(['unknown', `data: ${evilData}`]);
    expect(await page.locator('[data-testid="locks"] img, [data-testid="locks"] script, [data-testid="locks"] b').count()).to.equal(0);
    expect(await page.evaluate('window.__xss')).to.equal(undefined);
    expect(errors).to.deep.equal([]);
    await page.close();
    expect((await gw().request('DELETE', (taken.json as LockView).url)).status).to.equal(204);
    await lease.release();
  });

  it('refuses to be framed by another page (so no site can trick a click on a release button)', async () => {
    const { page } = await browser!.newPage();
    const refused = page.waitForEvent('console', {
      predicate: (m) => m.type() === 'error' && /frame-ancestors 'none'/.test(m.text()) && m.text().includes(gw().url),
      timeout: 10_000,
    });
    await page.setContent(`<iframe src="${gw().url}/" title="framed"></iframe>`);
    await refused;
    expect(await page.frameLocator('iframe').locator('[data-testid="locks"]').count()).to.equal(0);
    await page.close();
  });

  it('the release button frees a gateway lock: its node leaves ZooKeeper and the Curator waiter gets the lock', async () => {
    const zk = await newClient();
    const root = gw().root;
    const taken = await gw().request('POST', '/locks/release-me', { title: 'nightly backup', lifetime: 600 });
    expect(taken.status).to.equal(201);
    const lock = taken.json as LockView;
    const curatorWaits = track(curator().acquire('page-2', 'mutex', `${root}/release-me`, 30_000));
    await untilChildren(zk, `${root}/release-me`, 2);

    const { page, errors } = await browser!.newPage();
    await page.goto(`${gw().url}/`);
    await untilRows(page, 'release-me', 2);
    const button = lockGroup(page, 'release-me').getByRole('button', { name: /^Release lock release-me held as "nightly backup"$/ });
    expect(await button.count()).to.equal(1);
    expect(curatorWaits.settled()).to.equal(false);
    await button.click();

    expect(await curatorWaits.promise).to.equal(true);
    const left = await childrenOf(zk, `${root}/release-me`);
    expect(left).to.have.length(1);
    expect(`${root}/release-me/${left[0]}`).to.not.equal(lock.node); // the gateway's node is gone
    expect((await gw().request('GET', lock.url)).status).to.equal(404);
    // The page follows: Curator now holds, and there is nothing to release.
    await untilRows(page, 'release-me', 1);
    const [row] = await rowsOf(page, 'release-me');
    expect([row!.state, row!.origin, row!.hasRelease]).to.deep.equal(['holder', 'curator', false]);
    expect(await text(page.getByTestId('notice'))).to.equal('');
    expect(errors).to.deep.equal([]);
    await page.close();
    await curator().release('page-2');
    expect(await childrenOf(zk, `${root}/release-me`)).to.deep.equal([]);
  });

  it('shows a leader election (the leader, then the members in line with their ids, as text; no release button) and a conflict plainly, its gateway lock releasable', async () => {
    const zk = await newClient();
    const root = gw().root;
    const evilId = '<img src=x onerror="window.__xss=4">';
    // "scheduler": three zkurator LeaderLatch members (one id is markup, one empty).
    const latches: LeaderLatch[] = [];
    for (const id of ['node-a', evilId, '']) {
      const latch = new LeaderLatch(await newClient(), `${root}/scheduler`, { id });
      await latch.start();
      latches.push(latch);
    }
    expect(await latches[0]!.await({ timeout: 5_000 })).to.equal(true);
    // "shared-path": a gateway lock, then a LeaderLatch node next to it (as a misconfigured Curator member makes it).
    const taken = await gw().request('POST', '/locks/shared-path', { title: 'report run', lifetime: 300 });
    expect(taken.status).to.equal(201);
    const latchNode = await zk.create(`${root}/shared-path/_c_00000000-0000-0000-0000-000000000000-latch-`, Buffer.from('jvm-latch'), CreateMode.EPHEMERAL_SEQUENTIAL);

    const { page, errors } = await browser!.newPage({ width: 1280, height: 560 });
    await page.goto(`${gw().url}/`);
    await untilRows(page, 'scheduler', 3);
    await untilRows(page, 'shared-path', 2);
    const scheduler = await rowsOf(page, 'scheduler');
    expect(scheduler.map((r) => r.node)).to.deep.equal(latches.map((l) => l.node!.split('/').pop()));
    expect(scheduler.map((r) => [r.state, r.origin, r.position, r.mode, r.title, r.hasRelease])).to.deep.equal([
      ['holder', 'unknown', 'leader', 'LeaderLatch member', 'id: node-a', false],
      ['waiting', 'unknown', '#1 in line', 'LeaderLatch member', `id: ${evilId}`, false],
      ['waiting', 'unknown', '#2 in line', 'LeaderLatch member', '(no id)', false],
    ]);
    expect(await lockGroup(page, 'scheduler').getAttribute('data-election')).to.equal('leader-latch');
    expect(await text(lockGroup(page, 'scheduler').getByTestId('lock-counts'))).to.equal('leader election (LeaderLatch): leader "node-a", 2 in line');
    const shared = await rowsOf(page, 'shared-path');
    expect(shared.map((r) => [r.node, r.state, r.origin, r.position, r.title, r.hasRelease])).to.deep.equal([
      [latchNode.split('/').pop(), 'holder', 'unknown', 'leader', 'id: jvm-latch', false],
      [(taken.json as LockView).node.split('/').pop(), 'holder', 'gateway', 'holds', 'report run', true],
    ]);
    const counts = lockGroup(page, 'shared-path').getByTestId('lock-counts');
    expect(await text(counts)).to.match(/^CONFLICT: a LeaderLatch election and a LeaderSelector or lock on one path/);
    expect(await counts.getAttribute('title')).to.contain(`election path ${root}/shared-path would hold both LeaderLatch nodes (1, `);
    // the summary counts elections and conflicts apart from locks (a leader holds no lock)
    expect(await text(page.getByTestId('summary'))).to.equal('1 election, 1 leader, 2 in line; 1 conflict');
    expect(await page.locator('[data-testid="locks"] img').count()).to.equal(0);
    expect(await page.evaluate('window.__xss')).to.equal(undefined);

    // Releasing the gateway lock leaves a plain election; the leader leaving hands it on.
    await lockGroup(page, 'shared-path').getByRole('button', { name: 'Release lock shared-path held as "report run"' }).click();
    await untilRows(page, 'shared-path', 1);
    await pollUntil(async () => await lockGroup(page, 'shared-path').getAttribute('data-election') === 'leader-latch',
      { timeoutMs: 10_000, what: 'shared-path shown as an election' });
    expect(await text(lockGroup(page, 'shared-path').getByTestId('lock-counts'))).to.equal('leader election (LeaderLatch): leader "jvm-latch", 0 in line');
    expect(await text(page.getByTestId('summary'))).to.equal('2 elections, 2 leaders, 2 in line');
    await latches[0]!.close();
    await untilRows(page, 'scheduler', 2);
    expect((await rowsOf(page, 'scheduler')).map((r) => [r.position, r.title])).to.deep.equal([['leader', `id: ${evilId}`], ['#1 in line', '(no id)']]);
    expect(errors).to.deep.equal([]);
    await page.close();
    for (const latch of latches.slice(1)) await latch.close();
    await zk.delete(latchNode);
    for (const r of ['scheduler', 'shared-path']) expect(await childrenOf(zk, `${root}/${r}`)).to.deep.equal([]);
  });

  it('with a bearer token: uses ?token= from its address (then drops it from the address, a reload still works) and asks for one on 401', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkurator-token-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 's3cret-token\n', { mode: 0o600 });
    let secured: GatewayProcess | undefined;
    try {
      secured = await GatewayProcess.start({ connectString: sharedConnectString(), root: uniquePath('gateway-page-token'), tokenFile, token: 's3cret-token' });
      const taken = await secured.request('POST', '/locks/guarded', { title: 'guarded', lifetime: 60 });
      expect(taken.status).to.equal(201);

      const { page, errors } = await browser!.newPage();
      await page.goto(`${secured.url}/?token=s3cret-token`);
      await untilRows(page, 'guarded', 1);
      expect(page.url()).to.equal(`${secured.url}/`);
      await page.reload(); // the tab kept the token
      await untilRows(page, 'guarded', 1);
      // Only the page's shell is served without the token; the data it shows is not.
      expect((await fetch(`${secured.url}/`)).status).to.equal(200);
      expect((await fetch(`${secured.url}/locks?detail=true`)).status).to.equal(401);

      // A fresh tab without the token: the page says so and offers a field; typing it in works.
      // (sessionStorage, where the page keeps the token, belongs to one tab)
      const { page: other } = await browser!.newPage();
      await other.goto(`${secured.url}/`);
      await other.getByLabel('Bearer token').waitFor({ state: 'visible', timeout: 10_000 });
      expect(await text(other.getByTestId('status'))).to.equal('a bearer token is needed');
      expect(await other.evaluate('document.activeElement.id')).to.equal('token-input'); // ready to type into
      await other.getByLabel('Bearer token').fill('s3cret-token');
      await other.getByRole('button', { name: 'Use token' }).click();
      await untilRows(other, 'guarded', 1);
      await other.close();

      // Releasing from the page sends the token too.
      await lockGroup(page, 'guarded').getByTestId('release').click();
      await untilRows(page, 'guarded', 0);
      expect((await secured.request('GET', (taken.json as LockView).url)).status).to.equal(404);
      expect(errors).to.deep.equal([]);

      // The gateway goes away: the page says so (and keeps trying).
      await secured.stop();
      await page.locator('[data-testid="status"][data-state="error"]').waitFor({ timeout: 10_000 });
      expect(await text(page.getByTestId('status'))).to.match(/^gateway unreachable, retrying/);
      await page.close();
    } finally {
      await secured?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
