// Splits a TCP byte stream into ZooKeeper frames (a 4-byte big-endian length, then the
// payload). A length outside 0..maxFrameBytes means the stream is garbage or hostile: the
// decoder says so once and the connection must be dropped; it never buffers without bound.
import { JuteDecodeError } from './jute.js';

export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds bytes; returns every complete frame's payload. Throws JuteDecodeError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : this.flatten();
      const len = head.readInt32BE(0);
      if (len < 0 || len > this.maxFrameBytes) {
        throw new JuteDecodeError(`frame length ${len} is outside 0..${this.maxFrameBytes}`);
      }
      if (this.buffered < 4 + len) break;
      const all = this.chunks.length === 1 ? this.chunks[0]! : this.flatten();
      frames.push(all.subarray(4, 4 + len));
      const rest = all.subarray(4 + len);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
    }
    return frames;
  }

  private flatten(): Buffer {
    const all = Buffer.concat(this.chunks, this.buffered);
    this.chunks = [all];
    return all;
  }
}
