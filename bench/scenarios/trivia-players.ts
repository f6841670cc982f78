// The trivia players of the bench: Socket.IO clients speaking the protocol over plain
// WebSockets (as the actions scenario's subscribers do), each subscribed to its game. A player
// times the question's arrival against the server's serverNow (same machine, same wall clock),
// answers at a random moment of the answer window with an acked `answer` event, and times its
// personal result against the question's close.
import { WebSocket } from 'ws';
import { onCleanup } from '../lib/cleanup.js';

const CONNECT_CONCURRENCY = 200;
const CONNECT_TIMEOUT_MS = 60_000;

export interface PlayerQuestion {
  seq: number;
  kind: string;
  options: string[];
  opensAt: number;
  closesAt: number;
  serverNow: number;
}

export interface PlayerRecord {
  /** Per question: ms from serverNow to receipt. */
  fanOut: Map<number, number>;
  /** Per question: ms from sending the answer to its ack, and whether the ack was ok and new. */
  acks: Map<number, { ms: number; sentAt: number; ok: boolean; replayed: boolean; code?: string }>;
  /** Per question: ms from closesAt to the personal result's receipt. */
  results: Map<number, number>;
}

export interface PlayerOptions {
  gameId: string;
  /** When to answer, in ms after opensAt; called once per question. */
  answerDelayMs: () => number;
  choiceFor: (question: PlayerQuestion) => unknown;
  onAcked?: () => void;
}

export interface Player {
  record: PlayerRecord;
  close(): void;
}

function connectPlayer(url: string, token: string, options: PlayerOptions): Promise<Player> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    const record: PlayerRecord = { fanOut: new Map(), acks: new Map(), results: new Map() };
    const pendingAcks = new Map<number, { seq: number; sentAt: number }>();
    const closesAt = new Map<number, number>();
    const timers: NodeJS.Timeout[] = [];
    let nextAck = 1;
    const player: Player = {
      record,
      close: () => {
        timers.forEach(clearTimeout);
        ws.terminate();
      },
    };
    const timer = setTimeout(() => fail(new Error(`no subscription within ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    const send = (frame: string) => ws.readyState === WebSocket.OPEN && ws.send(frame);

    const onQuestion = (question: PlayerQuestion) => {
      if (record.fanOut.has(question.seq)) return;
      record.fanOut.set(question.seq, Date.now() - question.serverNow);
      closesAt.set(question.seq, question.closesAt);
      const at = question.opensAt + options.answerDelayMs();
      timers.push(
        setTimeout(
          () => {
            const id = nextAck++;
            pendingAcks.set(id, { seq: question.seq, sentAt: performance.now() });
            send(`42${id}${JSON.stringify(['answer', { gameId: options.gameId, questionId: question.seq, choice: options.choiceFor(question) }])}`);
          },
          Math.max(0, at - Date.now()),
        ),
      );
    };

    ws.on('error', fail);
    ws.on('message', (data) => {
      const frame = data.toString();
      if (frame === '2') send('3');
      else if (frame.startsWith('0')) send(`40${JSON.stringify({ token })}`);
      else if (frame.startsWith('40')) send(`420${JSON.stringify(['subscribe', `game:${options.gameId}`])}`);
      else if (frame.startsWith('44')) fail(new Error(`handshake refused: ${frame.slice(2)}`));
      else if (frame.startsWith('430')) {
        clearTimeout(timer);
        resolve(player);
      } else if (frame.startsWith('43')) {
        const bracket = frame.indexOf('[');
        const id = Number(frame.slice(2, bracket));
        const pending = pendingAcks.get(id);
        if (!pending) return;
        pendingAcks.delete(id);
        const [ack] = JSON.parse(frame.slice(bracket)) as [{ ok: boolean; replayed?: boolean; code?: string }];
        record.acks.set(pending.seq, {
          ms: performance.now() - pending.sentAt,
          sentAt: pending.sentAt,
          ok: ack.ok,
          replayed: ack.replayed === true,
          code: ack.code,
        });
        options.onAcked?.();
      } else if (frame.startsWith('42["question"')) onQuestion((JSON.parse(frame.slice(2)) as [string, PlayerQuestion])[1]);
      else if (frame.startsWith('42["result"')) {
        const [, result] = JSON.parse(frame.slice(2)) as [string, { seq: number }];
        const close = closesAt.get(result.seq);
        if (close !== undefined) record.results.set(result.seq, Date.now() - close);
      }
    });
  });
}

/** Connects every player, CONNECT_CONCURRENCY at a time. */
export async function connectPlayers(url: string, tokens: string[], options: PlayerOptions): Promise<Player[]> {
  const players: Player[] = [];
  onCleanup(() => players.forEach((player) => player.close()));
  let next = 0;
  const opener = async () => {
    while (next < tokens.length) players.push(await connectPlayer(url, tokens[next++]!, options));
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, tokens.length) }, opener));
  return players;
}
