import type { FieldError } from '../domain/form.ts';
import type { ProtocolProfile } from '../domain/profile.ts';

export type WorkflowErrorCode =
  | 'invalid'
  | 'not_found'
  | 'forbidden'
  | 'refused'
  | 'stale'
  | 'needs_confirmation'
  | 'emergency'
  | 'unknown_person';

/**
 * A refusal meant for a person: the message is shown as it is (never a stack trace), field errors go next to
 * their fields, and nothing has changed.
 */
export class WorkflowError extends Error {
  constructor(
    readonly code: WorkflowErrorCode,
    message: string,
    readonly fieldErrors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}

/** A significant-harm concern never goes through the bot: the council's phone route is shown instead. */
export class EmergencyRoute extends WorkflowError {
  constructor(readonly emergency: ProtocolProfile['emergency']) {
    const phones = emergency.phones.map((p) => `${p.label}: ${p.number}`).join('; ');
    super(
      'emergency',
      `${emergency.title}. ${emergency.text} ${phones}.${emergency.followUp ? ` ${emergency.followUp}` : ''}`,
    );
    this.name = 'EmergencyRoute';
  }
}

/** A request whose route the running profile lacks: made under another council's protocol, or an edited one. */
export function foreignRoute(profile: ProtocolProfile, routeId: string): string {
  return (
    `There is no route "${routeId}" in the ${profile.name}: this request was made under another protocol or an earlier ` +
    'version of this one. Start Stepwise with the protocol it was made under (STEPWISE_PROTOCOL) to work on it.'
  );
}
