/**
 * Sample data for the card tests: every route of the five built-in profiles, with the demo directories' teams and
 * people, transfers in every state, their meetings and disputes. The child and the narrative are made up, and
 * known, so the data-protection test can look for them in everything sent to a channel.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { WorkingCalendar } from '../../../src/domain/calendar.ts';
import {
  Directory,
  directoryFileSchema,
  directoryFromFile,
  type Person,
} from '../../../src/domain/directory.ts';
import { ageBand, ageInYears, type FormValues, initials } from '../../../src/domain/form.ts';
import type { TransferState } from '../../../src/domain/lifecycle.ts';
import type { ProtocolProfile, Route } from '../../../src/domain/profile.ts';
import { defaultDeciders } from '../../../src/domain/roles.ts';
import { demoDirectoryPath } from '../../../src/protocols/directories/index.ts';
import { builtInProfile, type ProfileName, profileNames } from '../../../src/protocols/index.ts';
import type { DisputeRow, Flag, MeetingRow, TransferRow } from '../../../src/workflow/ports.ts';

/** Tuesday 24 November 2026, 10:00 in London (UTC+0 in winter). */
export const now = new Date('2026-11-24T10:00:00Z');
const hourAgo = new Date(now.getTime() - 3_600_000);

/** What must never reach a channel. */
export const secrets = {
  childName: 'Amelia Jane Thornbury',
  childDob: '2015-03-14',
  childRef: 'MIC-448812',
  address: '14 Larkspur Close, Didsbury M20 4QT',
  narrative: 'Mother reports the heating has been cut off since November and the children sleep in coats.',
  question: 'Has the school nurse seen Amelia about the bruising on her arm?',
  note: 'Aunt in Stockport may offer respite at weekends.',
};
/** Every string the data-protection test looks for (parts too: a surname alone is still the child's name). */
export const secretStrings = [
  secrets.childName,
  'Thornbury',
  'Amelia',
  secrets.childDob,
  '14/03/2015',
  secrets.childRef,
  secrets.address,
  'Larkspur',
  secrets.narrative,
  'heating has been cut off',
  secrets.question,
  'bruising',
  secrets.note,
  'Stockport',
];

export interface Council {
  name: ProfileName;
  profile: ProtocolProfile;
  directory: Directory;
  calendar: WorkingCalendar;
}

const councils = new Map<ProfileName, Council>();

export function council(name: ProfileName): Council {
  let c = councils.get(name);
  if (!c) {
    const profile = builtInProfile(name);
    const file = directoryFileSchema.parse(parseYaml(readFileSync(demoDirectoryPath(name), 'utf8')));
    const { teams, people } = directoryFromFile(file);
    c = {
      name,
      profile,
      directory: new Directory(teams, people),
      calendar: new WorkingCalendar(profile.calendar),
    };
    councils.set(name, c);
  }
  return c;
}

export const allRoutes = profileNames.flatMap((name) =>
  council(name).profile.routes.map((route) => ({ name, route, label: `${name} ${route.id}` })),
);

/** A form as a practitioner might fill it, full of the secrets above. */
export function sampleForm(route: Route): FormValues {
  const values: FormValues = {
    child_name: secrets.childName,
    child_dob: secrets.childDob,
    child_ref: secrets.childRef,
    child_age: ageInYears(secrets.childDob, '2026-11-24'),
  };
  for (const f of route.fields) {
    switch (f.type) {
      case 'text':
        values[f.id] = /address|contact/.test(f.id)
          ? secrets.address
          : `${secrets.note} ${f.label}`.slice(0, 300);
        break;
      case 'textarea':
        values[f.id] = /address/.test(f.id) ? secrets.address : `${secrets.narrative} ${secrets.address}.`;
        break;
      case 'email':
        values[f.id] = 'lead.professional@example.gov.uk';
        break;
      case 'date':
        values[f.id] = '2026-12-03';
        break;
      case 'datetime':
        values[f.id] = '2026-12-03T10:30:00.000Z';
        break;
      case 'number':
        values[f.id] = 3;
        break;
      case 'boolean':
        values[f.id] = !/concern|significant_harm/.test(f.id);
        break;
      case 'select':
        values[f.id] = f.options?.[0]?.value ?? '';
        break;
      case 'multiselect':
        values[f.id] = (f.options ?? []).slice(0, 2).map((o) => o.value);
        break;
    }
  }
  return values;
}

