// The links between the guides and the anchors they point at, as GitHub renders them: which
// relative links a markdown file has, and which heading anchors it offers. Pure text handling.

/** The markdown with fenced code blocks blanked out (their lines kept, so line numbers hold). */
function outsideCode(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const m = /^ *(`{3,}|~{3,})/.exec(line);
    if (fence === undefined) {
      if (m) fence = m[1];
      return m ? '' : line;
    }
    if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && line.trim() === m[1]) fence = undefined;
    return '';
  });
}

/** A heading's text as GitHub renders it: inline code and links reduced to their text. */
function headingText(raw: string): string {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/\*\*|__/g, '')
    .trim();
}

/** GitHub's anchor for a heading text: lower case, punctuation dropped, spaces to hyphens. */
export function slugOf(text: string): string {
  return headingText(text).toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor the headings of `markdown` offer, with GitHub's -1, -2... for repeats. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of outsideCode(markdown)) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const slug = slugOf(m[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** A link to another file of the repository (or to an anchor of the same file). */
export interface RelativeLink {
  readonly line: number;
  /** The path part, '' for a link to an anchor of the same file. */
  readonly path: string;
  /** The part after '#', if any. */
  readonly anchor?: string;
}

/** Every relative link and image of `markdown` outside code (http, https and mailto skipped). */
export function relativeLinks(markdown: string): RelativeLink[] {
  const links: RelativeLink[] = [];
  outsideCode(markdown).forEach((line, i) => {
    const prose = line.replace(/`[^`]*`/g, '');
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^(https?:|mailto:)/.test(target)) continue;
      const hash = target.indexOf('#');
      const path = hash < 0 ? target : target.slice(0, hash);
      links.push({ line: i + 1, path, ...(hash < 0 ? {} : { anchor: target.slice(hash + 1) }) });
    }
  });
  return links;
}
