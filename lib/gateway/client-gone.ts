// An AbortSignal for "the HTTP client went away before its answer": a waiting acquire is
// cancelled at once, so no queued node is left to be granted later to nobody.
import type { ServerResponse } from 'node:http';

/** The reason a request's acquire is aborted with when its client disconnects. */
export class ClientGoneError extends Error {
  constructor() {
    super('the HTTP client closed the connection before the answer');
    this.name = 'ClientGoneError';
  }
}

/**
 * Watches the response's connection until `stop()`; `cancel` aborts if it closes first (and
 * whoever it is handed to may abort it too: a closing gateway cancels the acquire with it).
 */
export function untilClientGone(res: ServerResponse): { cancel: AbortController; stop: () => void } {
  const controller = new AbortController();
  // 'close' on the response: the answer was sent, or the connection ended before that.
  const onClose = (): void => { if (!res.writableFinished) controller.abort(new ClientGoneError()); };
  if (res.destroyed || res.socket?.destroyed) onClose();
  else res.on('close', onClose);
  return { cancel: controller, stop: () => res.off('close', onClose) };
}
