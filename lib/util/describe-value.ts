// How a rejected value is shown in a ValidationError: its value and, unless it is a plain
// number, its type, so `timeout: "5000"` reads `got "5000" (a string)`, not `got 5000`.

/** `-1`, `NaN`, `"5000" (a string)`, `5n (a bigint)`, `true (a boolean)`, `null`, `an array`, `a Date`... */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number': return String(value);
    case 'string': return `${JSON.stringify(value)} (a string)`;
    case 'bigint': return `${value}n (a bigint)`;
    case 'boolean': return `${value} (a boolean)`;
    case 'undefined': return 'undefined';
    case 'symbol': return `${String(value)} (a symbol)`;
    case 'function': return 'a function';
    default: {
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'an array';
      const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor?.name;
      return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object';
    }
  }
}
