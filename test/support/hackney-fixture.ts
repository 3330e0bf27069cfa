/**
 * A small Hackney directory and workflow over a fresh database, for integration tests. Times are fixed
 * instants: Monday 23 November 2026 is a working day in London (UTC+0 in winter).
 */
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import { Directory, directoryFileSchema, directoryFromFile } from '../../src/domain/directory.ts';
import type { ProtocolProfile } from '../../src/domain/profile.ts';
import { builtInProfile } from '../../src/protocols/index.ts';
import type { Database } from '../../src/store/database.ts';
import { PrismaTransferStore } from '../../src/store/transfer-store.ts';
import type { StartInput } from '../../src/workflow/commands.ts';
import { TransferWorkflow } from '../../src/workflow/transfers.ts';

export const monday = new Date('2026-11-23T10:00:00Z');
export const at = (iso: string) => new Date(iso);

export const hackneyDirectory = directoryFromFile(
  directoryFileSchema.parse({
    teams: [
      { id: 'school', service: 'universal', name: 'Hackney Primary School' },
      { id: 'hub', service: 'early-help-hub', name: 'Early Help Hub' },
      { id: 'tehs', service: 'targeted-early-help', name: 'Targeted Early Help' },
      { id: 'mash', service: 'mash', name: 'MASH', slack_channel: 'C0MASH00' },
      { id: 'csc', service: 'csc', name: "Children's Social Care" },
    ],
    people: [
      {
        id: 'tess',
        name: 'Tess Teacher',
        team: 'school',
        roles: ['practitioner'],
        email: 'tess@example.gov.uk',
      },
      { id: 'eve', name: 'Eve Early', team: 'tehs', roles: ['practitioner'], email: 'eve@example.gov.uk' },
      { id: 'ella', name: 'Ella Lead', team: 'tehs', roles: ['team_manager'], email: 'ella@example.gov.uk' },
      { id: 'mo', name: 'Mo Manager', team: 'mash', roles: ['team_manager'], email: 'mo@example.gov.uk' },
      { id: 'max', name: 'Max Manager', team: 'mash', roles: ['team_manager'], email: 'max@example.gov.uk' },
      { id: 'mia', name: 'Mia Worker', team: 'mash', roles: ['practitioner'], email: 'mia@example.gov.uk' },
      { id: 'hana', name: 'Hana Hub', team: 'hub', roles: ['team_manager'], email: 'hana@example.gov.uk' },
      { id: 'sol', name: 'Sol Social', team: 'csc', roles: ['practitioner'], email: 'sol@example.gov.uk' },
      {
        id: 'hos-eh',
        name: 'Harriet Head',
        team: 'tehs',
        roles: ['head_of_service'],
        email: 'harriet@example.gov.uk',
      },
      {
        id: 'hos-mash',
        name: 'Hugo Head',
        team: 'mash',
        roles: ['head_of_service'],
        email: 'hugo@example.gov.uk',
      },
      { id: 'dir', name: 'Dana Director', team: 'csc', roles: ['director'], email: 'dana@example.gov.uk' },
    ],
  }),
);

export async function hackneyWorkflow(
  db: Database,
  profile: ProtocolProfile = builtInProfile('hackney'),
): Promise<{ workflow: TransferWorkflow; store: PrismaTransferStore }> {
  const calendar = new WorkingCalendar(profile.calendar);
  const { teams, people } = hackneyDirectory;
  await db.prisma.team.createMany({ data: teams });
  await db.prisma.person.createMany({ data: people });
  const store = new PrismaTransferStore(db.prisma);
  return {
    workflow: new TransferWorkflow({ profile, calendar, directory: new Directory(teams, people), store }),
    store,
  };
}

/** Eve (targeted Early Help) asks MASH for statutory support, with the family's consent. */
export function stepUpToMash(overrides: Partial<StartInput> = {}): StartInput {
  return {
    actor: { personId: 'eve', surface: 'local' },
    routeId: 'to-statutory',
    form: {
      child_name: 'Amy Jane Smith',
      child_dob: '2016-03-14',
      child_ref: 'LCS-100234',
      needs_and_concerns: 'Needs have risen because the support plan has not reduced the risks at home.',
      support_requested: 'A child in need assessment.',
    },
    consent: { status: 'given', givenBy: 'Mother', givenOn: '2026-11-20', lawfulBasis: 'consent' },
    ...overrides,
  };
}

/** Sol (Children's Social Care) steps a case down to the Early Help Hub. */
export function stepDownToHub(overrides: Partial<StartInput> = {}): StartInput {
  return {
    actor: { personId: 'sol', surface: 'local' },
    routeId: 'statutory-to-early-help',
    form: {
      child_name: 'Amy Jane Smith',
      child_dob: '2016-03-14',
      child_ref: 'LCS-100234',
      reason_for_early_help: 'The statutory plan has met its goals; the family wants continued support.',
      current_plan: 'School, health visitor and the family support worker meet monthly.',
    },
    consent: { status: 'given', givenBy: 'Mother', givenOn: '2026-11-20', lawfulBasis: 'consent' },
    ...overrides,
  };
}
