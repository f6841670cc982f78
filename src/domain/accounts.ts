// Who may do what: the roles every feature and the HTTP guard reason about.

export const ROLES = ['player', 'organizer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting on a request: the user and their role. */
export interface Actor {
  id: string;
  role: Role;
  isGuest: boolean;
}

/** Who may run events, boards, polls and achievements. */
export const ORGANIZERS: readonly Role[] = ['organizer', 'admin'];
