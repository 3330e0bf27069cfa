/**
 * Working calendar: deadlines, working time and bank holidays for a council.
 *
 * Pure domain code: no clock reads and no I/O. Instants come in and go out as JS `Date`s; local dates are
 * 'YYYY-MM-DD' strings and local times 'HH:MM' strings, both in the calendar's time zone (Europe/London
 * unless configured otherwise). Time-zone arithmetic is done with luxon, so British Summer Time is handled.
 *
 * Bank holidays come from `date-holidays` (default GB / ENG, which matches gov.uk's England-and-Wales list):
 * only holidays of type 'public' count, each holiday's local `date` is used (never its UTC `start`), and a
 * holiday that has been moved to a substitute day (e.g. Boxing Day on a Saturday) is listed only on the
 * substitute day, as gov.uk does. Extra closure days (e.g. a council's Christmas shutdown) come from the
 * config and from the operator's options.
 *
 * How a protocol's time limit is read, `due(anchor, { amount, unit })`:
 *
 * - working_days, n >= 0: "within n working days". Let d0 be the anchor's local date if that is a working
 *   day and the anchor is before the end of working hours, else the next working day. The deadline is the
 *   END of working hours (e.g. 17:00) on the working day n working days after d0; n = 0 means the end of d0
 *   ("the same day"). Allocated Monday 10:00 + 5 working days = the following Monday 17:00 (one day later
 *   if a bank holiday falls in between). Received Friday 18:00 + 0 = Monday 17:00.
 * - working_days, n < 0: "n working days before", e.g. papers 2 working days before the meeting. The
 *   deadline is the START of working hours on the working day |n| working days before the anchor's local
 *   date (meeting Thursday, -2 = Tuesday 09:00).
 * - working_hours, n: n hours of working time counted forward from nextWorkingStart(anchor), carrying over
 *   into following working days (Monday 16:00 + 2 = Tuesday 10:00 with 09:00-17:00). A count that ends
 *   exactly at the end of a working day gives that day's end (Monday 09:00 + 8 = Monday 17:00). Negative
 *   n counts backwards through working time from the anchor. Fractions of an hour are allowed.
 * - clock_hours, n: exactly n hours after the anchor, ignoring the calendar. Fractions are allowed.
 * - calendar_days, n: the same local wall-clock time n local days later, so 10:00 stays 10:00 when the
 *   clocks change. weeks, n: 7n calendar days. calendar_months, n: the same wall-clock time n local months
 *   later, with the day clamped to the end of a shorter month (31 January + 1 month = 28/29 February).
 *
 * Amounts for working_days, calendar_days, weeks and calendar_months must be whole numbers.
 *
 * Chases fall in working time because their deadlines do (working days end at the end of working hours,
 * working hours count only working time). Clock-hours limits (Manchester's 48-hour ladder) fall when they
 * fall, night or day, and their pings go then. `deliverAt` gives the next working moment for a message a
 * caller wants to hold to working time.
 */
import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';

export const durationUnits = [
  'working_days',
  'working_hours',
  'clock_hours',
  'calendar_days',
  'weeks',
  'calendar_months',
] as const;
export type DurationUnit = (typeof durationUnits)[number];

/** A unit counted in working time (working days or hours), as opposed to clock or calendar time. */
export function isWorkingUnit(unit: string): boolean {
  return unit === 'working_days' || unit === 'working_hours';
}

/** A time limit. `amount` may be 0 or negative (negative = before the anchor). */
export interface Duration {
  amount: number;
  unit: DurationUnit;
}

/** Units whose amount must be a whole number. */
const wholeNumberUnits: ReadonlySet<DurationUnit> = new Set([
  'working_days',
  'calendar_days',
  'weeks',
  'calendar_months',
]);

const unitLabels: Record<DurationUnit, string> = {
  working_days: 'working days',
  working_hours: 'working hours',
  clock_hours: 'hours',
  calendar_days: 'calendar days',
  weeks: 'weeks',
  calendar_months: 'calendar months',
};

export function isDurationUnit(value: unknown): value is DurationUnit {
  return typeof value === 'string' && (durationUnits as readonly string[]).includes(value);
}

export const durationSchema = z.object({
  amount: z.number().finite(),
  unit: z.enum(durationUnits),
});

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isValidLocalDate(value: string): boolean {
  return DATE_PATTERN.test(value) && DateTime.fromISO(value, { zone: 'utc' }).isValid;
}

