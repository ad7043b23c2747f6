// The layers of lib/ (pure logic over the sources): no import circle between files, and imports
// only go down. docs/architecture.md draws the same layers; this test is what keeps them true.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB = fileURLToPath(new URL('../../../lib/', import.meta.url));

/**
 * Every layer, lowest first, with the layers each may import besides itself. `errors.ts` is the
 * closed set of error classes every layer throws, so every layer may import it.
 */
const LAYERS: ReadonlyArray<{ name: string; owns: (file: string) => boolean; mayImport: readonly string[] }> = [
  { name: 'util', owns: (f) => f.startsWith('util/'), mayImport: [] },
  { name: 'errors', owns: (f) => f === 'errors.ts', mayImport: ['util'] },
  { name: 'zookeeper', owns: (f) => f.startsWith('zookeeper/'), mayImport: ['util', 'errors'] },
  { name: 'framework', owns: (f) => f.startsWith('framework/'), mayImport: ['util', 'errors', 'zookeeper'] },
  {
    name: 'locks/engine',
    owns: (f) => f.startsWith('locks/engine/'),
    mayImport: ['util', 'errors', 'zookeeper', 'framework'],
  },
  {
    name: 'locks',
    owns: (f) => f.startsWith('locks/') && !f.startsWith('locks/engine/'),
    mayImport: ['util', 'errors', 'zookeeper', 'framework', 'locks/engine'],
  },
  {
    name: 'leader',
    owns: (f) => f.startsWith('leader/'),
    mayImport: ['util', 'errors', 'zookeeper', 'framework', 'locks/engine', 'locks'],
  },
  {
    name: 'index',
    owns: (f) => f === 'index.ts',
    mayImport: ['util', 'errors', 'zookeeper', 'framework', 'locks/engine', 'locks', 'leader'],
  },
  {
    name: 'gateway',
    owns: (f) => f.startsWith('gateway/'),
    mayImport: ['util', 'errors', 'zookeeper', 'framework', 'locks/engine', 'locks', 'leader', 'index'],
  },
  {
    name: 'cli',
    owns: (f) => f.startsWith('cli/'),
    mayImport: ['util', 'errors', 'zookeeper', 'framework', 'locks/engine', 'locks', 'leader', 'index', 'gateway'],
  },
];

function layerOf(file: string): string {
  const layer = LAYERS.find((l) => l.owns(file));
  if (layer === undefined) throw new Error(`lib/${file} belongs to no layer: add it to a layer folder`);
  return layer.name;
}

function sourceFiles(dir = LIB): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [path.relative(LIB, full).split(path.sep).join('/')] : [];
  });
}

/** Relative imports of one file, `import type` and re-exports included, as lib-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(LIB, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\s)(?:import|export)\s[^;]*?from\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  specs.push(...[...text.matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)].map((m) => m[1]!));
  return [...new Set(specs)].map((spec) =>
    path.posix.normalize(path.posix.join(path.posix.dirname(file), spec.replace(/\.js$/, '.ts'))),
  );
}

/** Strongly connected components of more than one file (Tarjan), each an import circle. */
function importCircles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return circles;
}

describe('the layers of lib/ (pure logic over the sources)', () => {
  const files = sourceFiles();
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it('finds the sources and their imports', () => {
    expect(files).to.include.members(['framework/zk-client.ts', 'locks/engine/lock-engine.ts', 'locks/mutex.ts']);
    expect(graph.get('locks/mutex.ts')).to.include('locks/engine/lock-engine.ts');
    for (const [file, targets] of graph) {
      for (const target of targets) expect(files, `${file} imports a missing ${target}`).to.include(target);
    }
  });

  it('has no import circle between files (type-only imports included)', () => {
    expect(importCircles(graph)).to.deep.equal([]);
  });

  it('imports only go down: each layer imports only the layers below it', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      const from = layerOf(file);
      const allowed = LAYERS.find((l) => l.name === from)!.mayImport;
      for (const target of targets) {
        const to = layerOf(target);
        if (to !== from && !allowed.includes(to)) upward.push(`${file} (${from}) -> ${target} (${to})`);
      }
    }
    expect(upward).to.deep.equal([]);
  });

  it('would catch a circle and an upward import (the checks can fail)', () => {
    const circle = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(importCircles(circle)).to.deep.equal([['a.ts', 'b.ts', 'c.ts']]);
    expect(LAYERS.find((l) => l.name === 'zookeeper')!.mayImport).to.not.include('framework');
    expect(layerOf('locks/engine/lock-engine.ts')).to.equal('locks/engine');
    expect(layerOf('locks/mutex.ts')).to.equal('locks');
  });
});
