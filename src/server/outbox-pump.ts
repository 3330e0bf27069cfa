/**
 * Runs the outbox delivery worker: once a second, and at once when a command has just written messages
 * (`kick`), so a press shows on the card in milliseconds while retries still wait their backoff. Passes never
 * overlap; a kick during a pass runs one more pass after it.
 */
import type { Logger } from 'pino';
import { type DeliveryOptions, deliverOutbox, type OutboxStore, type Sender } from '../workflow/outbox.ts';

export interface OutboxPumpOptions extends DeliveryOptions {
  intervalMs?: number;
  now?: () => Date;
}

export class OutboxPump {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: OutboxStore,
    private readonly sender: Sender,
    private readonly log: Logger,
    private readonly opts: OutboxPumpOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
    this.kick();
  }

  /** Delivers what is due now; returns when this pass (and any it caused) is over. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    const batch = this.opts.batch ?? 50;
    do {
      this.again = false;
      try {
        const clock = this.opts.now ?? (() => new Date());
        const report = await deliverOutbox(this.store, this.sender, clock(), { ...this.opts, clock, batch });
        if (report.retried || report.failed)
          this.log.warn(report, 'outbox: some messages were not delivered');
        if (report.sent + report.retried + report.failed >= batch) this.again = true;
      } catch (e) {
        this.log.error(
          { err: { message: (e as Error).message } },
          'outbox pass failed; it runs again shortly',
        );
        return;
      }
    } while (this.again && !this.stopped);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
