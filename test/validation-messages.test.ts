// A rejected option names its value and its type: `timeout: "5000"` (a string where a number of
// milliseconds belongs) must read `got "5000" (a string)`, never `got 5000`, which looks valid.
import { expect } from 'chai';
import { connect, Mutex, ReadWriteLock, ValidationError } from '../lib/index.js';
import { describeValue } from '../lib/util/describe-value.js';
import { validateLossPolicy, validateMaxLeases, validateOnQueued, validateSignal, validateTimeout } from '../lib/locks/engine/lock-path.js';
import { childrenOf, newClient, uniquePath } from './support/harness.js';

describe('validation messages show the value and its type', () => {
  it('describeValue: numbers plain, everything else with its type', () => {
    expect([5000, -1, NaN, Infinity].map(describeValue)).to.deep.equal(['5000', '-1', 'NaN', 'Infinity']);
    expect(describeValue('5000')).to.equal('"5000" (a string)');
    expect(describeValue('')).to.equal('"" (a string)');
    expect(describeValue(5n)).to.equal('5n (a bigint)');
    expect(describeValue(true)).to.equal('true (a boolean)');
    expect([null, undefined].map(describeValue)).to.deep.equal(['null', 'undefined']);
    expect([[1], {}, Object.create(null), new Date(0), () => 1].map(describeValue))
      .to.deep.equal(['an array', 'an object', 'an object', 'a Date', 'a function']);
    expect(describeValue(Symbol('s'))).to.equal('Symbol(s) (a symbol)');
  });

  it('the option validators', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => validateTimeout('5000'), 'timeout must be a number of milliseconds >= 0 (or omitted to wait forever), got "5000" (a string)'],
      [() => validateTimeout(-1), 'timeout must be a number of milliseconds >= 0 (or omitted to wait forever), got -1'],
      [() => validateTimeout(null), 'got null'],
      [() => validateMaxLeases('2'), 'maxLeases must be an integer >= 1, got "2" (a string)'],
      [() => validateMaxLeases(2n), 'maxLeases must be an integer >= 1, got 2n (a bigint)'],
      [() => validateMaxLeases(1.5), 'maxLeases must be an integer >= 1, got 1.5'],
      [() => validateSignal({ aborted: false }), 'signal must be an AbortSignal, got an object'],
      [() => validateOnQueued('log'), 'onQueued must be a function, got "log" (a string)'],
      [() => validateLossPolicy('never'), `lossPolicy must be 'suspended' or 'lost', got "never" (a string)`],
      [() => validateLossPolicy(true), `lossPolicy must be 'suspended' or 'lost', got true (a boolean)`],
    ];
    for (const [run, message] of cases) {
      expect(run).to.throw(ValidationError).with.property('message').that.contains(message);
    }
  });

  it('through the public API: connect, Mutex, acquire, withLock (and no node is made)', async () => {
    for (const [options, message] of [
      [{ sessionTimeout: '5000' }, 'sessionTimeout must be a positive integer number of milliseconds up to 2147483647, got "5000" (a string)'],
      [{ connectTimeout: '5000' }, 'connectTimeout must be a positive integer number of milliseconds (or Infinity), got "5000" (a string)'],
    ] as const) {
      const err = await connect('127.0.0.1:1', options as never).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ValidationError).with.property('message', message);
    }
    const client = await newClient();
    const path = uniquePath('messages');
    expect(() => new Mutex(client, path, { maxLeases: '3' as never })).to.throw(ValidationError, 'got "3" (a string)');
    expect(() => new Mutex(client, path, { lossPolicy: 'Lost' as never })).to.throw(ValidationError, 'got "Lost" (a string)');
    const mutex = new Mutex(client, path);
    const rejection = (p: Promise<unknown>): Promise<unknown> => p.then(() => undefined, (e: unknown) => e);
    expect(await rejection(mutex.acquire({ timeout: '5000' as never }))).to.be.instanceOf(ValidationError)
      .with.property('message').that.contains('got "5000" (a string)');
    expect(await rejection(new ReadWriteLock(client, path).writeLock.acquire({ timeout: 5n as never }))).to.be.instanceOf(ValidationError)
      .with.property('message').that.contains('got 5n (a bigint)');
    expect(await rejection(mutex.withLock('work' as never))).to.be.instanceOf(ValidationError)
      .with.property('message', 'withLock needs a function, got "work" (a string)');
    expect(await childrenOf(client, path)).to.deep.equal([]);
  });
});
