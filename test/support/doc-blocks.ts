// The fenced code blocks of the guides (README.md and docs/*.md), as the docs examples test
// runs them: which are marked runnable, which output each is shown to print, and whether what
// it printed matches. Pure text handling, so the rules are unit-tested on their own.

/** One fenced code block of a markdown file. */
export interface DocBlock {
  /** The file, relative to the repository root (`docs/locks.md`). */
  readonly file: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
  /** First word of the info string (```js runnable -> `js`), '' when there is none. */
  readonly lang: string;
  /** The info string has the word `runnable`: the examples test runs this block. */
  readonly runnable: boolean;
  /** The block's text, with the fence's own indentation removed (a block inside a list item). */
  readonly code: string;
  /** For a runnable block: the text of the ```output block that follows it, if there is one. */
  readonly expectedOutput?: string;
}

/** Languages the examples test knows how to run: JavaScript (ESM), TypeScript, shell. */
export const RUNNABLE_LANGS: ReadonlyMap<string, 'js' | 'ts' | 'sh'> = new Map([
  ['js', 'js'], ['javascript', 'js'], ['mjs', 'js'],
  ['ts', 'ts'], ['typescript', 'ts'],
  ['sh', 'sh'], ['bash', 'sh'], ['shell', 'sh'],
]);

interface RawBlock {
  line: number;
  info: string;
  code: string;
}

/** Every fenced block (``` or ~~~, any indentation) of `markdown`, in order. */
function rawBlocks(markdown: string): RawBlock[] {
  const lines = markdown.split('\n');
  const blocks: RawBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( *)(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ *(`{3,}|~{3,}) *$/.exec(lines[j]!);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
      // Content lines lose up to the fence's indentation, as CommonMark strips it.
      const line = lines[j]!;
      const strip = Math.min(indent.length, line.length - line.trimStart().length);
      body.push(line.slice(strip));
    }
    if (j === lines.length) throw new Error(`line ${i + 1}: code fence never closed`);
    blocks.push({ line: i + 1, info: info.trim(), code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/**
 * The code blocks of one markdown file. A block is runnable when its info string carries the
 * word `runnable` (```js runnable); the first block after it, if its info string is `output`,
 * is what it prints. An `output` block anywhere else is an error: it would be checked by nothing.
 */
export function extractBlocks(file: string, markdown: string): DocBlock[] {
  const raw = rawBlocks(markdown);
  const blocks: DocBlock[] = [];
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    const words = b.info.split(/\s+/).filter(Boolean);
    const lang = (words[0] ?? '').toLowerCase();
    if (lang === 'output') throw new Error(`${file}:${b.line}: an output block must follow a runnable block`);
    const runnable = words.slice(1).includes('runnable');
    const next = raw[i + 1];
    let expectedOutput: string | undefined;
    if (runnable && next && next.info === 'output') {
      expectedOutput = next.code;
      i++;
    }
    if (runnable && !RUNNABLE_LANGS.has(lang)) throw new Error(`${file}:${b.line}: '${lang}' blocks cannot be run (only js, ts, sh)`);
    blocks.push({ file, line: b.line, lang, runnable, code: b.code, ...(expectedOutput === undefined ? {} : { expectedOutput }) });
  }
  return blocks;
}

/**
 * The expected output as a pattern over the whole of stdout. Lines are compared exactly
 * (trailing spaces ignored), except that `...` inside a line matches any text on that line,
 * and a line that is only `...` matches any number of lines, none included.
 */
export function outputPattern(expected: string): RegExp {
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lines = trimLines(expected).split('\n');
  if (lines.every((l) => l.trim() === '...')) return /^[\s\S]*$/;
  let source = '';
  let literalSeen = false;
  for (const line of lines) {
    if (line.trim() === '...') {
      // Before the first literal line it eats whole lines with their newlines; after one,
      // the newline that ends the line before each line it eats.
      source += literalSeen ? '(?:\\n.*)*?' : '(?:.*\\n)*?';
    } else {
      source += (literalSeen ? '\\n' : '') + line.split('...').map(escape).join('.*?');
      literalSeen = true;
    }
  }
  return new RegExp(`^${source}$`);
}

/** Whether `actual` (a block's stdout) is what the guide shows it to print. */
export function outputMatches(expected: string, actual: string): boolean {
  return outputPattern(expected).test(trimLines(actual));
}

/** Trailing spaces of every line and trailing newlines dropped. */
function trimLines(text: string): string {
  return text.split('\n').map((l) => l.trimEnd()).join('\n').replace(/\n+$/, '');
}
