// The one error catalogue. Every error a client can see is listed here with its HTTP status
// and a stable `code`; responses are RFC 9457 problem+json built from these entries.
// Codes are part of the API contract: add new ones, never rename or reuse old ones.

export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  MALFORMED_BODY: { status: 400, title: 'The request body could not be parsed' },
  MALFORMED_REQUEST: { status: 400, title: 'The request line or headers could not be parsed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The content type is not supported' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  INVALID_CREDENTIALS: { status: 401, title: 'The email or password is wrong' },
  INVALID_TOKEN: { status: 401, title: 'The token is invalid or expired' },
  FORBIDDEN: { status: 403, title: 'You are not allowed to do this' },
  GUESTS_NOT_ALLOWED: { status: 403, title: 'This event does not accept guest accounts' },
  VERIFIED_EMAIL_REQUIRED: { status: 403, title: 'This event requires an account with a verified email' },
  NOT_FOUND: { status: 404, title: 'The resource does not exist' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The method is not allowed here' },
  EMAIL_TAKEN: { status: 409, title: 'That email is already registered' },
  HANDLE_TAKEN: { status: 409, title: 'That handle is already taken' },
  IDEMPOTENCY_KEY_IN_FLIGHT: { status: 409, title: 'A request with this Idempotency-Key is still in progress' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'This Idempotency-Key was used with a different request' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, title: 'The Idempotency-Key header is not valid' },
  EVENT_FULL: { status: 409, title: 'The event is full and has no waitlist' },
  REGISTRATION_NOT_OPEN: { status: 409, title: 'Registration has not opened yet' },
  REGISTRATION_CLOSED: { status: 409, title: 'Registration is closed' },
  SLUG_TAKEN: { status: 409, title: 'That event slug is already taken' },
  PRODUCT_SLUG_TAKEN: { status: 409, title: 'A product with that slug already exists' },
  ACHIEVEMENT_KEY_TAKEN: { status: 409, title: 'An achievement with that key already exists' },
  ACTION_TYPE_KEY_TAKEN: { status: 409, title: 'An action type with that key already exists' },
  BOARD_NAME_TAKEN: { status: 409, title: 'A leaderboard with that name already exists with another definition' },
  INVALID_STATE: { status: 409, title: 'The resource is not in a state that allows this' },
  CAPACITY_BELOW_TAKEN: { status: 422, title: 'Capacity cannot go below the spots already confirmed or held' },
  ACTION_INACTIVE: { status: 422, title: 'This action type is not active now' },
  COOLDOWN: { status: 422, title: 'This action is cooling down, retry later' },
  LIMIT_REACHED: { status: 422, title: 'The limit for this action has been reached' },
  NOT_REGISTERED: { status: 422, title: 'Only confirmed entrants of the event may do this' },
  PAYMENT_PROVIDER_ERROR: { status: 502, title: 'The payment provider failed, retry shortly' },
  WEBHOOK_SIGNATURE_INVALID: { status: 400, title: 'The webhook signature is not valid' },
  WHATSAPP_SIGNATURE_INVALID: { status: 401, title: 'The X-Hub-Signature-256 header is missing or wrong' },
  LINK_INVALID: { status: 401, title: 'The sign-in link is invalid, expired or already used' },
  GAME_FULL: { status: 409, title: 'The game has as many players as it allows' },
  GAME_STATE: { status: 409, title: 'The game is not in a state that allows this' },
  NICKNAME_TAKEN: { status: 409, title: 'That nickname is already taken in this game' },
  NOT_IN_GAME: { status: 403, title: 'Join the game before answering' },
  QUESTION_NOT_OPEN: { status: 409, title: 'The question is not open for answers yet' },
  ANSWER_TOO_LATE: { status: 409, title: 'The question closed before the answer arrived' },
  ALREADY_ANSWERED: { status: 409, title: 'A different answer to this question was already received' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INVALID_CHANNEL: { status: 400, title: 'The channel name is malformed' },
  UNKNOWN_CHANNEL_KIND: { status: 404, title: 'No such kind of channel' },
  TOO_MANY_SUBSCRIPTIONS: { status: 429, title: 'This connection has too many subscriptions' },
  TOO_MANY_CONNECTIONS: { status: 429, title: 'Too many open connections' },
  OVERLOADED: { status: 503, title: 'The server is overloaded, retry shortly' },
  DATABASE_UNAVAILABLE: { status: 503, title: 'The database is unavailable, retry shortly' },
  SHUTTING_DOWN: { status: 503, title: 'The server is shutting down' },
  INTERNAL: { status: 500, title: 'Internal server error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: ErrorCode;
  instance?: string;
  [extension: string]: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(
    readonly code: ErrorCode,
    readonly detail?: string,
    /** Extra problem members, e.g. `errors` for validation or `opensAt` for a closed event. */
    readonly extensions: Record<string, unknown> = {},
    /** Response headers such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? ERROR_CATALOGUE[code].title);
    this.name = 'AppError';
    this.status = ERROR_CATALOGUE[code].status;
    this.title = ERROR_CATALOGUE[code].title;
  }

  toProblem(instance?: string): Problem {
    return {
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      code: this.code,
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

export function problemType(code: ErrorCode): string {
  return `urn:stampede:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
