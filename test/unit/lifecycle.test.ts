import { describe, expect, it } from 'vitest';
import {
  actions,
  holderAfter,
  type TransferAction,
  transferStates,
  transition,
} from '../../src/domain/lifecycle.ts';

describe('transfer lifecycle', () => {
  it('allows exactly the listed transitions and refuses every other pair with a sentence', () => {
    for (const state of transferStates) {
      for (const action of Object.keys(actions) as TransferAction[]) {
        const result = transition(state, action, 'SW-000001', { notifyOnly: true, resolution: 'overturned' });
        const listed = (actions[action].from as readonly string[]).includes(state);
        if (!listed) {
          expect(result.ok, `${action} from ${state}`).toBe(false);
          if (!result.ok) expect(result.message).toMatch(/^SW-000001 is .+, so you cannot .+ it now\.$/);
        }
      }
    }
  });

  it('walks the happy path of a step-up', () => {
    const path: [TransferAction, string][] = [
      ['submit', 'submitted'],
      ['request_info', 'more_info_requested'],
      ['resubmit', 'resubmitted'],
      ['accept', 'accepted'],
      ['allocate', 'allocated'],
      ['schedule_handover', 'handover_scheduled'],
      ['complete_handover', 'handover_done'],
      ['close', 'closed'],
    ];
    let state = 'draft' as (typeof transferStates)[number];
    for (const [action, to] of path) {
      const r = transition(state, action, 'SW-1');
      expect(r).toEqual({ ok: true, to });
      if (r.ok) state = r.to;
    }
  });

  it('walks a decline through a dispute to an overturn and allocation', () => {
    expect(transition('submitted', 'decline', 'SW-1')).toEqual({ ok: true, to: 'declined' });
    expect(transition('declined', 'dispute', 'SW-1')).toEqual({ ok: true, to: 'disputed' });
    expect(transition('disputed', 'escalate', 'SW-1')).toEqual({ ok: true, to: 'escalated' });
    expect(transition('escalated', 'resolve', 'SW-1')).toEqual({ ok: true, to: 'resolved' });
    expect(transition('resolved', 'allocate', 'SW-1', { resolution: 'overturned' })).toEqual({
      ok: true,
      to: 'allocated',
    });
  });

  it('refuses to allocate after a disagreement that upheld the decline', () => {
    const r = transition('resolved', 'allocate', 'SW-1', { resolution: 'upheld' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('upheld');
  });

  it('refuses to close while required handover meetings are open', () => {
    const r = transition('allocated', 'close', 'SW-9', { openMeetings: 2 });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.message).toBe('SW-9 still has 2 handover meeting(s) to hold or record before it can close.');
  });

  it('refuses to close a request waiting for a decision unless nobody decides on its route', () => {
    expect(transition('submitted', 'close', 'SW-1').ok).toBe(false);
    expect(transition('submitted', 'close', 'SW-1', { notifyOnly: true })).toEqual({
      ok: true,
      to: 'closed',
    });
  });

  it('keeps the case with the sending team until the receiving team accepts', () => {
    expect(holderAfter('sending', 'request_info')).toBe('sending');
    expect(holderAfter('sending', 'decline')).toBe('sending');
    expect(holderAfter('sending', 'accept')).toBe('receiving');
    expect(holderAfter('sending', 'resolve', { resolution: 'overturned' })).toBe('receiving');
    expect(holderAfter('sending', 'resolve', { resolution: 'upheld' })).toBe('sending');
  });
});

describe('a meeting outcome that ends the request', () => {
  it('may end an accepted request, which closing by hand may not', () => {
    expect(transition('accepted', 'close', 'SW-000001')).toMatchObject({ ok: false });
    expect(transition('accepted', 'close', 'SW-000001', { meetingOutcome: true })).toEqual({
      ok: true,
      to: 'closed',
    });
  });

  it('leaves the case with the side the outcome names', () => {
    expect(holderAfter('receiving', 'close', { holder: 'sending' })).toBe('sending');
    expect(holderAfter('receiving', 'close')).toBe('receiving');
  });
});
