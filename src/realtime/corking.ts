// Write coalescing for pushes. Each Socket.IO message over WebSocket is its own write system
// call; a push that sends two messages to the same sockets in one turn of the loop (a trivia
// close: the results to the game's channel, then each player's own result on user:<id>) made
// 20,000 system calls at 10,000 players, half the CPU of the whole push. The TCP sockets a push
// writes to are corked until the turn ends, so each one's messages leave in one write.
import type { Writable } from 'node:stream';
import type { Namespace } from 'socket.io';

/** The TCP stream under a socket on the WebSocket transport; undefined on long-polling, whose writes are HTTP responses. */
function tcpStream(namespace: Namespace, socketId: string): Writable | undefined {
  const transport = namespace.sockets.get(socketId)?.conn.transport as { name?: string; socket?: { _socket?: Writable } } | undefined;
  return transport?.name === 'websocket' ? transport.socket?._socket : undefined;
}

/**
 * Returns `corkRoom(room)`: corks, until the current turn of the event loop ends, the TCP
 * streams of this instance's sockets in `room`. Call it before emitting to the room. With the
 * Redis adapter a broadcast reaches the local sockets after its XADD, in a later turn: the
 * streams are uncorked by then and nothing is held.
 */
export function createCorking(namespace: Namespace): (room: string) => void {
  const corked = new Set<Writable>();
  const release = () => {
    for (const stream of corked) stream.uncork();
    corked.clear();
  };
  return (room) => {
    const socketIds = namespace.adapter.rooms.get(room);
    if (!socketIds) return;
    for (const socketId of socketIds) {
      const stream = tcpStream(namespace, socketId);
      if (!stream || corked.has(stream) || stream.destroyed) continue;
      if (corked.size === 0) process.nextTick(release);
      stream.cork();
      corked.add(stream);
    }
  };
}
