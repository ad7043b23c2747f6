// One leadership term: from the moment a member may act as leader to the moment it may no
// longer. Its signal aborts (reason: LeadershipLostError) when the term ends, whatever ends it:
// connection trouble per the loss policy, the session lost, our node deleted, close, an
// interruption, or the clock. The clock rule is the leases' (hold.ts, lease-watchdog.ts): once
// a whole session timeout has passed since a server last answered for our session, the server
// may have expired it and another member may lead, so the term ends then, whatever the client
// has noticed. A term never comes back: a member that leads again gets a new term.
import { LeadershipLostError, ValidationError, type LeadershipLossReason } from '../errors.js';
import { reportLeadershipGained, reportLeadershipLost, type ElectionMember } from '../framework/leader-events.js';
import { clockCheckedSignal } from '../locks/engine/clock-checked-signal.js';
import { watchdogOf, type ClockWatched } from '../locks/engine/lease-watchdog.js';
import { describeValue } from '../util/describe-value.js';

/**
 * A leader's term, handed out while leading: `latch.leadership`, or the argument of a
 * LeaderSelector's callback.
 */
export interface Leadership {
  /**
   * Aborts (reason: {@link LeadershipLostError}, whose `reason` says why) as soon as this member
   * may no longer be the leader: per the loss policy on a dropped connection (`'suspended'`, the
   * default) or only once the session is gone (`'lost'`); when our node is deleted, the client
   * or the recipe is closed, a selector's leadership is interrupted or its callback settles; and
   * when no server has answered for our session for a whole session timeout (a paused process).
   * Reading `aborted` (or calling `throwIfAborted()`) consults that clock first. Pass it to the
   * work you do as leader. It never un-aborts: leading again is a new term with a new signal.
   */
  readonly signal: AbortSignal;
  /**
   * The czxid of the node that leads: ZooKeeper never reuses it and every later create gets a
   * larger one, so a later leader (of any member, Curator's included) always has a larger token.
   * Hand it to the resources you write to and have them refuse smaller tokens than the largest
   * seen: that fences off a leader that lost its term without knowing (a long GC pause). A latch
   * that leads again on the same node (after a dropped connection) has the same token.
   */
  readonly fencingToken: bigint;
  /** Full path of the node that leads. */
  readonly node: string;
  /**
   * Milliseconds for which this member surely still leads, judged by the clock: until the
   * server could expire our session (a session timeout after the latest request it answered).
   * 0 once the term has ended. Synchronous and cheap: call it right before a side effect.
   */
  validFor(): number;
  /**
   * Throws the {@link LeadershipLostError} that ended the term, or one with reason
   * `SESSION_UNCONFIRMED`, unless this member surely leads for more than `minMs` ms (default 0).
   */
  assertValid(minMs?: number): void;
}

/** @internal What a term tells its recipe when it ends. */
export type TermEnded = (reason: LeadershipLossReason, term: LeadershipTerm) => void;

/** @internal A term as the recipes keep it. */
export class LeadershipTerm implements Leadership, ClockWatched {
  private readonly controller = new AbortController();
  private endedWith: LeadershipLostError | undefined;
  private readonly startedAt = performance.now();
  readonly signal: AbortSignal;

  constructor(
    private readonly member: ElectionMember,
    readonly node: string,
    readonly fencingToken: bigint,
    /** Called once, synchronously, when the term has ended (for any reason), after its signal aborted. */
    private readonly onEnded: TermEnded,
  ) {
    this.signal = clockCheckedSignal(this.controller.signal, () => this.checkClock());
    reportLeadershipGained(member, node, fencingToken);
    watchdogOf(member.client).add(this);
  }

  /** True until the term ends (without consulting the clock: see {@link checkClock}). */
  get active(): boolean {
    return this.endedWith === undefined;
  }

  /** Why the term ended, once it has. */
  get lostError(): LeadershipLostError | undefined {
    return this.endedWith;
  }

  /**
   * The clock check: no server has answered for our session for a whole session timeout, so
   * another member may lead by now. Ends the term (SESSION_UNCONFIRMED, or SESSION_LOST when the
   * disconnected client gives the session up right here).
   */
  checkClock(): void {
    if (this.endedWith) return;
    const client = this.member.client;
    if (client.sessionAliveUntil > performance.now()) return;
    client.checkSessionClock(); // disconnected: the client gives the session up now (LOST), which ends us first
    this.endUnconfirmed();
  }

  /**
   * The connection dropped: if the clock has already run out (a process paused past the session
   * timeout, whose first event after waking up is the dropped connection), the clock's verdict is
   * the truer reason, so end with it (SESSION_UNCONFIRMED); returns whether the term has ended.
   * The client is not asked to give the session up here: its state listeners are still being told
   * of SUSPENDED.
   */
  endIfClockRanOut(): boolean {
    if (!this.endedWith && this.member.client.sessionAliveUntil <= performance.now()) this.endUnconfirmed();
    return this.endedWith !== undefined;
  }

  private endUnconfirmed(): void {
    this.end('SESSION_UNCONFIRMED', 'no ZooKeeper server has answered for our session for a whole session timeout '
      + '(was the process paused?): the server may have expired it, and another member may lead');
  }

  /** This term if it is still on, judged now (the clock included), else undefined: what a member's `leadership` getter returns. */
  static current(term: LeadershipTerm | undefined): Leadership | undefined {
    if (!term) return undefined;
    term.checkClock();
    return term.active ? term : undefined;
  }

  validFor(): number {
    this.checkClock();
    if (this.endedWith) return 0;
    return Math.max(0, this.member.client.sessionAliveUntil - performance.now());
  }

  assertValid(minMs = 0): void {
    if (typeof minMs !== 'number' || !(minMs >= 0) || !Number.isFinite(minMs)) {
      throw new ValidationError(`minMs must be a finite number >= 0, got ${describeValue(minMs)}`);
    }
    const left = this.validFor();
    if (this.endedWith) throw this.endedWith;
    if (left > minMs) return;
    throw new LeadershipLostError(this.member.path, 'SESSION_UNCONFIRMED', `this member surely leads for ${Math.floor(left)} ms more, not the ${minMs} ms asked for`);
  }

  /** Ends the term (once; later calls do nothing): aborts the signal, reports, tells the recipe. */
  end(reason: LeadershipLossReason, message: string): void {
    if (this.endedWith) return;
    this.endedWith = new LeadershipLostError(this.member.path, reason, message);
    watchdogOf(this.member.client).delete(this);
    reportLeadershipLost(this.member, this.node, this.fencingToken, performance.now() - this.startedAt, reason);
    // The signal first (its listeners already see `active` false), then the recipe's events.
    this.controller.abort(this.endedWith);
    this.onEnded(reason, this);
  }
}
