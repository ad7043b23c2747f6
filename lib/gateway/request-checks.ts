// Checking what a request sends (JSON body fields, query parameters) against a small table of
// rules, before anything reaches ZooKeeper. Every message names the field and says what was
// expected and what came: `body.lifetime must be a number from 0 to 3600, got "5" (a string)`,
// `unknown field "ttl" in the body (known: title, lifetime, wait, mode, maxLeases)`.
import { describeValue } from '../util/describe-value.js';
import { badRequest } from './problem.js';

/** A string field: at most `maxLength` characters, one of `oneOf`, or matching `pattern` (`shown` in messages). */
export interface StringRule {
  readonly type: 'string';
  readonly maxLength?: number;
  readonly oneOf?: readonly string[];
  readonly pattern?: { readonly re: RegExp; readonly shown: string };
}

/** A number field from `min` to `max`, a whole number if `integer`. */
export interface NumberRule {
  readonly type: 'number';
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

export type FieldRule = StringRule | NumberRule;

/** The checked object of a rule table: each field optional, typed by its rule. */
export type Checked<R extends Record<string, FieldRule>> = {
  -readonly [K in keyof R]?: R[K] extends NumberRule ? number : string;
};

function list(keys: readonly string[]): string {
  return keys.map((k) => JSON.stringify(k)).join(', ');
}

function checkValue(value: unknown, rule: FieldRule, name: string): void {
  if (rule.type === 'number') {
    const what = rule.integer ? 'an integer' : 'a number';
    if (typeof value !== 'number' || !Number.isFinite(value) || value < rule.min || value > rule.max || (rule.integer && !Number.isInteger(value))) {
      throw badRequest(`${name} must be ${what} from ${rule.min} to ${rule.max}, got ${describeValue(value)}`);
    }
    return;
  }
  if (typeof value !== 'string') throw badRequest(`${name} must be a string, got ${describeValue(value)}`);
  if (rule.oneOf && !rule.oneOf.includes(value)) throw badRequest(`${name} must be one of ${list(rule.oneOf)}, got ${JSON.stringify(value)}`);
  if (rule.maxLength !== undefined && value.length > rule.maxLength) {
    throw badRequest(`${name} must be at most ${rule.maxLength} characters, got ${value.length}`);
  }
  if (rule.pattern && !rule.pattern.re.test(value)) throw badRequest(`${name} must match ${rule.pattern.shown}, got ${JSON.stringify(value)}`);
}

/**
 * A JSON body checked against `rules`: a JSON object with only these fields, each valid.
 * `undefined` (no body) is an empty object: every field takes its default.
 * @throws a 400 Problem naming the field
 */
export function checkBody<R extends Record<string, FieldRule>>(body: unknown, rules: R): Checked<R> {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`the body must be a JSON object, got ${describeValue(body)}`);
  const known = Object.keys(rules);
  for (const key of Object.keys(body)) {
    if (!Object.hasOwn(rules, key)) throw badRequest(`unknown field ${JSON.stringify(key)} in the body (known: ${list(known)})`);
    checkValue((body as Record<string, unknown>)[key], rules[key]!, `body.${key}`);
  }
  return body as Checked<R>;
}

/**
 * Query parameters checked against `rules` (string rules only): no other parameter, none given
 * twice. @throws a 400 Problem naming the parameter
 */
export function checkQuery<R extends Record<string, StringRule>>(query: string, rules: R): Checked<R> {
  const out: Record<string, string> = {};
  if (query === '') return out as Checked<R>;
  const known = Object.keys(rules);
  for (const [key, value] of new URLSearchParams(query)) {
    if (!Object.hasOwn(rules, key)) throw badRequest(`unknown query parameter ${JSON.stringify(key)} (known: ${list(known) || 'none'})`);
    if (Object.hasOwn(out, key)) throw badRequest(`query parameter ${JSON.stringify(key)} is given more than once`);
    checkValue(value, rules[key]!, `query parameter ${key}`);
    out[key] = value;
  }
  return out as Checked<R>;
}
