/**
 * When things happen in the demo: a working-time axis that counts back from "now" through office hours only, and
 * a queue that runs every demo request's steps in time order, so references, audit events and state changes are
 * in the order they would have happened.
 */
import type { WorkingCalendar } from '../domain/calendar.ts';

const MINUTE = 60_000;

/**
 * Office hours on working days (09:30 to 16:30: people rarely act in the first and last half hour), as one line
 * of time. `ago(h)` is h hours of that time before the anchor, the latest office-hours minute at or before now.
 */
export class WorkingAxis {
  readonly anchor: Date;
  /** Office-hours minutes in one working day. */
  readonly dayHours: number;

  constructor(
    readonly calendar: WorkingCalendar,
    now: Date,
    private readonly hours = { start: '09:30', end: '16:30' },
  ) {
    const start = calendar.at('2000-01-03', hours.start).getTime();
    const end = calendar.at('2000-01-03', hours.end).getTime();
    this.dayHours = (end - start) / (60 * MINUTE);
    // Whole five minutes, so every demo time reads as a time a person would write down.
    const floored = new Date(Math.floor(now.getTime() / (5 * MINUTE)) * 5 * MINUTE);
    this.anchor = this.latestAtOrBefore(floored);
  }

  private open(day: string): Date {
    return this.calendar.at(day, this.hours.start);
  }

  private close(day: string): Date {
    return this.calendar.at(day, this.hours.end);
  }

  /** The latest office-hours instant at or before `t`. */
  private latestAtOrBefore(t: Date): Date {
    let day = this.calendar.localDate(t);
    if (this.calendar.isWorkingDay(day)) {
      if (t >= this.open(day)) return t < this.close(day) ? t : this.close(day);
    }
    day = this.calendar.previousWorkingDay(day);
    return this.close(day);
  }

  /** `hours` of office time before the anchor. */
  ago(hours: number): Date {
    return this.before(this.anchor, hours);
  }

  /** `hours` of office time before `from` (an office-hours instant). */
  before(from: Date, hours: number): Date {
    let remaining = Math.round(hours * 60) * MINUTE;
    let t = this.latestAtOrBefore(from);
    let day = this.calendar.localDate(t);
    for (;;) {
      const available = t.getTime() - this.open(day).getTime();
      if (remaining <= available) return new Date(t.getTime() - remaining);
      remaining -= available;
      day = this.calendar.previousWorkingDay(day);
      t = this.close(day);
    }
  }

  /** `hours` of office time after `from`. */
  after(from: Date, hours: number): Date {
    let remaining = Math.round(hours * 60) * MINUTE;
    let day = this.calendar.localDate(from);
    let t = from;
    if (!this.calendar.isWorkingDay(day) || t >= this.close(day)) {
      day = this.calendar.nextWorkingDay(day);
      t = this.open(day);
    } else if (t < this.open(day)) t = this.open(day);
    for (;;) {
      const available = this.close(day).getTime() - t.getTime();
      if (remaining <= available) return new Date(t.getTime() + remaining);
      remaining -= available;
      day = this.calendar.nextWorkingDay(day);
      t = this.open(day);
    }
  }

  /** `n` working days after the local date of `from` (n >= 1), at a local time. */
  workingDaysAfter(from: Date, n: number, hhmm: string): Date {
    return this.calendar.at(this.calendar.addWorkingDays(this.calendar.localDate(from), n), hhmm);
  }
}

export interface Step<C> {
  at: Date;
  what: string;
  /** Runs at `at` (the step's own time, or later if what caused it came later). */
  run: (ctx: C, at: Date) => Promise<Step<C>[] | undefined>;
}

interface Queued<C> {
  at: Date;
  seq: number;
  ctx: C;
  step: Step<C>;
}

/**
 * Runs steps oldest first (ties in the order they were added). A step may add follow-ups (a meeting is held
 * after the time it was put in the diary); follow-ups later than `until` have not happened yet and are dropped.
 */
export class Timeline<C> {
  private readonly queue: Queued<C>[] = [];
  private seq = 0;
  /** The time of the step running now: a follow-up never happens before what caused it. */
  private current = new Date(0);

  constructor(private readonly until: Date) {}

  add(ctx: C, steps: readonly Step<C>[]): void {
    for (const step of steps) {
      const at = new Date(Math.max(step.at.getTime(), this.current.getTime()));
      if (at > this.until) continue;
      this.queue.push({ at, seq: this.seq++, ctx, step });
    }
  }

  async run(onError: (ctx: C, step: Step<C>, error: unknown) => boolean): Promise<void> {
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const q = this.queue[i] as Queued<C>;
        const best = this.queue[next];
        if (!best || q.at < best.at || (q.at.getTime() === best.at.getTime() && q.seq < best.seq)) next = i;
      }
      if (next < 0) return;
      const [q] = this.queue.splice(next, 1) as [Queued<C>];
      this.current = q.at;
      try {
        const more = await q.step.run(q.ctx, q.at);
        if (more) this.add(q.ctx, more);
      } catch (error) {
        // The caller decides: a refused step drops the rest of that request's story, anything else stops all.
        if (!onError(q.ctx, q.step, error)) throw error;
        for (let i = this.queue.length - 1; i >= 0; i--)
          if (this.queue[i]?.ctx === q.ctx) this.queue.splice(i, 1);
      }
    }
  }
}
