import { describe, expect, it } from 'vitest';
import {
  type CalendarConfig,
  calendarConfigSchema,
  type DurationUnit,
  durationUnits,
  parseCalendarConfig,
  WorkingCalendar,
} from '../../src/domain/calendar.ts';

const defaults = (): CalendarConfig => calendarConfigSchema.parse({});
const cal = new WorkingCalendar(defaults());

/** A fixed instant from an ISO string with an explicit offset. */
const t = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();

describe('calendarConfigSchema', () => {
  it('fills in the defaults', () => {
    expect(calendarConfigSchema.parse({})).toEqual({
      timeZone: 'Europe/London',
      workingDays: [1, 2, 3, 4, 5],
      workingHours: { start: '09:00', end: '17:00' },
      bankHolidays: { country: 'GB', region: 'ENG' },
      extraClosures: [],
    });
  });

  it('lists the duration units', () => {
    expect(durationUnits).toEqual([
      'working_days',
      'working_hours',
      'clock_hours',
      'calendar_days',
      'weeks',
      'calendar_months',
    ]);
  });

  it('rejects bad settings with readable messages', () => {
    expect(() => parseCalendarConfig({ timeZone: 'Mars/Olympus_Mons' })).toThrow(/IANA time zone/);
    expect(() => parseCalendarConfig({ workingHours: { start: '17:00', end: '09:00' } })).toThrow(
      /start before they end/,
    );
    expect(() => parseCalendarConfig({ workingHours: { start: '9am', end: '17:00' } })).toThrow(/HH:MM/);
    expect(() => parseCalendarConfig({ extraClosures: ['24/12/2026'] })).toThrow(/YYYY-MM-DD/);
    expect(() => parseCalendarConfig({ extraClosures: ['2026-02-30'] })).toThrow(/YYYY-MM-DD/);
    expect(() => parseCalendarConfig({ workingDays: [] })).toThrow(/at least one working day/);
    expect(() => parseCalendarConfig({ workingDays: [0, 8] })).toThrow();
  });

  it('rejects an invalid time zone in the constructor', () => {
    expect(() => new WorkingCalendar({ ...defaults(), timeZone: 'Europe/Atlantis' })).toThrow(/time zone/);
  });

  it('rejects an unknown bank-holiday country or region', () => {
    expect(() => new WorkingCalendar({ ...defaults(), bankHolidays: { country: 'ZZ' } })).toThrow(
      /Unknown bank-holiday country "ZZ"/,
    );
    expect(
      () => new WorkingCalendar({ ...defaults(), bankHolidays: { country: 'GB', region: 'XYZ' } }),
    ).toThrow(/Unknown bank-holiday region "XYZ".*ENG/);
  });
});

describe('bank holidays (England and Wales, as gov.uk lists them)', () => {
  it('2025', () => {
    expect(cal.bankHolidays(2025)).toEqual([
      '2025-01-01',
      '2025-04-18',
      '2025-04-21',
      '2025-05-05',
      '2025-05-26',
      '2025-08-25',
      '2025-12-25',
      '2025-12-26',
    ]);
  });

  it('2026, with Boxing Day on a Saturday moved to Monday 28 December', () => {
    expect(cal.bankHolidays(2026)).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
  });

  it('2027, with Christmas and Boxing Day at the weekend moved to 27 and 28 December', () => {
    expect(cal.bankHolidays(2027)).toEqual([
      '2027-01-01',
      '2027-03-26',
      '2027-03-29',
      '2027-05-03',
      '2027-05-31',
      '2027-08-30',
      '2027-12-27',
      '2027-12-28',
    ]);
  });

  it('2022, with the jubilee, the state funeral and the New Year substitute', () => {
    expect(cal.bankHolidays(2022)).toEqual([
      '2022-01-03',
      '2022-04-15',
      '2022-04-18',
      '2022-05-02',
      '2022-06-02',
      '2022-06-03',
      '2022-08-29',
      '2022-09-19',
      '2022-12-26',
      '2022-12-27',
    ]);
  });

  it('does not shift summer bank holidays to the previous day', () => {
    expect(cal.isClosure('2026-08-31')).toBe(true);
    expect(cal.isClosure('2026-08-30')).toBe(false);
    expect(cal.isWorkingDay('2026-08-31')).toBe(false);
    expect(cal.isWorkingDay('2026-08-28')).toBe(true);
    expect(cal.isWorkingDay('2026-09-01')).toBe(true);
    expect(cal.isClosure('2026-05-25')).toBe(true);
    expect(cal.isClosure('2026-05-24')).toBe(false);
  });

  it('can be switched off', () => {
    const noHolidays = new WorkingCalendar({ ...defaults(), bankHolidays: null });
    expect(noHolidays.bankHolidays(2026)).toEqual([]);
    expect(noHolidays.isWorkingDay('2026-04-03')).toBe(true);
  });

  it('returns a copy that callers cannot use to change the calendar', () => {
    const list = cal.bankHolidays(2026);
    list.push('2026-03-02');
    expect(cal.isClosure('2026-03-02')).toBe(false);
  });
});

