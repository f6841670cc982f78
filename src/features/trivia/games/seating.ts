// Joins are a rush too (thousands in the seconds before a game starts), so seats are taken in
// batches, as registrations are: one transaction per batch locks each game once, finds who is
// rejoining, gives the free seats to the newcomers in arrival order, inserts them in one
// statement and moves the game's player count once. A taken nickname fails its own join alone
// (the batcher splits a batch that violates the unique index until the culprit is cornered).
import { AppError } from '../../../errors.js';
import { createBatcher } from '../../../platform/batch.js';
import type { GamesStore, PlayerRow } from './store.js';

export interface Seat {
  gameId: string;
  userId: string;
  nickname: string;
}

export interface Seated {
  player: PlayerRow;
  rejoined: boolean;
}

export function createSeating(store: GamesStore, batch: { maxItems: number; maxWaitMs: number }) {
  async function run(items: Seat[]): Promise<Array<Seated | Error>> {
    return store.transaction(async (tx) => {
      const results: Array<Seated | Error | undefined> = items.map(() => undefined);
      // One game at a time, in id order, so two batches never lock games in opposite orders.
      for (const gameId of [...new Set(items.map((item) => item.gameId))].sort()) {
        const game = await store.lock(tx, gameId);
        const indexes = items.flatMap((item, index) => (item.gameId === gameId ? [index] : []));
        if (!game) {
          for (const index of indexes) results[index] = new AppError('NOT_FOUND', `No game ${gameId}`);
          continue;
        }
        const existing = await store.players(
          tx,
          gameId,
          indexes.map((index) => items[index]!.userId),
        );
        let free = game.settings.maxPlayers - game.players;
        const newcomers: number[] = [];
        const firstOf = new Map<string, number>();
        for (const index of indexes) {
          const { userId } = items[index]!;
          const seated = existing.get(userId);
          if (seated) results[index] = { player: seated, rejoined: true };
          else if (firstOf.has(userId))
            continue; // the same user twice in one batch: settled with the first below
          else if (free > 0) {
            free--;
            firstOf.set(userId, index);
            newcomers.push(index);
          } else results[index] = new AppError('GAME_FULL', `The game is full (${game.settings.maxPlayers} players)`);
        }
        const inserted = await store.addPlayers(
          tx,
          newcomers.map((index) => items[index]!),
        );
        await store.addToPlayerCount(tx, gameId, inserted.length);
        const byUser = new Map(inserted.map((player) => [player.userId, player]));
        for (const index of indexes) {
          if (results[index]) continue;
          const first = firstOf.get(items[index]!.userId)!;
          results[index] = { player: byUser.get(items[index]!.userId)!, rejoined: first !== index };
        }
      }
      return results as Array<Seated | Error>;
    });
  }

  const batcher = createBatcher<Seat, Seated>({ name: 'trivia-joins', run, maxItems: batch.maxItems, maxWaitMs: batch.maxWaitMs });
  return { take: (seat: Seat) => batcher.add(seat), close: () => batcher.close() };
}
