import { expect } from 'chai';
import { MAX_TIMER_MS, setLongTimeout } from '../../lib/util/timer.js';

/** Resolves when `fn` is called by the timer, with the ms elapsed since `start`. */
function firedAfter(delayMs: number, maxSliceMs?: number): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => setLongTimeout(() => resolve(performance.now() - start), delayMs, maxSliceMs));
}

describe('setLongTimeout (pure logic, real timers)', () => {
  it('chains slices: a 180 ms delay in slices of at most 40 ms fires once, not before 180 ms', async () => {
    let calls = 0;
    const elapsed = await new Promise<number>((resolve) => {
      const start = performance.now();
      setLongTimeout(() => { calls++; resolve(performance.now() - start); }, 180, 40);
    });
    expect(elapsed).to.be.at.least(180);
    expect(elapsed).to.be.below(180 + 2_000); // generous: a shared 2-core machine
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).to.equal(1);
  });

  it('never fires early, whatever the delay (fractions, 0, negative, NaN)', async () => {
    for (const delay of [0.3, 1.7, 5, 12.5]) expect(await firedAfter(delay)).to.be.at.least(delay);
    for (const delay of [0, -5, NaN]) expect(await firedAfter(delay)).to.be.at.least(0);
  });

  it('clear() stops a chained timer between slices', async () => {
    let fired = false;
    const t = setLongTimeout(() => { fired = true; }, 120, 30);
    await new Promise((r) => setTimeout(r, 50)); // past the first slice
    t.clear();
    await new Promise((r) => setTimeout(r, 150));
    expect(fired).to.equal(false);
  });

  it('a delay past 2**31-1 ms (and Infinity) does not fire at once and prints no TimeoutOverflowWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => { warnings.push(w); };
    process.on('warning', onWarning);
    let fired = 0;
    const timers = [2 ** 31, 1e10, Number.MAX_SAFE_INTEGER, 1e300, Infinity].map((d) => setLongTimeout(() => { fired++; }, d));
    try {
      await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setImmediate(r));
      expect(fired).to.equal(0);
      expect(warnings).to.deep.equal([]);
    } finally {
      process.off('warning', onWarning);
      for (const t of timers) t.clear();
    }
    expect(MAX_TIMER_MS).to.equal(2_147_483_647);
  });

  it('unref() lets the timer not hold the process; ref() undoes it', () => {
    const t = setLongTimeout(() => undefined, 1e10);
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    t.unref();
    const unrefed = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    t.ref();
    const refed = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    t.clear();
    expect(unrefed).to.equal(before - 1);
    expect(refed).to.equal(before);
  });
});
