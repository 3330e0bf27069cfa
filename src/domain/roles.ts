import { z } from 'zod';

/** The roles a directory person can hold (DESIGN.md, directory file). */
export const roles = [
  'practitioner',
  'senior',
  'team_manager',
  'service_manager',
  'head_of_service',
  'director',
  'admin',
] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Who may decide on a request when a route does not say: the receiving team's seniors and managers. */
export const defaultDeciders: Role[] = ['senior', 'team_manager', 'service_manager', 'head_of_service'];

export const roleLabels: Record<Role, string> = {
  practitioner: 'practitioner',
  senior: 'senior practitioner',
  team_manager: 'team manager',
  service_manager: 'service manager',
  head_of_service: 'head of service',
  director: 'director',
  admin: 'administrator',
};
