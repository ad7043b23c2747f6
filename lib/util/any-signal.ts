// A signal that aborts when any of several does. AbortSignal.any exists from Node 20.3; the
// package supports every Node 20, so earlier ones get the same behaviour by hand.

/** A combined signal, and a way to stop listening to the inputs once it is not needed. */
export interface CombinedSignal {
  readonly signal: AbortSignal;
  /** Drops the listeners the fallback put on the inputs (nothing to do with AbortSignal.any). */
  dispose(): void;
}

export function anySignal(signals: readonly AbortSignal[]): CombinedSignal {
  if (typeof AbortSignal.any === 'function') return { signal: AbortSignal.any([...signals]), dispose: () => undefined };
  const controller = new AbortController();
  const already = signals.find((s) => s.aborted);
  if (already) {
    controller.abort(already.reason);
    return { signal: controller.signal, dispose: () => undefined };
  }
  const listeners = signals.map((s) => {
    const onAbort = (): void => {
      if (!controller.signal.aborted) controller.abort(s.reason);
    };
    s.addEventListener('abort', onAbort, { once: true });
    return () => s.removeEventListener('abort', onAbort);
  });
  return { signal: controller.signal, dispose: () => { for (const off of listeners) off(); } };
}
