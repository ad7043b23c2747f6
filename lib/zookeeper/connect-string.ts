// The connect string `host:port[,host:port...][/chroot]`, checked in full before any socket
// is opened: a typo must fail at once as bad input, not after a whole connect timeout.
import { isIP } from 'node:net';
import { ValidationError } from '../errors.js';
import { refusedByZooKeeper } from './path.js';

/** One server address from the connect string. */
export interface HostAddress {
  host: string;
  port: number;
}

export interface ParsedConnectString {
  hosts: HostAddress[];
  /** The chroot without a trailing slash (`''` when there is none). */
  chroot: string;
}

// RFC 1123 host names: letters, digits, hyphens and dots; no leading or trailing hyphen in a label.
const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

function parseHost(entry: string, shown: string): HostAddress {
  let host: string;
  let portText: string;
  if (entry.startsWith('[')) {
    // [IPv6]:port
    const end = entry.indexOf(']');
    if (end < 0 || entry[end + 1] !== ':') throw new ValidationError(`bad server address "${entry}" in connect string ${shown}: expected [ipv6]:port`);
    host = entry.slice(1, end);
    portText = entry.slice(end + 2);
    if (isIP(host) !== 6) throw new ValidationError(`bad IPv6 address "${host}" in connect string ${shown}`);
  } else {
    const colon = entry.lastIndexOf(':');
    if (colon < 0) throw new ValidationError(`server address "${entry}" in connect string ${shown} has no port: write host:port`);
    host = entry.slice(0, colon);
    portText = entry.slice(colon + 1);
    const isName = host.length <= 253 && host.split('.').every((label) => HOST_LABEL.test(label));
    if (host === '' || (!isName && isIP(host) === 0)) {
      throw new ValidationError(`bad host name "${host}" in connect string ${shown}`);
    }
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw new ValidationError(`bad port "${portText}" in connect string ${shown}: expected 1-65535`);
  }
  return { host, port: Number(portText) };
}

/** Checks a chroot the way ZooKeeper checks any path (PathUtils.validatePath). */
function validateChroot(chroot: string, shown: string): string {
  if (chroot === '/') return '';
  const bad = (why: string): never => { throw new ValidationError(`bad chroot "${chroot}" in connect string ${shown}: ${why}`); };
  if (chroot.endsWith('/')) bad('must not end with "/"');
  for (const segment of chroot.slice(1).split('/')) {
    if (segment === '') bad('empty segment ("//")');
    if (segment === '.' || segment === '..') bad('"." and ".." are not allowed');
  }
  // By UTF-16 code unit, as ZooKeeper checks every path (an emoji is two refused surrogates).
  for (let i = 0; i < chroot.length; i++) {
    const c = chroot.charCodeAt(i);
    if (refusedByZooKeeper(c)) bad(`character U+${c.toString(16).padStart(4, '0')} is not allowed`);
  }
  return chroot;
}

/** Parses and checks a connect string; throws a {@link ValidationError} naming what is wrong. */
export function parseConnectString(connectString: unknown): ParsedConnectString {
  if (typeof connectString !== 'string') {
    throw new ValidationError(`connectString must be a string "host:port[,host:port...][/chroot]", got ${typeof connectString}`);
  }
  const shown = JSON.stringify(connectString);
  const trimmed = connectString.trim();
  if (trimmed === '') throw new ValidationError('connectString must not be empty: expected "host:port[,host:port...][/chroot]"');
  // `http://host:2181`, `zk://host:2181/app`: a URL where a connect string belongs (it would
  // otherwise read as host "http:" and chroot "//host:2181").
  const url = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/.exec(trimmed);
  if (url) {
    const bare = url[2]!.replace(/\/+$/, '');
    throw new ValidationError(`connect string ${shown} looks like a URL (${url[1]}://...); a ZooKeeper connect string is ` +
      `host:port[,host:port...][/chroot] with no scheme${bare === '' ? '' : `, e.g. ${JSON.stringify(bare)}`}`);
  }
  const slash = trimmed.indexOf('/');
  const hostPart = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const chroot = slash < 0 ? '' : validateChroot(trimmed.slice(slash), shown);
  const entries = hostPart.split(',').map((h) => h.trim());
  if (entries.some((e) => e === '')) throw new ValidationError(`connect string ${shown} has an empty server address`);
  return { hosts: entries.map((e) => parseHost(e, shown)), chroot };
}
