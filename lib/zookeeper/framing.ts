// Splits a TCP byte stream into ZooKeeper frames (a 4-byte big-endian length, then the
// payload). The socket reads into one reused buffer, so the decoder hands each frame to a
// callback while that buffer is valid and copies only an incomplete tail. A length outside
// 0..maxFrameBytes means the stream is garbage or hostile: the decoder says so and the
// connection must be dropped; it never buffers without bound.
import { JuteDecodeError } from './jute.js';

export class FrameDecoder {
  /** The start of a frame whose end has not arrived yet (our own copy). */
  private pending: Buffer | undefined;

  constructor(private readonly maxFrameBytes: number) {}

  /**
   * Feeds bytes (which may be overwritten after this call returns). `onFrame` gets each
   * complete payload, valid only during the call; it returns false to stop (the connection
   * was dropped). Throws JuteDecodeError on a bad length.
   */
  push(chunk: Buffer, onFrame: (frame: Buffer) => boolean): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    let offset = 0;
    while (data.length - offset >= 4) {
      const len = data.readInt32BE(offset);
      if (len < 0 || len > this.maxFrameBytes) {
        throw new JuteDecodeError(`frame length ${len} is outside 0..${this.maxFrameBytes}`);
      }
      if (data.length - offset - 4 < len) break;
      const frame = data.subarray(offset + 4, offset + 4 + len);
      offset += 4 + len;
      if (!onFrame(frame)) return;
    }
    if (offset < data.length) this.pending = Buffer.from(data.subarray(offset));
  }
}
