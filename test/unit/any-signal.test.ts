// anySignal: AbortSignal.any where Node has it (20.3+), the same behaviour by hand before.
import { expect } from 'chai';
import { anySignal } from '../../lib/util/any-signal.js';

describe('anySignal (pure logic)', () => {
  for (const mode of ['AbortSignal.any', 'the fallback'] as const) {
    it(`with ${mode}: aborts with the first input's reason, starts aborted if one is; dispose() drops the fallback's listeners`, () => {
      const native = AbortSignal.any;
      if (mode === 'the fallback') (AbortSignal as { any?: unknown }).any = undefined;
      try {
        const a = new AbortController();
        const b = new AbortController();
        const combined = anySignal([a.signal, b.signal]);
        expect(combined.signal.aborted).to.equal(false);
        b.abort('b first');
        a.abort('a later');
        expect(combined.signal.reason).to.equal('b first');
        const early = new AbortController();
        early.abort('early');
        expect(anySignal([new AbortController().signal, early.signal]).signal.reason).to.equal('early');
        const kept = new AbortController();
        const disposed = anySignal([kept.signal]);
        disposed.dispose();
        kept.abort('after dispose');
        // AbortSignal.any keeps following its inputs (it holds them weakly); the fallback stops.
        expect(disposed.signal.aborted).to.equal(mode === 'AbortSignal.any');
      } finally {
        AbortSignal.any = native;
      }
    });
  }
});