const localDateSchema = z
  .string()
  .refine(isValidLocalDate, { message: 'expected a real date written as YYYY-MM-DD, e.g. 2026-04-03' });

const hhmmSchema = z
  .string()
  .regex(TIME_PATTERN, { message: 'expected a 24-hour time written as HH:MM, e.g. 09:00' });

export const calendarConfigSchema = z.object({
  timeZone: z
    .string()
    .refine((zone) => IANAZone.isValidZone(zone), {
      message: 'expected an IANA time zone name, e.g. Europe/London',
    })
    .default('Europe/London'),
  workingDays: z
    .array(z.number().int().min(1).max(7))
    .min(1, { message: 'at least one working day (ISO weekday 1=Monday .. 7=Sunday) is needed' })
    .default([1, 2, 3, 4, 5]),
  workingHours: z
    .object({ start: hhmmSchema.default('09:00'), end: hhmmSchema.default('17:00') })
    .refine((hours) => hours.start < hours.end, {
      message: 'working hours must start before they end, e.g. start 09:00 and end 17:00',
    })
    .default({ start: '09:00', end: '17:00' }),
  bankHolidays: z
    .object({ country: z.string().min(2), region: z.string().min(1).optional() })
    .nullable()
    .default({ country: 'GB', region: 'ENG' }),
  extraClosures: z.array(localDateSchema).default([]),
});

export interface CalendarConfig {
  /** IANA time zone, default 'Europe/London'. */
  timeZone: string;
  /** ISO weekdays 1=Mon..7=Sun, default [1,2,3,4,5]. */
  workingDays: number[];
  /** 'HH:MM' local times, default 09:00-17:00; start must be before end. */
  workingHours: { start: string; end: string };
  /** Where bank holidays come from (date-holidays country/state codes), or null for none. */
  bankHolidays: { country: string; region?: string } | null;
  /** Extra closure dates, 'YYYY-MM-DD'. */
  extraClosures: string[];
}

export type CalendarConfigInput = z.input<typeof calendarConfigSchema>;

// Compile-time check that the schema and the interface describe the same thing.
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const configTypesAgree: SameType<CalendarConfig, z.output<typeof calendarConfigSchema>> = true;
void configTypesAgree;

