// Console roles, lowest first: read-only sees everything, operator also works tickets and devices,
// admin also manages enrolment, the prohibited list, merges, the desk catalog and console users.
// No zod here: the console bundle imports it.

export const ROLES = ['read-only', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` may do what needs `minimum`. */
export function hasRole(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}

/** Local accounts have an Outpost password; desk technicians sign in with their desk password. */
export type AccountSource = 'local' | 'desk';

export interface ConsoleSettings {
  /** Desk technicians (RT privileged users, SDP technicians) may sign in with their desk password. */
  deskSignIn: boolean;
  /** The most desk technicians with a console account; the next one is refused (E_SEAT_LIMIT). */
  seats: number;
  /** The role a technician gets at first sign-in. */
  technicianRole: Role;
}

export const DEFAULT_CONSOLE_SETTINGS: ConsoleSettings = { deskSignIn: false, seats: 5, technicianRole: 'operator' };
