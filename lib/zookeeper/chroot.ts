// A chroot (`host:port/app`) is ours alone: the server sees every path under it, callers never do.

/** A caller's path as the server knows it, under the chroot (`''` for none). */
export function toServerPath(chroot: string, path: string): string {
  if (!chroot) return path;
  return path === '/' ? chroot : chroot + path;
}

/** A server's path (a created node, a watch event) as the caller knows it, without the chroot. */
export function fromServerPath(chroot: string, path: string): string {
  if (!chroot || !path.startsWith(chroot)) return path;
  const rest = path.slice(chroot.length);
  return rest === '' ? '/' : rest;
}
