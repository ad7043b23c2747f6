// The client's side of ZooKeeper's one-shot watches: who to wake for which event, and the
// paths to re-register with setWatches after a reconnect. Watches are recorded when the
// server's reply confirms them (the server sends that reply before any event of the watch).
import { EventType } from './protocol.js';

/** A watch fired: what happened, to which path (chroot already removed). */
export interface WatchedEvent {
  type: EventType;
  path: string;
}

export type Watcher = (event: WatchedEvent) => void;

/** data: set by getData or by exists on a node that exists; exist: by exists on a missing node; child: by getChildren. */
export type WatchKind = 'data' | 'exist' | 'child';

export class WatchRegistry {
  private readonly byKind: Record<WatchKind, Map<string, Set<Watcher>>> = {
    data: new Map(), exist: new Map(), child: new Map(),
  };

  add(kind: WatchKind, path: string, watcher: Watcher): void {
    const map = this.byKind[kind];
    let set = map.get(path);
    if (!set) map.set(path, (set = new Set()));
    set.add(watcher);
  }

  /** Forgets one watcher (the server's watch stays and its event is then ignored). */
  remove(kind: WatchKind, path: string, watcher: Watcher): void {
    const set = this.byKind[kind].get(path);
    if (!set) return;
    set.delete(watcher);
    if (set.size === 0) this.byKind[kind].delete(path);
  }

  /** Takes out the watchers an event triggers (ZooKeeper's ZKWatchManager.materialize rules). */
  take(type: number, path: string): Set<Watcher> {
    const out = new Set<Watcher>();
    const drain = (kind: WatchKind): void => {
      const set = this.byKind[kind].get(path);
      if (!set) return;
      this.byKind[kind].delete(path);
      for (const w of set) out.add(w);
    };
    switch (type) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        drain('data');
        drain('exist');
        break;
      case EventType.NodeChildrenChanged:
        drain('child');
        break;
      case EventType.NodeDeleted:
        drain('data');
        drain('exist');
        drain('child');
        break;
      default:
        break;
    }
    return out;
  }

  /** The paths to hand to setWatches after a reconnect. */
  paths(): Record<WatchKind, string[]> {
    return {
      data: [...this.byKind.data.keys()],
      exist: [...this.byKind.exist.keys()],
      child: [...this.byKind.child.keys()],
    };
  }

  get size(): number {
    return this.byKind.data.size + this.byKind.exist.size + this.byKind.child.size;
  }

  clear(): void {
    for (const map of Object.values(this.byKind)) map.clear();
  }
}
