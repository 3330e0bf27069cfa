// When the recurring digests fall due, from the profiles' data: Manchester's Thursday allocations meeting in each
// Early Help hub gets its agenda on the working day before; every council's overdue list goes at 09:00 on
// working days. Pure: no database (the workflow's store is never touched here).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { WorkingCalendar } from '../../src/domain/calendar.ts';
import { Directory, directoryFileSchema, directoryFromFile } from '../../src/domain/directory.ts';
import { demoDirectoryPath } from '../../src/protocols/directories/index.ts';
import { builtInProfile } from '../../src/protocols/index.ts';
import type { TransferStore } from '../../src/workflow/ports.ts';
import { nextAgenda, recurringTimers } from '../../src/workflow/sweep.ts';
import { TransferWorkflow } from '../../src/workflow/transfers.ts';

function workflow(name: 'manchester' | 'hackney') {
  const profile = builtInProfile(name);
  const { teams, people } = directoryFromFile(
    directoryFileSchema.parse(parseYaml(readFileSync(demoDirectoryPath(name), 'utf8'))),
  );
  return new TransferWorkflow({
    profile,
    calendar: new WorkingCalendar(profile.calendar),
    directory: new Directory(teams, people),
    store: {} as TransferStore,
  });
}

describe('digest schedules', () => {
  it('Manchester: each hub’s Thursday allocations meeting has its agenda due at 12:00 the working day before', () => {
    const w = workflow('manchester');
    const monday = new Date('2026-11-23T10:00:00Z');
    const agendas = recurringTimers(w, monday).filter((t) => t.key.startsWith('digest:agenda:'));
    const hubs = w.profile.schedules.flatMap((s) => w.directory.teamsProviding(s.service));
    expect(hubs.length).toBeGreaterThanOrEqual(3);
    expect(agendas.map((t) => t.key).sort()).toEqual(
      w.profile.schedules
        .flatMap((s) =>
          w.directory.teamsProviding(s.service).map((team) => `digest:agenda:${s.id}:${team.id}`),
        )
        .sort(),
    );
    for (const a of agendas) {
      expect(a.dueAt.toISOString()).toBe('2026-11-25T12:00:00.000Z');
      expect(a.payload.meetingDate).toBe('2026-11-26');
    }
  });

  it('Manchester: after Wednesday’s agenda the next is the following Wednesday; Christmas week’s goes on Wednesday 23 December', () => {
    const w = workflow('manchester');
    const [schedule] = w.profile.schedules;
    if (!schedule) throw new Error('no schedule');
    expect(nextAgenda(w, schedule, new Date('2026-11-25T12:00:00Z'))).toEqual({
      meetingDate: '2026-12-03',
      due: new Date('2026-12-02T12:00:00Z'),
    });
    // Christmas week 2026: Thursday 24 December is a working day; its agenda goes on Wednesday 23rd.
    expect(nextAgenda(w, schedule, new Date('2026-12-18T12:00:00Z'))).toEqual({
      meetingDate: '2026-12-24',
      due: new Date('2026-12-23T12:00:00Z'),
    });
  });

  it('Hackney: no standing meetings, so only the managers’ overdue list, at 09:00 on the next working day', () => {
    const w = workflow('hackney');
    const friday = new Date('2026-11-27T10:00:00Z');
    expect(recurringTimers(w, friday)).toEqual([
      {
        transferId: null,
        kind: 'digest',
        key: 'digest:overdue',
        dueAt: new Date('2026-11-30T09:00:00Z'),
        payload: { digest: 'overdue' },
      },
    ]);
  });
});
