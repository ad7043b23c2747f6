// What connect() accepts: timeouts, credentials, TLS, ACLs and the default loss policy.
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { ACL } from '../zookeeper/records.js';
import type { LossPolicy } from './connection-state.js';
import type { AclProvider } from './lock-acl.js';

/** Options for {@link connect}. */
export interface ConnectOptions {
  /** Default loss policy for locks on this client (each lock may override). Default `'suspended'`. */
  lossPolicy?: LossPolicy;
  /** Requested session timeout in ms (the server clamps it to 2..20 ticks). Default 10 000. */
  sessionTimeout?: number;
  /**
   * How long `connect()` waits for the first connection, in ms. Default 15 000. It fails
   * sooner, with a `HostNotFoundError`, when DNS answers that no host name of the connect
   * string exists (ENOTFOUND for every server); a temporary DNS failure (EAI_AGAIN) is retried
   * until this timeout.
   */
  connectTimeout?: number;
  /**
   * Attach to an existing session (id and password as hex strings from `sessionId` /
   * `sessionPassword`). Used to take over or expire a session; most users never need it.
   * Malformed values are a ValidationError. A session the server no longer knows (expired)
   * is replaced by a new one, as after any expiry: compare `sessionId` to tell.
   */
  session?: {
    /** Session id, hex. */
    id: string;
    /** Session password, hex. */
    password: string;
  };
  /**
   * Credentials sent on every connection of every session, before any request (ZooKeeper's
   * `addAuth`), e.g. `[{ scheme: 'digest', credentials: 'user:secret' }]`.
   */
  auth?: {
    /** The auth scheme, e.g. `digest`. */
    scheme: string;
    /** The scheme's credentials, e.g. `user:secret` for digest. */
    credentials: string | Uint8Array;
  }[];
  /**
   * Connect with TLS (a server's `secureClientPort`): CA, client certificate and key, servername...
   * A TLS failure that retrying cannot mend (the server's certificate is not trusted or not for
   * the host name, the server refuses ours or its absence, options that do not parse) makes
   * `connect()` reject at once with a `TlsError`, once every server has failed so. Once
   * connected, such failures are retried like any other connection trouble.
   */
  tls?: TlsConnectionOptions;
  /** ACL of the nodes this client creates. Default: open to everyone (`world:anyone`, all permissions). */
  defaultAcl?: readonly ACL[];
  /**
   * ACLs for the nodes locks create (Curator's `ACLProvider`): `lockNodes` for lock nodes,
   * `parents` for the container parents made for them; each falls back to `defaultAcl`. A
   * lock's own `acl` / `parentAcl` options override it. Sent with each create, never set later.
   */
  aclProvider?: AclProvider;
}
