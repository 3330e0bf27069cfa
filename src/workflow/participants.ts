/**
 * Who a meeting invites: the route names kinds of participant (the sending worker, the allocated worker, the
 * managers...); this resolves them to directory people for a transfer. The family and practitioners outside the
 * directory are noted as invited and never messaged.
 */
import type { Directory, Person } from '../domain/directory.ts';
import type { MeetingRule, participantKinds, Route } from '../domain/profile.ts';
import type { Role } from '../domain/roles.ts';
import type { TransferRow } from './ports.ts';

export type ParticipantKind = (typeof participantKinds)[number];

export const participantLabels: Record<ParticipantKind, string> = {
  sending_worker: 'the sending worker',
  sending_manager: "the sending worker's manager",
  allocated_worker: 'the allocated worker',
  receiving_manager: 'the receiving manager',
  receiving_senior: 'the receiving senior practitioner',
  consultant_social_worker: 'the consultant social worker',
  lead_professional: 'the lead professional',
  universal_practitioners: 'universal services practitioners',
  family: 'the family (invited; not messaged)',
  former_early_help_practitioner: 'the former Early Help practitioner',
};

export interface Participant {
  kind: ParticipantKind;
  label: string;
  /** The directory people this participant is; empty when nobody in the directory fits (noted, not messaged). */
  people: Person[];
}

/** The first role in `roles` that someone in the team holds, and those people. */
function firstHolders(directory: Directory, teamId: string, roles: readonly Role[]): Person[] {
  for (const role of roles) {
    const found = directory.members(teamId, [role]);
    if (found.length) return found;
  }
  return [];
}

/**
 * The people the receiving team may allocate a request to: its own members, and those of the teams of the
 * route's onward services (`allocateTo`).
 */
export function allocatableWorkers(
  directory: Directory,
  route: Pick<Route, 'allocateTo'>,
  t: Pick<TransferRow, 'receivingTeamId'>,
): Person[] {
  const onward = new Set(route.allocateTo?.services ?? []);
  const teams = directory.teams.filter((x) => x.id === t.receivingTeamId || onward.has(x.service));
  return teams.flatMap((x) => directory.members(x.id));
}

/** The team that holds the case on the receiving side: the allocated worker's (an onward team), else the receiving team. */
export function receivingHolderTeam(
  directory: Directory,
  t: Pick<TransferRow, 'receivingTeamId' | 'allocation'>,
): string {
  const worker = t.allocation?.workerId ? directory.person(t.allocation.workerId) : undefined;
  return worker?.teamId ?? t.receivingTeamId;
}

/** The team that holds the case now: the sending team, or the receiving side's (see receivingHolderTeam). */
export function holderTeam(
  directory: Directory,
  t: Pick<TransferRow, 'holder' | 'sendingTeamId' | 'receivingTeamId' | 'allocation'>,
): string {
  return t.holder === 'receiving' ? receivingHolderTeam(directory, t) : t.sendingTeamId;
}

export function meetingParticipants(
  directory: Directory,
  t: Pick<TransferRow, 'requesterId' | 'sendingTeamId' | 'receivingTeamId' | 'allocation' | 'form'>,
  rule: Pick<MeetingRule, 'participants'>,
): Participant[] {
  const person = (id: string | undefined) => {
    const p = id ? directory.person(id) : undefined;
    return p ? [p] : [];
  };
  const byKind = (kind: ParticipantKind): Person[] => {
    switch (kind) {
      case 'sending_worker':
      case 'former_early_help_practitioner':
        return person(t.requesterId);
      case 'sending_manager':
        return firstHolders(directory, t.sendingTeamId, ['team_manager', 'senior', 'service_manager']);
      case 'allocated_worker':
        return person(t.allocation?.workerId);
      case 'receiving_manager':
        return firstHolders(directory, t.receivingTeamId, ['team_manager', 'service_manager']);
      case 'receiving_senior':
        return firstHolders(directory, t.receivingTeamId, ['senior', 'team_manager']);
      case 'consultant_social_worker':
        // The allocated social worker's unit (Hackney: in Children's Social Care, not the MASH that allocated).
        return firstHolders(directory, receivingHolderTeam(directory, t), ['senior', 'team_manager']);
      case 'lead_professional': {
        // The one the form names; else the person who made the request, who leads the plan it comes from (Halton's
        // MAP Navigator asking for a MAP step-up), never the worker it was allocated to (invited as that already).
        const email = t.form.lead_professional_email;
        const p = typeof email === 'string' ? directory.byEmail(email) : undefined;
        return p ? [p] : person(t.requesterId);
      }
      case 'universal_practitioners':
      case 'family':
        return [];
    }
  };
  return rule.participants.map((kind) => ({ kind, label: participantLabels[kind], people: byKind(kind) }));
}

/** Everyone to message about a meeting, once each. */
export function peopleToInvite(participants: readonly Participant[]): Person[] {
  return [...new Map(participants.flatMap((p) => p.people).map((p) => [p.id, p])).values()];
}

/** "the sending worker (Jo Bloggs), the allocated worker (not yet allocated), the family (invited; not messaged)". */
export function participantsText(participants: readonly Participant[]): string {
  return participants
    .map((p) => {
      if (p.kind === 'family' || p.kind === 'universal_practitioners') return p.label;
      return `${p.label} (${p.people.length ? p.people.map((x) => x.name).join(', ') : 'nobody in the directory yet'})`;
    })
    .join(', ');
}