export function sendingTeamOf(c: Council, route: Route) {
  const team = c.directory.teams.find((t) => route.from.services.includes(t.service));
  if (!team) throw new Error(`${c.name} ${route.id}: no demo team sends on this route`);
  return team;
}

export function receivingTeamOf(c: Council, route: Route) {
  const services = [route.to.service, ...route.receiveVia.map((v) => v.service)];
  for (const s of services) {
    const team = c.directory.teamsProviding(s)[0];
    if (team) return team;
  }
  throw new Error(`${c.name} ${route.id}: no demo team receives on this route`);
}

export function requesterOf(c: Council, route: Route): Person {
  const members = c.directory.members(sendingTeamOf(c, route).id);
  const p = members.find((m) => m.roles.includes('practitioner')) ?? members[0];
  if (!p) throw new Error(`${c.name} ${route.id}: the sending team has nobody`);
  return p;
}

export function deciderOf(c: Council, route: Route, team = receivingTeamOf(c, route)): Person {
  const p = c.directory.members(team.id, route.decision.deciders ?? defaultDeciders)[0];
  if (!p) throw new Error(`${c.name} ${route.id}: the receiving team has no decider`);
  return p;
}

export function ladderOf(c: Council, route: Route) {
  const ladder = c.profile.ladders.find((l) => l.id === (route.ladder ?? c.profile.defaultLadder));
  if (!ladder) throw new Error(`${c.name} ${route.id}: no ladder`);
  return ladder;
}

export const cardStates: TransferState[] = [
  'draft',
  'submitted',
  'more_info_requested',
  'resubmitted',
  'accepted',
  'allocated',
  'handover_scheduled',
  'handover_done',
  'declined',
  'advice_only',
  'disputed',
  'escalated',
  'resolved',
  'withdrawn',
  'closed',
];

const flags: Flag[] = [
  { kind: 'vague_word', message: 'Concerns: "worried" - say exactly why.' },
  { kind: 'warning', message: 'The family has not been told yet.' },
];

/** A transfer on this route in this state, with the records that state implies. */
export function sampleTransfer(
  c: Council,
  route: Route,
  state: TransferState,
  overrides: Partial<TransferRow> = {},
) {
  const sending = sendingTeamOf(c, route);
  const receiving = receivingTeamOf(c, route);
  const decider = deciderOf(c, route, receiving);
  const worker = c.directory.members(receiving.id).find((p) => p.roles.includes('practitioner'));
  const at = hourAgo.toISOString();
  const declinedStates: TransferState[] = ['declined', 'disputed', 'escalated'];
  const acceptedStates: TransferState[] = [
    'accepted',
    'allocated',
    'handover_scheduled',
    'handover_done',
    'closed',
  ];
  const decision: TransferRow['decision'] =
    state === 'more_info_requested'
      ? { action: 'request_info', byId: decider.id, at, text: secrets.question }
      : declinedStates.includes(state)
        ? { action: 'decline', byId: decider.id, at, reason: 'other', text: secrets.narrative }
        : state === 'advice_only'
          ? { action: 'advice_only', byId: decider.id, at, text: secrets.narrative }
          : acceptedStates.includes(state) || state === 'resolved'
            ? { action: 'accept', byId: decider.id, at, text: secrets.note }
            : null;
  const allocated: TransferState[] = ['allocated', 'handover_scheduled', 'handover_done', 'closed'];
  const allocation: TransferRow['allocation'] = allocated.includes(state)
    ? worker
      ? { byId: decider.id, at, workerId: worker.id, note: secrets.note }
      : { byId: decider.id, at, service: 'Family Support Service', note: secrets.note }
    : null;
  const form = sampleForm(route);
  const row: TransferRow = {
    id: `t-${c.name}-${route.id}-${state}`,
    number: 12,
    ref: 'SW-000012',
    profileId: c.profile.id,
    routeId: route.id,
    kind: route.kind,
    fromLevel: route.from.levels[route.from.levels.length - 1] as string,
    toLevel: route.to.levels[0] as string,
    sendingTeamId: sending.id,
    receivingTeamId: receiving.id,
    requesterId: requesterOf(c, route).id,
    state,
    version: 4,
    holder: decision?.action === 'accept' ? 'receiving' : 'sending',
    childKey: 'k'.repeat(64),
    childInitials: initials(secrets.childName),
    childAgeBand: ageBand(Number(form.child_age)),
    form,
    consent: {
      status: 'given',
      givenBy: 'Mother (Jane Thornbury)',
      givenOn: '2026-11-20',
      lawfulBasis: 'consent',
    },
    flags,
    decision,
    allocation,
    pausedAt: state === 'more_info_requested' ? hourAgo : null,
    pausedMs: 0,
    createdAt: hourAgo,
    submittedAt: state === 'draft' ? null : hourAgo,
    updatedAt: hourAgo,
    closedAt: state === 'closed' || state === 'withdrawn' ? hourAgo : null,
    ...overrides,
  };
  return row;
}

