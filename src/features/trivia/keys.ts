// Every channel and board name of the trivia feature, built in one place.

/** Questions and results, for the game's players (a token is needed). */
export const gameChannel = (gameId: string) => `game:${gameId}`;
/** The big screen and the host: read-only and public like every board channel; `answered` counts go here only. */
export const screenChannel = (gameId: string) => `board:trivia:${gameId}`;
/** The game's rank index: exact ranks, rebuilt from game_players whenever it is missing. */
export const gameBoard = (gameId: string) => `game:${gameId}`;
