// Closing the HTTP server without waiting on connections that carry no request: Node's
// server.close() ends idle keep-alive connections, but not one that was opened and has not
// sent a request yet (HTTP clients open spares, e.g. undici after an aborted request), which
// would hold shutdown until the client's own keep-alive timeout. We count the requests in
// flight per connection, end the quiet ones at once, and each busy one after its answer.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export class ConnectionDrain {
  private readonly inFlight = new Map<Socket, number>();
  private draining = false;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.inFlight.set(socket, 0);
      socket.once('close', () => this.inFlight.delete(socket));
    });
    server.on('request', (request, response) => {
      const socket = request.socket as Socket;
      this.inFlight.set(socket, (this.inFlight.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const left = (this.inFlight.get(socket) ?? 1) - 1;
        this.inFlight.set(socket, left);
        if (this.draining && left === 0) socket.destroySoon();
      });
    });
  }

  /** From now on, a connection without a request in flight is ended. */
  drain(): void {
    this.draining = true;
    for (const [socket, n] of this.inFlight) if (n === 0) socket.destroySoon();
  }
}
