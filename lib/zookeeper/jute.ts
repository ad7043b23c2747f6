// Jute, ZooKeeper's binary record format: big-endian ints and longs, length-prefixed strings,
// buffers and vectors (a length of -1 means null). The reader checks every length against
// what is left, so bytes from a server can only ever end in a JuteDecodeError, never in a
// RangeError from deep inside Buffer or an allocation sized by a hostile length.

/** A reply or event could not be decoded: the connection carrying it is not trustworthy. */
export class JuteDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JuteDecodeError';
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Appends jute primitives to a growing buffer. */
export class JuteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  int(v: number): this {
    this.reserve(4);
    this.buf.writeInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  long(v: bigint): this {
    if (v < INT64_MIN || v > INT64_MAX) throw new RangeError(`${v} does not fit a 64-bit long`);
    this.reserve(8);
    this.buf.writeBigInt64BE(v, this.len);
    this.len += 8;
    return this;
  }

  bool(v: boolean): this {
    this.reserve(1);
    this.buf[this.len++] = v ? 1 : 0;
    return this;
  }

  /** A byte buffer; `null` is written as length -1. */
  buffer(v: Uint8Array | null): this {
    if (v === null) return this.int(-1);
    this.int(v.length);
    this.reserve(v.length);
    this.buf.set(v, this.len);
    this.len += v.length;
    return this;
  }

  /** A UTF-8 string; `null` is written as length -1. */
  ustring(v: string | null): this {
    if (v === null) return this.int(-1);
    const n = Buffer.byteLength(v, 'utf8');
    this.int(n);
    this.reserve(n);
    this.buf.write(v, this.len, 'utf8');
    this.len += n;
    return this;
  }

  vector<T>(items: readonly T[] | null, write: (w: this, item: T) => void): this {
    if (items === null) return this.int(-1);
    this.int(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  get length(): number {
    return this.len;
  }

  /** Forgets what was written, keeping the buffer (and shrinking one a huge request grew). */
  reset(): this {
    this.len = 0;
    if (this.buf.length > 64 * 1024) this.buf = Buffer.allocUnsafe(1024);
    return this;
  }

  /** The bytes written so far, prefixed with their 4-byte length: one frame on the wire. */
  toFrame(): Buffer {
    const out = Buffer.allocUnsafe(this.len + 4);
    out.writeInt32BE(this.len, 0);
    this.buf.copy(out, 4, 0, this.len);
    return out;
  }

  /** The bytes written so far (no length prefix). */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

/** Reads jute primitives from one frame's payload, bounds-checked. */
export class JuteReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) {
      throw new JuteDecodeError(`truncated record: ${what} needs ${n} bytes at offset ${this.pos}, ${this.buf.length - this.pos} left`);
    }
  }

  int(): number {
    this.need(4, 'int');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  long(): bigint {
    this.need(8, 'long');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    this.need(1, 'boolean');
    return this.buf[this.pos++] !== 0;
  }

  private length(what: string): number {
    const n = this.int();
    if (n < -1) throw new JuteDecodeError(`negative ${what} length ${n}`);
    return n;
  }

  /** A byte buffer (a copy: replies must not pin the whole read chunk), or null. */
  buffer(): Buffer | null {
    const n = this.length('buffer');
    if (n === -1) return null;
    this.need(n, 'buffer');
    const v = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return v;
  }

  ustring(): string | null {
    const n = this.length('string');
    if (n === -1) return null;
    this.need(n, 'string');
    const v = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A string that must be present (a null where the protocol needs a value is an error). */
  string(what: string): string {
    const v = this.ustring();
    if (v === null) throw new JuteDecodeError(`${what} is null`);
    return v;
  }

  vector<T>(read: (r: this) => T, minItemBytes: number): T[] | null {
    const n = this.length('vector');
    if (n === -1) return null;
    // A count that cannot possibly fit in what is left must not size an allocation.
    this.need(n * minItemBytes, 'vector');
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this));
    return out;
  }
}

const scratch = new JuteWriter(1024);

/**
 * Builds one frame in a writer shared by every request: the only allocation is the frame
 * itself, at its exact size. `build` must not build another frame.
 */
export function buildFrame(build: (w: JuteWriter) => void): Buffer {
  build(scratch.reset());
  return scratch.toFrame();
}
