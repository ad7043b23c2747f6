// The states a client's connection goes through (Curator's ConnectionState), and when a held
// lock counts as lost in them (Curator's ConnectionStateErrorPolicy).

/**
 * Connection states, with Curator's meanings:
 * - `CONNECTED`: first connection of the client.
 * - `SUSPENDED`: the connection dropped; the session (and our locks) may still be alive.
 * - `RECONNECTED`: connected again with the same session: ephemeral nodes survived.
 * - `LOST`: the session expired (its ephemeral nodes are gone). The client opens a new session
 *   by itself and reports `CONNECTED` again with a new `sessionId`.
 * - `CLOSED`: `close()` was called. Terminal.
 */
export type ConnectionState = 'CONNECTED' | 'SUSPENDED' | 'RECONNECTED' | 'LOST' | 'CLOSED';

/**
 * When a held lock counts as lost: `'suspended'` (default, Curator Tech Note 14): as soon as
 * the connection drops, since the holder can no longer know; `'lost'`: only once the session
 * is known to be gone (expired, or suspended for a whole session timeout), or may be by the
 * clock (no server has answered for it for a whole session timeout: a paused process).
 */
export type LossPolicy = 'suspended' | 'lost';
