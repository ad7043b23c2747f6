// Where a ZooKeeper error code becomes a typed error: the one mapping the client uses, so the
// layers above branch on classes (errors.ts), never on numbers.
import {
  AuthFailedError, BadVersionError, ConnectionLossError, NoAuthError, NoChildrenForEphemeralsError, NoNodeError, NodeExistsError,
  NotEmptyError, SessionExpiredError, ZooKeeperError, type ZkuratorError,
} from '../errors.js';
import { ErrorCode, errorCodeName } from './protocol.js';

/**
 * The typed error for a ZooKeeper error code returned by `operation` on `path`. Codes with a
 * class of their own get it; every other code is a plain {@link ZooKeeperError} whose `zkName`
 * is ZooKeeper's own name for it.
 */
export function zooKeeperError(zkCode: number, operation: string, path: string): ZkuratorError {
  const name = errorCodeName(zkCode);
  switch (zkCode) {
    case ErrorCode.NONODE: return new NoNodeError(zkCode, name, operation, path);
    case ErrorCode.NODEEXISTS: return new NodeExistsError(zkCode, name, operation, path);
    case ErrorCode.NOTEMPTY: return new NotEmptyError(zkCode, name, operation, path);
    case ErrorCode.NOAUTH: return new NoAuthError(zkCode, name, operation, path);
    case ErrorCode.BADVERSION: return new BadVersionError(zkCode, name, operation, path);
    case ErrorCode.AUTHFAILED: return new AuthFailedError(zkCode, name, operation, path);
    case ErrorCode.NOCHILDRENFOREPHEMERALS: return new NoChildrenForEphemeralsError(zkCode, name, operation, path);
    case ErrorCode.CONNECTIONLOSS:
    case ErrorCode.OPERATIONTIMEOUT:
      return new ConnectionLossError(zkCode, name, operation, path);
    case ErrorCode.SESSIONEXPIRED:
      return new SessionExpiredError(`the ZooKeeper session ended during ${operation} ${path} (${name})`);
    default: return new ZooKeeperError(zkCode, name, operation, path);
  }
}
