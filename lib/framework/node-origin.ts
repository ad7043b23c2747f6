// Who made a lock node, told from its data: the web page, `zkurator status` and inspectLock
// show it, so an operator can tell a gateway client, a zkurator library user and a JVM Curator
// client apart on the same lock.
import { isIP } from 'node:net';

/**
 * Who made a lock node, judged from its data: `gateway` (a JSON record carrying
 * `"zkuratorGateway": true`: a lock taken through `zkurator serve`), `zkurator` (the library's
 * default data, `<ip> zkurator/<version> pid <pid>`), `curator` (Curator's default data: exactly
 * the client's IP address) or `unknown` (any other data, e.g. a `nodeData` of your own).
 */
export type NodeOrigin = 'gateway' | 'zkurator' | 'curator' | 'unknown';

/** The key whose value `true` marks a gateway lock node's JSON data. */
export const GATEWAY_NODE_MARKER = 'zkuratorGateway';

const LIBRARY_DATA_RE = /^\S+ zkurator\/\S+ pid \d+$/;

/** Classifies a lock node by its data (see {@link NodeOrigin}). */
export function nodeOriginOf(data: string): NodeOrigin {
  if (data.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(data);
      if (typeof parsed === 'object' && parsed !== null && (parsed as Record<string, unknown>)[GATEWAY_NODE_MARKER] === true) return 'gateway';
    } catch {
      return 'unknown';
    }
    return 'unknown';
  }
  if (LIBRARY_DATA_RE.test(data)) return 'zkurator';
  if (isIP(data) !== 0) return 'curator';
  return 'unknown';
}
