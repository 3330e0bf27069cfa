// The decision clock's pause for "more information", in working time and in clock hours.
import { describe, expect, it } from 'vitest';
import { WorkingCalendar } from '../../../src/domain/calendar.ts';
import { decisionDue, pauseLength } from '../../../src/domain/rules.ts';
import { builtInProfile } from '../../../src/protocols/index.ts';

const manchester = builtInProfile('manchester');
const calendar = new WorkingCalendar(manchester.calendar);
const at = (iso: string) => new Date(iso);

describe('the decision clock paused for more information', () => {
  it('on a clock-hours limit (Manchester’s 24 hours) the hours it stood are added, nights and weekends included', () => {
    const route = manchester.routes.find((r) => r.decision.due?.unit === 'clock_hours');
    if (!route) throw new Error('Manchester has no route with a limit in clock hours');
    const submitted = at('2026-11-23T10:00:00Z');
    const plain = decisionDue(route, submitted, calendar);
    // Asked at 14:00, answered at 09:00 the next day: 19 hours stood still, so it is due 19 hours later.
    const paused = pauseLength(route, at('2026-11-23T14:00:00Z'), at('2026-11-24T09:00:00Z'), calendar);
    expect(paused).toBe(19 * 3600_000);
    expect(decisionDue(route, submitted, calendar, paused)?.getTime()).toBe(
      (plain as Date).getTime() + paused,
    );
  });

  it('on a limit in working days the working time it stood is added in working time', () => {
    const route = manchester.routes.find((r) => r.decision.due?.unit === 'working_days');
    if (!route) throw new Error('Manchester has no route with a limit in working days');
    // Paused over a weekend, from Friday 16:00 to Monday 10:00: two working hours stood still.
    const paused = pauseLength(route, at('2026-11-27T16:00:00Z'), at('2026-11-30T10:00:00Z'), calendar);
    expect(paused).toBe(2 * 3600_000);
    const plain = decisionDue(route, at('2026-11-26T10:00:00Z'), calendar) as Date;
    const moved = decisionDue(route, at('2026-11-26T10:00:00Z'), calendar, paused) as Date;
    // The due time is at the end of a working day, so the two hours run on from the next working morning.
    expect(calendar.workingMinutesBetween(plain, moved)).toBe(120);
    expect(calendar.localTime(moved)).toBe('11:00');
  });
});