describe('local dates and times', () => {
  it('reads the local date and time in the calendar zone', () => {
    expect(cal.localDate(t('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(cal.localTime(t('2026-06-30T23:30:00Z'))).toBe('00:30');
    expect(cal.localDate(t('2026-01-15T23:30:00Z'))).toBe('2026-01-15');
    expect(cal.localTime(t('2026-01-15T23:30:00Z'))).toBe('23:30');
  });

  it('turns a wall-clock time into the right instant either side of the clock changes', () => {
    expect(iso(cal.at('2026-03-28', '10:00'))).toBe('2026-03-28T10:00:00.000Z');
    expect(iso(cal.at('2026-03-29', '10:00'))).toBe('2026-03-29T09:00:00.000Z');
    expect(iso(cal.at('2026-10-24', '10:00'))).toBe('2026-10-24T09:00:00.000Z');
    expect(iso(cal.at('2026-10-25', '10:00'))).toBe('2026-10-25T10:00:00.000Z');
  });

  it('knows working days and working time', () => {
    expect(cal.isWorkingDay('2026-03-02')).toBe(true); // Monday
    expect(cal.isWorkingDay('2026-03-07')).toBe(false); // Saturday
    expect(cal.isWorkingDay('2026-03-08')).toBe(false); // Sunday
    expect(cal.isWorkingTime(t('2026-03-02T08:59:00Z'))).toBe(false);
    expect(cal.isWorkingTime(t('2026-03-02T09:00:00Z'))).toBe(true);
    expect(cal.isWorkingTime(t('2026-03-02T16:59:00Z'))).toBe(true);
    expect(cal.isWorkingTime(t('2026-03-02T17:00:00Z'))).toBe(false);
    expect(cal.isWorkingTime(t('2026-03-07T11:00:00Z'))).toBe(false);
    // 09:30 BST on Good Friday
    expect(cal.isWorkingTime(t('2026-04-03T08:30:00Z'))).toBe(false);
    // 09:30 BST on an ordinary summer Tuesday (08:30 UTC)
    expect(cal.isWorkingTime(t('2026-07-07T08:30:00Z'))).toBe(true);
  });

  it('finds the next working start', () => {
    // in working time: the instant itself
    expect(iso(cal.nextWorkingStart(t('2026-03-02T10:15:00Z')))).toBe('2026-03-02T10:15:00.000Z');
    // before hours
    expect(iso(cal.nextWorkingStart(t('2026-03-02T07:00:00Z')))).toBe('2026-03-02T09:00:00.000Z');
    // Friday evening -> Monday
    expect(iso(cal.nextWorkingStart(t('2026-03-06T18:00:00Z')))).toBe('2026-03-09T09:00:00.000Z');
    // Thursday before Easter, after hours -> Tuesday 09:00 BST
    expect(iso(cal.nextWorkingStart(t('2026-04-02T17:00:00+01:00')))).toBe('2026-04-07T08:00:00.000Z');
  });
});

describe('addWorkingDays', () => {
  it('counts forwards and backwards over weekends and bank holidays', () => {
    expect(cal.addWorkingDays('2026-03-05', 2)).toBe('2026-03-09');
    expect(cal.addWorkingDays('2026-04-02', 1)).toBe('2026-04-07');
    expect(cal.addWorkingDays('2026-04-07', -1)).toBe('2026-04-02');
    expect(cal.addWorkingDays('2026-03-09', -1)).toBe('2026-03-06');
    expect(cal.addWorkingDays('2026-03-07', 1)).toBe('2026-03-09');
  });

  it('returns the date unchanged for 0', () => {
    expect(cal.addWorkingDays('2026-04-04', 0)).toBe('2026-04-04');
  });

  it('rejects fractions and bad dates', () => {
    expect(() => cal.addWorkingDays('2026-03-02', 1.5)).toThrow(/whole number/);
    expect(() => cal.addWorkingDays('2 March 2026', 1)).toThrow(/YYYY-MM-DD/);
  });
});

describe('due: working days', () => {
  const due = (anchor: string, amount: number) => iso(cal.due(t(anchor), { amount, unit: 'working_days' }));

  it('Monday 10:00 + 5 working days is the following Monday 17:00', () => {
    expect(due('2026-03-02T10:00:00Z', 5)).toBe('2026-03-09T17:00:00.000Z');
  });

  it('goes over a weekend', () => {
    expect(due('2026-03-05T10:00:00Z', 2)).toBe('2026-03-09T17:00:00.000Z');
  });

  it('moves a day further for a bank holiday in between', () => {
    // Monday 18 May 2026 + 5: Monday 25 May is the spring bank holiday -> Tuesday 26 May 17:00 BST
    expect(due('2026-05-18T10:00:00+01:00', 5)).toBe('2026-05-26T16:00:00.000Z');
  });

  it('goes over Easter', () => {
    // Wednesday 1 April 2026 + 2: Thu 2 (1), Good Friday, weekend, Easter Monday, Tue 7 (2)
    expect(due('2026-04-01T10:00:00+01:00', 2)).toBe('2026-04-07T16:00:00.000Z');
  });

  it('goes over Christmas and New Year', () => {
    // Thursday 24 Dec 2026: 25 Dec and 28 Dec are bank holidays
    expect(due('2026-12-24T10:00:00Z', 3)).toBe('2026-12-31T17:00:00.000Z');
    // and 1 Jan 2027 (Friday) is one too
    expect(due('2026-12-24T10:00:00Z', 4)).toBe('2027-01-04T17:00:00.000Z');
  });

  it('n = 0 is the end of the same working day', () => {
    expect(due('2026-03-02T10:00:00Z', 0)).toBe('2026-03-02T17:00:00.000Z');
    expect(due('2026-03-02T07:00:00Z', 0)).toBe('2026-03-02T17:00:00.000Z');
  });

  it('an anchor out of hours starts from the next working day', () => {
    expect(due('2026-03-06T18:00:00Z', 0)).toBe('2026-03-09T17:00:00.000Z'); // Friday evening
    expect(due('2026-03-06T18:00:00Z', 1)).toBe('2026-03-10T17:00:00.000Z');
    expect(due('2026-03-07T11:00:00Z', 0)).toBe('2026-03-09T17:00:00.000Z'); // Saturday
    expect(due('2026-03-02T17:00:00Z', 0)).toBe('2026-03-03T17:00:00.000Z'); // exactly at the end
    expect(due('2026-04-03T10:00:00+01:00', 0)).toBe('2026-04-07T16:00:00.000Z'); // Good Friday
  });

  it('negative n is the start of the working day that many working days before', () => {
    // meeting Thursday 12 March 2026: papers 2 working days before = Tuesday 09:00
    expect(due('2026-03-12T10:00:00Z', -2)).toBe('2026-03-10T09:00:00.000Z');
    // meeting Monday: 1 working day before = Friday 09:00
    expect(due('2026-03-09T10:00:00Z', -1)).toBe('2026-03-06T09:00:00.000Z');
    // meeting Tuesday after Easter: Thursday 2 (1), Wednesday 1 April (2), 09:00 BST
    expect(due('2026-04-07T10:00:00+01:00', -2)).toBe('2026-04-01T08:00:00.000Z');
  });

  it('respects custom working days', () => {
    const fourDay = new WorkingCalendar({ ...defaults(), workingDays: [1, 2, 3, 4] });
    expect(iso(fourDay.due(t('2026-03-05T10:00:00Z'), { amount: 1, unit: 'working_days' }))).toBe(
      '2026-03-09T17:00:00.000Z',
    );
  });
});

describe('due: working hours', () => {
  const due = (anchor: string, amount: number) => iso(cal.due(t(anchor), { amount, unit: 'working_hours' }));

  it('carries over into the next day', () => {
    expect(due('2026-03-02T16:00:00Z', 2)).toBe('2026-03-03T10:00:00.000Z');
  });

  it('carries over a weekend and a bank holiday', () => {
    // Thursday 2 April 16:00 BST + 2: Good Friday, weekend and Easter Monday skipped -> Tuesday 10:00 BST
    expect(due('2026-04-02T16:00:00+01:00', 2)).toBe('2026-04-07T09:00:00.000Z');
    expect(due('2026-03-06T16:30:00Z', 1)).toBe('2026-03-09T09:30:00.000Z');
  });

  it('starts from the next working start when out of hours', () => {
    expect(due('2026-03-07T11:00:00Z', 1)).toBe('2026-03-09T10:00:00.000Z');
    expect(due('2026-03-07T11:00:00Z', 0)).toBe('2026-03-09T09:00:00.000Z');
  });

  it('handles fractions and a full day', () => {
    expect(due('2026-03-02T09:00:00Z', 1.5)).toBe('2026-03-02T10:30:00.000Z');
    expect(due('2026-03-02T09:00:00Z', 8)).toBe('2026-03-02T17:00:00.000Z');
    expect(due('2026-03-02T09:00:00Z', 16)).toBe('2026-03-03T17:00:00.000Z');
  });

  it('counts backwards through working time', () => {
    expect(due('2026-03-03T10:00:00Z', -2)).toBe('2026-03-02T16:00:00.000Z');
    expect(due('2026-04-07T10:00:00+01:00', -2)).toBe('2026-04-02T15:00:00.000Z');
    // from a weekend: back from Friday 17:00
    expect(due('2026-03-07T11:00:00Z', -1)).toBe('2026-03-06T16:00:00.000Z');
  });
});

describe('due: clock and calendar units', () => {
  it('clock hours are exact, ignoring the calendar and the clock change', () => {
    expect(iso(cal.due(t('2026-03-28T12:00:00Z'), { amount: 24, unit: 'clock_hours' }))).toBe(
      '2026-03-29T12:00:00.000Z',
    );
    expect(iso(cal.due(t('2026-03-07T23:00:00Z'), { amount: 1.5, unit: 'clock_hours' }))).toBe(
      '2026-03-08T00:30:00.000Z',
    );
    expect(iso(cal.due(t('2026-03-07T23:00:00Z'), { amount: -2, unit: 'clock_hours' }))).toBe(
      '2026-03-07T21:00:00.000Z',
    );
  });

  it('calendar days keep the wall-clock time across the change to BST (last Sunday in March)', () => {
    const anchor = t('2026-03-28T10:00:00Z'); // Saturday 10:00 GMT
    const result = cal.due(anchor, { amount: 1, unit: 'calendar_days' });
    expect(iso(result)).toBe('2026-03-29T09:00:00.000Z');
    expect(cal.localTime(result)).toBe('10:00');
  });

  it('calendar days keep the wall-clock time across the change back to GMT (last Sunday in October)', () => {
    const anchor = t('2026-10-23T10:00:00+01:00'); // Friday 10:00 BST
    const result = cal.due(anchor, { amount: 3, unit: 'calendar_days' });
    expect(iso(result)).toBe('2026-10-26T10:00:00.000Z');
    expect(cal.localTime(result)).toBe('10:00');
    expect(iso(cal.due(result, { amount: -3, unit: 'calendar_days' }))).toBe(iso(anchor));
  });

  it('weeks are 7 calendar days', () => {
    expect(iso(cal.due(t('2026-03-25T10:00:00Z'), { amount: 1, unit: 'weeks' }))).toBe(
      '2026-04-01T09:00:00.000Z',
    );
    expect(iso(cal.due(t('2026-03-02T10:00:00Z'), { amount: 2, unit: 'weeks' }))).toBe(
      '2026-03-16T10:00:00.000Z',
    );
  });

  it('calendar months clamp the day', () => {
    expect(iso(cal.due(t('2026-01-31T10:00:00Z'), { amount: 1, unit: 'calendar_months' }))).toBe(
      '2026-02-28T10:00:00.000Z',
    );
    expect(iso(cal.due(t('2028-01-31T10:00:00Z'), { amount: 1, unit: 'calendar_months' }))).toBe(
      '2028-02-29T10:00:00.000Z',
    );
    expect(iso(cal.due(t('2026-03-31T10:00:00+01:00'), { amount: -1, unit: 'calendar_months' }))).toBe(
      '2026-02-28T10:00:00.000Z',
    );
    // and keep the wall-clock time across the clock change
    expect(iso(cal.due(t('2026-03-15T10:00:00Z'), { amount: 1, unit: 'calendar_months' }))).toBe(
      '2026-04-15T09:00:00.000Z',
    );
  });
});

describe('extra closures', () => {
  it('come from the config', () => {
    const council = new WorkingCalendar({ ...defaults(), extraClosures: ['2026-03-10'] });
    expect(council.isClosure('2026-03-10')).toBe(true);
    expect(council.isWorkingDay('2026-03-10')).toBe(false);
    expect(iso(council.due(t('2026-03-09T10:00:00Z'), { amount: 1, unit: 'working_days' }))).toBe(
      '2026-03-11T17:00:00.000Z',
    );
  });

  it('come from the constructor option, added to the config ones', () => {
    const council = new WorkingCalendar(
      { ...defaults(), extraClosures: ['2026-03-10'] },
      { extraClosures: ['2026-03-11'] },
    );
    expect(council.isClosure('2026-03-10')).toBe(true);
    expect(council.isClosure('2026-03-11')).toBe(true);
    expect(iso(council.due(t('2026-03-09T10:00:00Z'), { amount: 1, unit: 'working_days' }))).toBe(
      '2026-03-12T17:00:00.000Z',
    );
    // the shared default calendar is unaffected
    expect(cal.isClosure('2026-03-11')).toBe(false);
  });

  it('reject malformed dates in the constructor option', () => {
    expect(() => new WorkingCalendar(defaults(), { extraClosures: ['2026-3-11'] })).toThrow(/YYYY-MM-DD/);
  });
});

describe('nextWeekday', () => {
  it('finds the next Thursday', () => {
    expect(cal.nextWeekday(t('2026-03-09T10:00:00Z'), 4)).toBe('2026-03-12');
  });

  it('is strictly after the local date', () => {
    expect(cal.nextWeekday(t('2026-03-12T10:00:00Z'), 4)).toBe('2026-03-19');
    // 23:30 UTC Wednesday is 00:30 BST Thursday, so the next Thursday is a week later
    expect(cal.nextWeekday(t('2026-04-15T23:30:00Z'), 4)).toBe('2026-04-23');
  });

  it('skips a Thursday that is a closure', () => {
    const council = new WorkingCalendar(defaults(), { extraClosures: ['2026-03-19'] });
    expect(council.nextWeekday(t('2026-03-12T10:00:00Z'), 4)).toBe('2026-03-26');
  });

  it('skips a bank holiday', () => {
    // Friday 3 April 2026 -> Monday 6 April is Easter Monday -> 13 April
    expect(cal.nextWeekday(t('2026-04-03T10:00:00+01:00'), 1)).toBe('2026-04-13');
  });

  it('rejects a bad weekday', () => {
    expect(() => cal.nextWeekday(t('2026-03-09T10:00:00Z'), 0)).toThrow(/1 \(Monday\) to 7 \(Sunday\)/);
  });
});

describe('deliverAt', () => {
  it('holds working-time items until working hours', () => {
    // Saturday 11:00 -> Monday 09:00
    expect(iso(cal.deliverAt(t('2026-03-07T11:00:00Z'), 'working_days'))).toBe('2026-03-09T09:00:00.000Z');
    expect(iso(cal.deliverAt(t('2026-03-07T11:00:00Z'), 'calendar_days'))).toBe('2026-03-09T09:00:00.000Z');
    // Thursday before Easter at 18:00 BST -> Tuesday 09:00 BST
    expect(iso(cal.deliverAt(t('2026-04-02T18:00:00+01:00'), 'working_hours'))).toBe(
      '2026-04-07T08:00:00.000Z',
    );
  });

  it('sends clock-hours items at once', () => {
    expect(iso(cal.deliverAt(t('2026-03-07T11:00:00Z'), 'clock_hours'))).toBe('2026-03-07T11:00:00.000Z');
  });

  it('sends at once when already in working time', () => {
    expect(iso(cal.deliverAt(t('2026-03-02T11:00:00Z'), 'working_days'))).toBe('2026-03-02T11:00:00.000Z');
  });
});

describe('workingMinutesBetween', () => {
  it('counts only working time', () => {
    expect(cal.workingMinutesBetween(t('2026-03-06T16:00:00Z'), t('2026-03-09T10:00:00Z'))).toBe(120);
    expect(cal.workingMinutesBetween(t('2026-03-02T09:00:00Z'), t('2026-03-02T17:00:00Z'))).toBe(480);
    expect(cal.workingMinutesBetween(t('2026-03-02T10:00:00Z'), t('2026-03-02T10:00:00Z'))).toBe(0);
  });

  it('is negative when b is before a', () => {
    expect(cal.workingMinutesBetween(t('2026-03-09T10:00:00Z'), t('2026-03-06T16:00:00Z'))).toBe(-120);
  });

  it('skips bank holidays', () => {
    // Thursday 2 April 16:00 BST to Tuesday 7 April 10:00 BST
    expect(cal.workingMinutesBetween(t('2026-04-02T16:00:00+01:00'), t('2026-04-07T10:00:00+01:00'))).toBe(
      120,
    );
  });
});

describe('describe', () => {
  const say = (now: string, due: string, unit: DurationUnit) => cal.describe(t(now), t(due), unit);

  it('says how much working time is left', () => {
    expect(say('2026-03-02T10:00:00Z', '2026-03-03T17:00:00Z', 'working_days')).toBe(
      '1 working day 7 hours left',
    );
    expect(say('2026-03-02T10:00:00Z', '2026-03-04T17:00:00Z', 'working_days')).toBe(
      '2 working days 7 hours left',
    );
    expect(say('2026-03-02T09:00:00Z', '2026-03-03T17:00:00Z', 'working_days')).toBe('2 working days left');
    expect(say('2026-03-02T10:00:00Z', '2026-03-02T17:00:00Z', 'working_hours')).toBe('7 hours left');
    expect(say('2026-03-02T16:15:00Z', '2026-03-02T17:00:00Z', 'working_hours')).toBe('45 minutes left');
    expect(say('2026-03-02T14:30:00Z', '2026-03-02T17:00:00Z', 'working_hours')).toBe(
      '2 hours 30 minutes left',
    );
    expect(say('2026-03-02T15:59:00Z', '2026-03-02T17:00:00Z', 'working_hours')).toBe('1 hour 1 minute left');
    // over a weekend only working time counts
    expect(say('2026-03-06T16:00:00Z', '2026-03-09T10:00:00Z', 'working_hours')).toBe('2 hours left');
  });

  it('says how long it is overdue in working time', () => {
    expect(say('2026-03-09T11:00:00Z', '2026-03-06T17:00:00Z', 'working_days')).toBe('overdue by 2 hours');
    expect(say('2026-03-04T09:00:00Z', '2026-03-02T17:00:00Z', 'working_days')).toBe(
      'overdue by 1 working day',
    );
    expect(say('2026-03-02T16:59:30Z', '2026-03-02T16:59:00Z', 'working_hours')).toBe(
      'overdue by less than a minute',
    );
  });

  it('copes with no working time in between', () => {
    expect(say('2026-03-07T11:00:00Z', '2026-03-06T17:00:00Z', 'working_days')).toBe(
      'overdue (no working time has passed since it was due)',
    );
    expect(say('2026-03-07T11:00:00Z', '2026-03-09T09:00:00Z', 'working_hours')).toBe('no working time left');
  });

  it('uses clock time for clock and calendar units', () => {
    expect(say('2026-03-02T10:00:00Z', '2026-03-04T13:00:00Z', 'clock_hours')).toBe('2 days 3 hours left');
    expect(say('2026-03-02T10:00:00Z', '2026-03-02T15:00:00Z', 'clock_hours')).toBe('5 hours left');
    expect(say('2026-03-02T10:00:00Z', '2026-03-02T10:20:00Z', 'clock_hours')).toBe('20 minutes left');
    expect(say('2026-03-07T10:00:00Z', '2026-03-08T10:00:00Z', 'calendar_days')).toBe('1 day left');
    expect(say('2026-03-02T11:01:00Z', '2026-03-02T10:00:00Z', 'clock_hours')).toBe(
      'overdue by 1 hour 1 minute',
    );
    expect(say('2026-03-09T10:00:00Z', '2026-03-02T10:00:00Z', 'weeks')).toBe('overdue by 7 days');
  });

  it('says "due now" exactly at the deadline', () => {
    expect(say('2026-03-02T17:00:00Z', '2026-03-02T17:00:00Z', 'working_days')).toBe('due now');
    expect(say('2026-03-02T17:00:00Z', '2026-03-02T17:00:00Z', 'clock_hours')).toBe('due now');
  });
});

describe('bad input', () => {
  it('rejects malformed dates and times', () => {
    expect(() => cal.isWorkingDay('2026-3-1')).toThrow(/Invalid date "2026-3-1".*YYYY-MM-DD/);
    expect(() => cal.isClosure('2026-02-30')).toThrow(/YYYY-MM-DD/);
    expect(() => cal.at('2026-03-02', '9:00')).toThrow(/Invalid time "9:00".*HH:MM/);
    expect(() => cal.at('2026-03-02', '25:00')).toThrow(/HH:MM/);
    expect(() => cal.localDate(new Date(Number.NaN))).toThrow(/valid Date/);
    expect(() => cal.bankHolidays(2026.5)).toThrow(/year/);
  });

  it('rejects unknown units', () => {
    expect(() =>
      cal.due(t('2026-03-02T10:00:00Z'), { amount: 1, unit: 'fortnights' as DurationUnit }),
    ).toThrow(/Unknown time unit "fortnights"/);
    expect(() => cal.deliverAt(t('2026-03-02T10:00:00Z'), 'days' as DurationUnit)).toThrow(
      /Unknown time unit/,
    );
    expect(() =>
      cal.describe(t('2026-03-02T10:00:00Z'), t('2026-03-02T11:00:00Z'), 'x' as DurationUnit),
    ).toThrow(/Unknown time unit/);
  });

  it('rejects fractional amounts for day, week and month units', () => {
    const anchor = t('2026-03-02T10:00:00Z');
    for (const unit of ['working_days', 'calendar_days', 'weeks', 'calendar_months'] as const) {
      expect(() => cal.due(anchor, { amount: 1.5, unit })).toThrow(/whole number/);
    }
    expect(() => cal.due(anchor, { amount: Number.NaN, unit: 'clock_hours' })).toThrow(/expected a number/);
  });
});
