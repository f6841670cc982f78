// The one catalogue of API operations: each route's stable operationId and its feature tag.
// Client generators name their methods after operationId, so an id is part of the contract:
// add new ones, never rename. The OpenAPI transform applies these (see openapi.ts), and a test
// fails when a documented route has no entry here or an entry matches no route.

export interface Operation {
  operationId: string;
  tag: string;
}

const op = (operationId: string, tag: string): Operation => ({ operationId, tag });

/** Keyed by `METHOD /path` with Fastify's `:param` syntax. */
export const OPERATIONS: Readonly<Record<string, Operation>> = {
  'POST /api/auth/signup': op('signUp', 'accounts'),
  'POST /api/auth/login': op('logIn', 'accounts'),
  'POST /api/auth/guest': op('createGuest', 'accounts'),
  'POST /api/auth/logout': op('logOut', 'accounts'),
  'POST /api/auth/logout-all': op('logOutEverywhere', 'accounts'),
  'GET /api/me': op('getMe', 'accounts'),
  'GET /api/me/settings': op('getMySettings', 'accounts'),
  'PUT /api/me/settings': op('updateMySettings', 'accounts'),
  'PUT /api/users/:id/role': op('setUserRole', 'accounts'),
  'POST /api/auth/email-link': op('requestEmailLink', 'accounts'),
  'POST /api/auth/email-link/verify': op('verifyEmailLink', 'accounts'),

  'GET /api/whatsapp/webhook': op('verifyWhatsAppWebhook', 'whatsapp'),
  'POST /api/whatsapp/webhook': op('receiveWhatsAppWebhook', 'whatsapp'),

  'GET /health': op('getLiveness', 'ops'),
  'GET /health/ready': op('getReadiness', 'ops'),
  'GET /metrics': op('getMetrics', 'ops'),
  'GET /api/admin/stats': op('getAdminStats', 'ops'),
  'GET /api/admin/jobs/failed': op('listFailedJobs', 'ops'),
  'GET /api/admin/queue-stats': op('getQueueStats', 'ops'),
  'GET /api/admin/db-stats': op('getDbStats', 'ops'),
  'GET /api/admin/game-stats': op('getGameStats', 'ops'),
  'POST /api/admin/jobs/:id/retry': op('retryFailedJob', 'ops'),

  'POST /api/events': op('createEvent', 'events'),
  'GET /api/events': op('listEvents', 'events'),
  'GET /api/events/:id': op('getEvent', 'events'),
  'PATCH /api/events/:id': op('updateEvent', 'events'),
  'POST /api/events/:id/open': op('openRegistration', 'events'),
  'POST /api/events/:id/close': op('closeRegistration', 'events'),
  'PUT /api/events/:id/priority': op('setPriorityGroups', 'events'),
  'GET /api/events/:id/priority': op('getPriorityGroups', 'events'),

  'POST /api/events/:id/registrations': op('registerForEvent', 'registrations'),
  'GET /api/events/:id/registrations': op('listRegistrations', 'registrations'),
  'GET /api/events/:id/registrations/me': op('getMyRegistration', 'registrations'),
  'DELETE /api/events/:id/registrations/me': op('cancelMyRegistration', 'registrations'),

  'GET /api/events/:id/lottery': op('getLotteryCommitment', 'lottery'),
  'POST /api/events/:id/draw': op('drawLottery', 'lottery'),
  'GET /api/events/:id/lottery/proof': op('getLotteryProof', 'lottery'),
  'GET /api/events/:id/pre-queue': op('getPreQueueCommitment', 'lottery'),
  'GET /api/events/:id/pre-queue/proof': op('getPreQueueProof', 'lottery'),

  'GET /api/events/:id/audit': op('getAuditLog', 'audit'),
  'GET /api/events/:id/audit/verify': op('verifyAuditLog', 'audit'),

  'POST /api/registrations/:id/checkout': op('startCheckout', 'payments'),
  'POST /api/registrations/:id/mark-paid': op('markRegistrationPaid', 'payments'),
  'POST /api/payments/stripe/webhook': op('receiveStripeWebhook', 'payments'),

  'POST /api/achievements': op('createAchievement', 'achievements'),
  'GET /api/achievements': op('listAchievements', 'achievements'),
  'GET /api/me/achievements': op('listMyAchievements', 'achievements'),
  'GET /api/me/streaks': op('getMyStreaks', 'achievements'),

  'GET /api/action-types': op('listActionTypes', 'scoring'),
  'POST /api/action-types': op('createActionType', 'scoring'),
  'PATCH /api/action-types/:id': op('updateActionType', 'scoring'),
  'POST /api/actions/complete': op('completeAction', 'scoring'),
  'GET /api/stats/home': op('getHomeStats', 'scoring'),

  'GET /api/leaderboards': op('listLeaderboards', 'leaderboards'),
  'POST /api/leaderboards': op('createLeaderboard', 'leaderboards'),
  'GET /api/leaderboards/:board': op('getLeaderboardPage', 'leaderboards'),
  'GET /api/leaderboards/:board/me': op('getMyLeaderboardRank', 'leaderboards'),
  'PUT /api/leaderboards/:board/scores/:userId': op('setLeaderboardScore', 'leaderboards'),
  'GET /api/leaderboards/:board/snapshots': op('listLeaderboardSnapshots', 'leaderboards'),
  'GET /api/me/scores': op('listMyScores', 'leaderboards'),

  'POST /api/polls': op('createPoll', 'polls'),
  'GET /api/polls/:id': op('getPoll', 'polls'),
  'POST /api/polls/:id/rankings': op('rankPollItems', 'polls'),
  'GET /api/polls/:id/results': op('getPollResults', 'polls'),

  'POST /api/products': op('createProduct', 'products'),
  'GET /api/products': op('listProducts', 'products'),
  'GET /api/products/popular-searches': op('listPopularSearches', 'products'),
  'POST /api/products/import': op('importProducts', 'products'),
  'GET /api/products/:id': op('getProduct', 'products'),
  'PATCH /api/products/:id': op('updateProduct', 'products'),
  'DELETE /api/products/:id': op('deleteProduct', 'products'),
  'GET /api/products/:id/views': op('getProductViews', 'products'),
  'POST /api/products/:id/views': op('countProductView', 'products'),

  'POST /api/rankings': op('rankCategory', 'rankings'),
  'GET /api/rankings/:category': op('getCategoryRanking', 'rankings'),
  'GET /api/rankings/:category/me': op('getMyCategoryRanking', 'rankings'),

  'GET /api/me/activity': op('listMyActivity', 'activity'),
  'POST /api/quizzes': op('createQuiz', 'trivia'),
  'GET /api/quizzes': op('listMyQuizzes', 'trivia'),
  'GET /api/quizzes/:id': op('getQuiz', 'trivia'),
  'PATCH /api/quizzes/:id': op('updateQuiz', 'trivia'),
  'DELETE /api/quizzes/:id': op('deleteQuiz', 'trivia'),
  'GET /api/quizzes/:id/export': op('exportQuiz', 'trivia'),
  'POST /api/quizzes/import': op('importQuiz', 'trivia'),
  'POST /api/games': op('createGame', 'trivia'),
  'GET /api/games/:id': op('getGame', 'trivia'),
  'POST /api/games/:pin/players': op('joinGame', 'trivia'),
  'POST /api/games/:id/start': op('startGame', 'trivia'),
  'POST /api/games/:id/next': op('nextQuestion', 'trivia'),
  'POST /api/games/:id/close': op('closeQuestion', 'trivia'),
  'POST /api/games/:id/pause': op('pauseGame', 'trivia'),
  'POST /api/games/:id/resume': op('resumeGame', 'trivia'),
  'POST /api/games/:id/end': op('endGame', 'trivia'),
  'GET /api/games/:id/state': op('getGameState', 'trivia'),
  'GET /api/games/pin/:pin': op('getGameByPin', 'trivia'),
  'GET /api/games/:id/screen': op('getGameScreen', 'trivia'),
  'POST /api/games/:id/answers': op('answerQuestion', 'trivia'),
};

export function operationKey(method: string, url: string): string {
  return `${method.toUpperCase()} ${url}`;
}
