// The one check every public call that takes an options object runs first: it must be an
// object, and every key must be one the call knows. JavaScript callers get no compiler to
// catch `acquire(5000)` (Curator's positional style) or `{ timout: 100 }`; without this check
// both were silently ignored and the acquire waited forever. Bad options are a
// ValidationError naming the key (and the likely intended one) before any ZooKeeper call.
import { describeValue } from '../util/describe-value.js';
import { ValidationError } from '../errors.js';

/** What an options argument may hold, for {@link checkOptions}. */
export interface OptionsSpec {
  /** How the call reads in messages: `acquire`, `new Mutex`, `connect`. */
  readonly call: string;
  /** The keys the call takes. */
  readonly known: readonly string[];
  /**
   * Keys a caller may well put here that belong to another call, with where they go:
   * `{ timeout: 'acquire({ timeout })' }` for a lock's constructor.
   */
  readonly elsewhere?: Readonly<Record<string, string>>;
}

/** Edit distance of two short strings (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** The known key a mistyped one most likely meant: same letters in another case, or one or two edits away. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase) return sameCase;
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor(key.length / 3));
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d <= bestDistance && (best === undefined || d < bestDistance)) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** A plain object (an object literal, `Object.create(null)`, a class instance), not an array, a function or a special object. */
function isOptionsObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.prototype.toString.call(value) === '[object Object]';
}

/**
 * Checks an options argument: `undefined` (no options) or a plain object whose own keys are
 * all in `spec.known`. Returns the options (`{}` for undefined).
 * @throws ValidationError naming the first unknown key (with the known key it most likely
 *   meant, or the call it belongs to), or saying what the non-object was and how to write it
 */
export function checkOptions<T extends object>(options: T | undefined, spec: OptionsSpec): T {
  if (options === undefined) return {} as T;
  const { call, known } = spec;
  if (!isOptionsObject(options)) {
    const value: unknown = options;
    // Curator's acquire(time, unit) and most callback APIs pass the timeout positionally.
    if (typeof value === 'number' && known.includes('timeout')) {
      throw new ValidationError(`${call}(${value}): options are an object; for a timeout of ${value} ms write ${call}({ timeout: ${value} })`);
    }
    if (value instanceof AbortSignal && known.includes('signal')) {
      throw new ValidationError(`${call}: options are an object, got an AbortSignal: write ${call}({ signal })`);
    }
    throw new ValidationError(`${call}: options must be an object { ${known.join(', ')} }, got ${describeValue(value)}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const other = spec.elsewhere?.[key];
    const meant = other === undefined ? closest(key, known) : undefined;
    const hint = other !== undefined ? `: it belongs to ${other}` : meant !== undefined ? ` (did you mean "${meant}"?)` : '';
    throw new ValidationError(`${call}: unknown option ${JSON.stringify(key)}${hint}; ${call} takes ${known.join(', ')}`);
  }
  return options;
}
