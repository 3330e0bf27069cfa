/**
 * Where "now" comes from at the edges (the server, the sweep, the surfaces). The domain never reads the wall
 * clock: it is always handed a time.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Where the demo clock's offset is kept (the setting table), so it survives restarts and `stepwise tick`. */
export const clockOffsetSetting = 'local.clock_offset_ms';

/**
 * The local workspace's demo clock: real time plus an offset a trainer moves forward, so that reminders, chases
 * and escalations can be seen without waiting days. It never goes back, so nothing already done is undone.
 */
export class DemoClock implements Clock {
  constructor(
    private offset = 0,
    private readonly real: () => number = Date.now,
  ) {}

  now(): Date {
    return new Date(this.real() + this.offset);
  }

  get offsetMs(): number {
    return this.offset;
  }

  /** Moves the clock to `to` (later than now), returning the new offset. */
  moveTo(to: Date): number {
    const ms = to.getTime() - this.now().getTime();
    if (ms > 0) this.offset += ms;
    return this.offset;
  }
}