/** Parse and validate a calendar config, throwing an Error that says what is wrong. */
export function parseCalendarConfig(input: unknown): CalendarConfig {
  const result = calendarConfigSchema.safeParse(input ?? {});
  if (!result.success) {
    throw new Error(`Invalid calendar settings:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------------------
// Input checks

function checkLocalDate(value: string, what = 'date'): string {
  if (typeof value !== 'string' || !isValidLocalDate(value)) {
    throw new Error(
      `Invalid ${what} "${String(value)}": expected a real date written as YYYY-MM-DD, e.g. 2026-04-03`,
    );
  }
  return value;
}

/** Minutes after midnight for an 'HH:MM' string. */
function parseHhmm(value: string, what = 'time'): number {
  const match = typeof value === 'string' ? TIME_PATTERN.exec(value) : null;
  if (!match) {
    throw new Error(
      `Invalid ${what} "${String(value)}": expected a 24-hour time written as HH:MM, e.g. 09:00`,
    );
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

function checkInstant(value: Date, what = 'time'): number {
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) {
    throw new Error(`Invalid ${what}: expected a valid Date, got ${String(value)}`);
  }
  return value.getTime();
}

function checkUnit(unit: unknown): DurationUnit {
  if (!isDurationUnit(unit)) {
    throw new Error(`Unknown time unit "${String(unit)}": expected one of ${durationUnits.join(', ')}`);
  }
  return unit;
}

function checkDuration(duration: Duration): Duration {
  if (typeof duration !== 'object' || duration === null) {
    throw new Error('Invalid time limit: expected { amount, unit }');
  }
  const unit = checkUnit(duration.unit);
  const { amount } = duration;
  if (typeof amount !== 'number' || !Number.isFinite(amount)) {
    throw new Error(`Invalid time limit amount "${String(amount)}": expected a number`);
  }
  if (wholeNumberUnits.has(unit) && !Number.isInteger(amount)) {
    throw new Error(
      `Invalid time limit: ${amount} ${unitLabels[unit]} - ${unitLabels[unit]} must be a whole number`,
    );
  }
  return { amount, unit };
}

// ---------------------------------------------------------------------------------------------------------
// Plain local-date arithmetic (no time zone involved)

function dateOf(localDate: string): DateTime {
  return DateTime.fromISO(localDate, { zone: 'utc' });
}

/** Milliseconds of UTC midnight on a (valid) 'YYYY-MM-DD' date; plain date arithmetic, no zone involved. */
function utcMidnight(localDate: string): number {
  const midnight = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  midnight.setUTCFullYear(
    Number(localDate.slice(0, 4)),
    Number(localDate.slice(5, 7)) - 1,
    Number(localDate.slice(8, 10)),
  );
  return midnight.getTime();
}

function plusDays(localDate: string, days: number): string {
  return new Date(utcMidnight(localDate) + days * 86_400_000).toISOString().slice(0, 10);
}

function isoWeekday(localDate: string): number {
  return new Date(utcMidnight(localDate)).getUTCDay() || 7;
}

// ---------------------------------------------------------------------------------------------------------
// Bank holidays, cached per country/region and year (shared by all calendars)

interface HolidaySource {
  holidays: Holidays;
  years: Map<number, readonly string[]>;
}

const holidaySources = new Map<string, HolidaySource>();

function holidaySource(country: string, region: string | undefined): HolidaySource {
  const countryCode = country.toUpperCase();
  const regionCode = region?.toUpperCase();
  const key = `${countryCode}/${regionCode ?? ''}`;
  let source = holidaySources.get(key);
  if (!source) {
    const catalogue = new Holidays();
    if (!Object.hasOwn(catalogue.getCountries(), countryCode)) {
      throw new Error(`Unknown bank-holiday country "${country}": expected a country code such as GB`);
    }
    if (regionCode !== undefined) {
      const regions = catalogue.getStates(countryCode) ?? {};
      if (!Object.hasOwn(regions, regionCode)) {
        const known = Object.keys(regions);
        throw new Error(
          `Unknown bank-holiday region "${region}" for ${countryCode}` +
            (known.length > 0 ? `: expected one of ${known.join(', ')}` : ': this country has no regions'),
        );
      }
    }
    const holidays =
      regionCode === undefined ? new Holidays(countryCode) : new Holidays(countryCode, regionCode);
    source = { holidays, years: new Map() };
    holidaySources.set(key, source);
  }
  return source;
}

const SUBSTITUTES_RULE = /^substitutes (\S+)/;

function holidaysForYear(source: HolidaySource, year: number): readonly string[] {
  let dates = source.years.get(year);
  if (!dates) {
    const publicHolidays = source.holidays.getHolidays(year).filter((h) => h.type === 'public');
    // A holiday moved to a substitute day is a closure only on the substitute day (gov.uk lists it so).
    const substituted = new Set<string>();
    for (const h of publicHolidays) {
      const match = h.substitute ? SUBSTITUTES_RULE.exec(h.rule) : null;
      if (match?.[1]) substituted.add(match[1]);
    }
    const list = publicHolidays
      .filter((h) => h.substitute || !substituted.has(h.rule))
      .map((h) => h.date.slice(0, 10))
      .filter((d) => d.startsWith(`${year}-`));
    dates = Object.freeze([...new Set(list)].sort());
    source.years.set(year, dates);
  }
  return dates;
}

// ---------------------------------------------------------------------------------------------------------
// Describing time left / overdue

function plural(n: number, singular: string, pluralForm = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : pluralForm}`;
}

/**
 * Whole minutes as at most two parts: "2 days 3 hours", "3 hours 20 minutes", "45 minutes".
 * Minutes are dropped once there are days; zero parts are dropped.
 */
function formatMinutes(totalMinutes: number, minutesPerDay: number, dayWord: string): string {
  const days = Math.floor(totalMinutes / minutesPerDay);
  const rest = totalMinutes - days * minutesPerDay;
  const hours = Math.floor(rest / 60);
  const minutes = rest - hours * 60;
  const parts: string[] = [];
  if (days > 0) {
    parts.push(plural(days, dayWord));
    if (hours > 0) parts.push(plural(hours, 'hour'));
  } else {
    if (hours > 0) parts.push(plural(hours, 'hour'));
    if (minutes > 0) parts.push(plural(minutes, 'minute'));
  }
  return parts.join(' ');
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Safety limit when searching for a working day, so a calendar with no working days cannot hang. */
const MAX_SEARCH_DAYS = 3_660;

// ---------------------------------------------------------------------------------------------------------

export class WorkingCalendar {
  readonly config: CalendarConfig;
  readonly timeZone: string;
  private readonly workingWeekdays: ReadonlySet<number>;
  private readonly startMinutes: number;
  private readonly endMinutes: number;
  private readonly closures: ReadonlySet<string>;
  private readonly holidays: HolidaySource | null;

  constructor(config: CalendarConfig, options?: { extraClosures?: string[] }) {
    this.config = parseCalendarConfig(config);
    const extra = options?.extraClosures ?? [];
    if (!Array.isArray(extra)) {
      throw new Error('Invalid extra closures: expected a list of dates written as YYYY-MM-DD');
    }
    for (const date of extra) checkLocalDate(date, 'closure date');
    this.timeZone = this.config.timeZone;
    this.workingWeekdays = new Set(this.config.workingDays);
    this.startMinutes = parseHhmm(this.config.workingHours.start, 'working-hours start');
    this.endMinutes = parseHhmm(this.config.workingHours.end, 'working-hours end');
    this.closures = new Set([...this.config.extraClosures, ...extra]);
    const bank = this.config.bankHolidays;
    this.holidays = bank ? holidaySource(bank.country, bank.region) : null;
  }

  /** Length of a working day in minutes (e.g. 480 for 09:00-17:00). */
  get workingDayMinutes(): number {
    return this.endMinutes - this.startMinutes;
  }

  private zoned(instant: Date): DateTime {
    checkInstant(instant);
    return DateTime.fromJSDate(instant, { zone: this.timeZone });
  }

  /** 'YYYY-MM-DD' of the instant in the calendar's zone. */
  localDate(instant: Date): string {
    return this.zoned(instant).toISODate() as string;
  }

  /** 'HH:MM' of the instant in the calendar's zone. */
  localTime(instant: Date): string {
    return this.zoned(instant).toFormat('HH:mm');
  }
  /** "2026-11-26 17:00": the local date and time, as chases and notes quote a deadline. */
  localDateTime(instant: Date): string {
    return `${this.localDate(instant)} ${this.localTime(instant)}`;
  }

  /**
   * The instant at which the calendar's zone shows `hhmm` on `localDate`. A time that does not exist
   * (skipped when the clocks go forward) is moved forward by the gap, as luxon does.
   */
  at(localDate: string, hhmm: string): Date {
    checkLocalDate(localDate);
    return this.atMinutes(localDate, parseHhmm(hhmm));
  }

  private atMinutes(localDate: string, minutesOfDay: number): Date {
    const { year, month, day } = dateOf(localDate);
    const dt = DateTime.fromObject(
      { year, month, day, hour: Math.floor(minutesOfDay / 60), minute: minutesOfDay % 60 },
      { zone: this.timeZone },
    );
    return dt.toJSDate();
  }

  private dayStart(localDate: string): Date {
    return this.atMinutes(localDate, this.startMinutes);
  }

  private dayEnd(localDate: string): Date {
    return this.atMinutes(localDate, this.endMinutes);
  }

  /** Bank holidays in `year` (none if bank holidays are switched off), sorted 'YYYY-MM-DD'. */
  bankHolidays(year: number): string[] {
    if (!Number.isInteger(year) || year < 1 || year > 9999) {
      throw new Error(`Invalid year "${String(year)}": expected a whole number such as 2026`);
    }
    return this.holidays ? [...holidaysForYear(this.holidays, year)] : [];
  }

  /** True on a bank holiday or an extra closure day. */
  isClosure(localDate: string): boolean {
    checkLocalDate(localDate);
    return this.closed(localDate);
  }

  /** True on a working weekday that is not a closure. */
  isWorkingDay(localDate: string): boolean {
    checkLocalDate(localDate);
    return this.working(localDate);
  }

  // Unchecked versions for internal loops (the date is already known to be valid).
  private closed(localDate: string): boolean {
    if (this.closures.has(localDate)) return true;
    if (!this.holidays) return false;
    return holidaysForYear(this.holidays, Number(localDate.slice(0, 4))).includes(localDate);
  }

  private working(localDate: string): boolean {
    return this.workingWeekdays.has(isoWeekday(localDate)) && !this.closed(localDate);
  }

  /** True on a working day between the start (inclusive) and end (exclusive) of working hours. */
  isWorkingTime(instant: Date): boolean {
    const t = checkInstant(instant);
    const date = this.localDate(instant);
    return this.isWorkingDay(date) && this.dayStart(date).getTime() <= t && t < this.dayEnd(date).getTime();
  }

  private stepWorkingDay(localDate: string, direction: 1 | -1): string {
    let date = localDate;
    for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
      date = plusDays(date, direction);
      if (this.working(date)) return date;
    }
    throw new Error(
      `No working day found within ${MAX_SEARCH_DAYS} days ${direction > 0 ? 'after' : 'before'} ${localDate}: ` +
        'check the working days and closures in the calendar settings',
    );
  }

  /** The first working day strictly after `localDate`. */
  nextWorkingDay(localDate: string): string {
    checkLocalDate(localDate);
    return this.stepWorkingDay(localDate, 1);
  }

  /** The last working day strictly before `localDate`. */
  previousWorkingDay(localDate: string): string {
    checkLocalDate(localDate);
    return this.stepWorkingDay(localDate, -1);
  }

  /** The instant itself if it is in working time, else the start of the next working period. */
  nextWorkingStart(instant: Date): Date {
    const t = checkInstant(instant);
    const date = this.localDate(instant);
    if (this.isWorkingDay(date)) {
      const start = this.dayStart(date);
      if (t < start.getTime()) return start;
      if (t < this.dayEnd(date).getTime()) return new Date(t);
    }
    return this.dayStart(this.stepWorkingDay(date, 1));
  }

  /** The instant itself if it is in working time or exactly at the end of it, else the previous working end. */
  private previousWorkingEnd(instant: Date): Date {
    const t = instant.getTime();
    const date = this.localDate(instant);
    if (this.isWorkingDay(date)) {
      const end = this.dayEnd(date);
      if (t > end.getTime()) return end;
      if (t > this.dayStart(date).getTime()) return new Date(t);
    }
    return this.dayEnd(this.stepWorkingDay(date, -1));
  }

  /**
   * The date n working days after (n > 0) or before (n < 0) `localDate`, counting only working days;
   * `localDate` itself need not be a working day. n = 0 returns `localDate` unchanged.
   */
  addWorkingDays(localDate: string, n: number): string {
    checkLocalDate(localDate);
    if (!Number.isInteger(n)) {
      throw new Error(`Invalid number of working days "${String(n)}": expected a whole number`);
    }
    const direction = n < 0 ? -1 : 1;
    let date = localDate;
    for (let i = 0; i < Math.abs(n); i++) date = this.stepWorkingDay(date, direction);
    return date;
  }

  /**
   * The first local date strictly after the instant's local date that falls on `isoWeekday`
   * (1=Monday .. 7=Sunday) and is not a closure; e.g. "the next Thursday allocations meeting".
   */
  nextWeekday(instant: Date, isoWeekdayNumber: number): string {
    if (!Number.isInteger(isoWeekdayNumber) || isoWeekdayNumber < 1 || isoWeekdayNumber > 7) {
      throw new Error(`Invalid weekday "${String(isoWeekdayNumber)}": expected 1 (Monday) to 7 (Sunday)`);
    }
    const from = this.localDate(instant);
    let date = from;
    for (let i = 0; i < MAX_SEARCH_DAYS; i++) {
      date = plusDays(date, 1);
      if (isoWeekday(date) === isoWeekdayNumber && !this.closed(date)) return date;
    }
    throw new Error(`No open day with weekday ${isoWeekdayNumber} found after ${from}: check the closures`);
  }

  /** The deadline for a time limit starting at `anchor`; see the rules at the top of this file. */
  due(anchor: Date, duration: Duration): Date {
    const t = checkInstant(anchor, 'start time');
    const { amount, unit } = checkDuration(duration);
    switch (unit) {
      case 'working_days': {
        const date = this.localDate(anchor);
        if (amount < 0) return this.dayStart(this.addWorkingDays(date, amount));
        const first =
          this.isWorkingDay(date) && t < this.dayEnd(date).getTime() ? date : this.stepWorkingDay(date, 1);
        return this.dayEnd(this.addWorkingDays(first, amount));
      }
      case 'working_hours':
        return amount >= 0
          ? this.countWorkingForward(this.nextWorkingStart(anchor), Math.round(amount * HOUR_MS))
          : this.countWorkingBackward(this.previousWorkingEnd(anchor), Math.round(-amount * HOUR_MS));
      case 'clock_hours':
        return new Date(t + Math.round(amount * HOUR_MS));
      case 'calendar_days':
        return this.zoned(anchor).plus({ days: amount }).toJSDate();
      case 'weeks':
        return this.zoned(anchor)
          .plus({ days: amount * 7 })
          .toJSDate();
      case 'calendar_months':
        return this.zoned(anchor).plus({ months: amount }).toJSDate();
    }
  }

  /** Moves `from` (which is in working time) forward by `ms` of working time. */
  private countWorkingForward(from: Date, ms: number): Date {
    let t = from.getTime();
    let remaining = ms;
    let date = this.localDate(from);
    for (;;) {
      const available = this.dayEnd(date).getTime() - t;
      if (remaining <= available) return new Date(t + remaining);
      remaining -= available;
      date = this.stepWorkingDay(date, 1);
      t = this.dayStart(date).getTime();
    }
  }

  /** Moves `from` (in working time or at its end) backward by `ms` of working time. */
  private countWorkingBackward(from: Date, ms: number): Date {
    let t = from.getTime();
    let remaining = ms;
    let date = this.localDate(from);
    for (;;) {
      const available = t - this.dayStart(date).getTime();
      if (remaining <= available) return new Date(t - remaining);
      remaining -= available;
      date = this.stepWorkingDay(date, -1);
      t = this.dayEnd(date).getTime();
    }
  }

  /** The length of a working day in hours (8 for 09:00-17:00). */
  get hoursPerDay(): number {
    return (this.endMinutes - this.startMinutes) / 60;
  }

  /** When to deliver something timed in `unit`: clock_hours at once, anything else in working time. */
  deliverAt(instant: Date, unit: DurationUnit): Date {
    checkInstant(instant);
    return checkUnit(unit) === 'clock_hours' ? new Date(instant.getTime()) : this.nextWorkingStart(instant);
  }

  /** Working time in [a, b) in milliseconds; negative if b < a. */
  private workingMsBetween(a: Date, b: Date): number {
    const ta = checkInstant(a);
    const tb = checkInstant(b);
    if (tb < ta) return -this.workingMsBetween(b, a);
    let total = 0;
    const last = this.localDate(b);
    for (let date = this.localDate(a); date <= last; date = plusDays(date, 1)) {
      if (!this.working(date)) continue;
      const from = Math.max(ta, this.dayStart(date).getTime());
      const to = Math.min(tb, this.dayEnd(date).getTime());
      if (to > from) total += to - from;
    }
    return total;
  }

  /** Working time in [a, b) in milliseconds (0 if b is not after a). */
  workingMs(a: Date, b: Date): number {
    return Math.max(0, this.workingMsBetween(a, b));
  }

  /** `ms` of working time on from `from` (from the next working time, if `from` is outside it). */
  addWorkingMs(from: Date, ms: number): Date {
    if (ms <= 0) return new Date(checkInstant(from));
    return this.countWorkingForward(this.nextWorkingStart(from), Math.round(ms));
  }

  /** Whole working minutes in [a, b) (partial minutes are dropped); negative if b < a. */
  workingMinutesBetween(a: Date, b: Date): number {
    return Math.trunc(this.workingMsBetween(a, b) / MINUTE_MS);
  }

  /**
   * Plain-English time left or overdue, in the unit's terms: working time for working_days/working_hours
   * ("1 working day 3 hours left", a working day being the length of working hours), clock time otherwise
   * ("overdue by 2 days 3 hours"). Exactly at the deadline: "due now".
   */
  describe(now: Date, due: Date, unit: DurationUnit): string {
    const tNow = checkInstant(now, 'current time');
    const tDue = checkInstant(due, 'deadline');
    const kind = checkUnit(unit);
    if (tNow === tDue) return 'due now';
    const overdue = tNow > tDue;
    const working = isWorkingUnit(kind);
    const ms = working ? Math.abs(this.workingMsBetween(now, due)) : Math.abs(tDue - tNow);
    let amount: string;
    if (ms === 0) {
      // Only possible in working units: all of the time between is outside working hours.
      return overdue ? 'overdue (no working time has passed since it was due)' : 'no working time left';
    }
    if (ms < MINUTE_MS) {
      amount = 'less than a minute';
    } else {
      const minutes = Math.floor(ms / MINUTE_MS);
      amount = working
        ? formatMinutes(minutes, this.workingDayMinutes, 'working day')
        : formatMinutes(minutes, 24 * 60, 'day');
    }
    return overdue ? `overdue by ${amount}` : `${amount} left`;
  }
}
