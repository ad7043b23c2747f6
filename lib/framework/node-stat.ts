// A node's metadata as the recipes see it: zxids as bigints, the owner session as hex, times as Dates.
import type { Stat } from '../zookeeper/records.js';

/** A node's metadata. zxids are bigints (64-bit). */
export interface NodeStat {
  /** zxid of the create: the fencing token of a lock node. */
  czxid: bigint;
  /** zxid of the last change of the data. */
  mzxid: bigint;
  /** zxid of the last create or delete of a child. */
  pzxid: bigint;
  /** Changes to the data so far (the version a versioned setData or delete names). */
  version: number;
  /** Changes to the children so far: every create and every delete of a child adds one. */
  cversion: number;
  /** Bytes of data. */
  dataLength: number;
  /** Children right now. */
  numChildren: number;
  /** Session id (hex) owning this ephemeral node, `'0'` for persistent nodes. */
  ephemeralOwner: string;
  /** When the node was created (server clock). */
  ctime: Date;
  /** When the data last changed (server clock). */
  mtime: Date;
}

/** @internal The wire's Stat record as a {@link NodeStat}. */
export function toStat(s: Stat): NodeStat {
  return {
    czxid: s.czxid, mzxid: s.mzxid, pzxid: s.pzxid, version: s.version, cversion: s.cversion,
    dataLength: s.dataLength, numChildren: s.numChildren, ephemeralOwner: s.ephemeralOwner.toString(16),
    ctime: new Date(Number(s.ctime)), mtime: new Date(Number(s.mtime)),
  };
}