/** The route's meetings for a transfer, in one status. */
export function sampleMeetings(
  c: Council,
  route: Route,
  t: TransferRow,
  status: MeetingRow['status'],
): MeetingRow[] {
  return route.meetings.map((m, i) => ({
    id: `m-${t.id}-${m.id}`,
    transferId: t.id,
    meetingKey: m.id,
    label: m.label,
    status: m.optional && status === 'required' ? 'optional' : status,
    dueBy: m.within
      ? c.calendar.due(now, { amount: Math.max(m.within.amount, 1), unit: m.within.unit })
      : null,
    scheduledAt:
      status === 'scheduled' || status === 'held' || status === 'proposed'
        ? c.calendar.at('2026-12-01', `1${i}:00`)
        : null,
    proposedById: status === 'proposed' ? t.requesterId : null,
    sequence: 0,
    outcome:
      status === 'held'
        ? { outcome: 'held', result: m.outcomes?.[0]?.id ?? null, reason: null, at: now.toISOString() }
        : status === 'not_held'
          ? { outcome: 'not_held', result: null, reason: secrets.narrative, at: now.toISOString() }
          : null,
  }));
}

/** A dispute at a stage of the route's ladder, open or resolved. */
export function sampleDispute(
  c: Council,
  route: Route,
  t: TransferRow,
  stageIndex: number,
  resolved?: 'upheld' | 'overturned',
): DisputeRow {
  const ladder = ladderOf(c, route);
  // "Escalated" is one rung up where there is one (Manchester's non-progressed assessment has one rung only).
  stageIndex = Math.min(stageIndex, ladder.stages.length - 1);
  const stage = ladder.stages[stageIndex];
  if (!stage) throw new Error(`no stage ${stageIndex}`);
  return {
    id: `d-${t.id}`,
    transferId: t.id,
    openedById: t.requesterId,
    about: 'decision',
    reason: `${secrets.narrative} ${secrets.childName} needs more than universal support.`,
    ladder: structuredClone(ladder) as DisputeRow['ladder'],
    stageIndex,
    stageDueAt: resolved ? null : c.calendar.due(now, stage.timeLimit),
    status: resolved ? 'resolved' : 'open',
    resolution: resolved
      ? {
          outcome: resolved,
          rationale: secrets.narrative,
          byId: deciderOf(c, route).id,
          at: now.toISOString(),
        }
      : null,
    createdAt: hourAgo,
    resolvedAt: resolved ? now : null,
  };
}
