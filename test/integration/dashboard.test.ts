// The dashboard over a seeded Hackney history, on PGlite and PostgreSQL: transfers accepted, declined, late,
// disputed up the ladder, a child stepped down and back up, deadlines missed and chased by the sweep, and the
// Contact Challenge sample. Every time is injected; the wall clock is never read.
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.ts';
import { csvField, dashboardRoutes } from '../../src/channels/local/dashboard.ts';
import { seededSample, tableNames, wasMissed } from '../../src/channels/local/dashboard-data.ts';
import { configSchema } from '../../src/config.ts';
import { createHttpServer } from '../../src/server/http.ts';
import type { Database } from '../../src/store/database.ts';
import type { StartInput } from '../../src/workflow/commands.ts';
import { sweepDueTimers } from '../../src/workflow/sweep.ts';
import { databaseKinds, freshDatabase } from '../support/databases.ts';
import { at, hackneyWorkflow, stepDownToHub, stepUpToMash } from '../support/hackney-fixture.ts';

/** "Now" for the dashboard: Wednesday 20 January 2027, noon (London is on GMT). */
const NOW = at('2027-01-20T12:00:00Z');
const local = (personId: string) => ({ personId, surface: 'local' as const });

/** Free text that must never reach the dashboard, besides the fixture's own form text. */
const secrets = {
  declineText: 'Mother reports the bruising was explained by the GP',
  disputeReason: 'The school has seen new injuries twice this term',
  rationale: 'Heads of service agree the threshold for statutory support is not met',
};

function withChild(base: StartInput, childRef: string | null): StartInput {
  const { child_ref: _drop, ...form } = base.form as Record<string, unknown>;
  return { ...base, form: childRef === null ? form : { ...form, child_ref: childRef } };
}

/** A minimal RFC 4180 reader for the test: quoted fields, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('CSV fields and the seeded sample', () => {
  it('quotes commas, quotes and line breaks, and defuses spreadsheet formulas', () => {
    expect(csvField('MASH')).toBe('MASH');
    expect(csvField(12.5)).toBe('12.5');
    expect(csvField('Hub, North')).toBe('"Hub, North"');
    expect(csvField('the "front" door')).toBe('"the ""front"" door"');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('-1')).toBe("'-1");
  });

  it('draws the same sample for the same seed, another for another seed, and all when there are fewer', () => {
    const items = Array.from({ length: 15 }, (_, i) => `SW-${String(i + 1).padStart(6, '0')}`);
    const december = seededSample(items, 10, 'hackney:2026-12');
    expect(seededSample(items, 10, 'hackney:2026-12')).toEqual(december);
    expect(new Set(december).size).toBe(10);
    expect(seededSample(items, 10, 'hackney:2027-01')).not.toEqual(december);
    expect(seededSample(items.slice(0, 3), 10, 'hackney:2026-12').sort()).toEqual(items.slice(0, 3));
    // A golden draw: changing the generator would silently change every council's past samples.
    expect(seededSample(['a', 'b', 'c', 'd', 'e', 'f'], 3, 'seed')).toEqual(['e', 'd', 'f']);
  });

  it('counts a deadline as missed when it fired, was met only after it fell due, or is overdue unswept', () => {
    const due = at('2026-12-01T17:00:00Z');
    const later = at('2026-12-02T10:00:00Z');
    expect(wasMissed({ status: 'done', dueAt: due, doneAt: later }, NOW)).toBe(true);
    expect(wasMissed({ status: 'met', dueAt: due, doneAt: later }, NOW)).toBe(true);
    expect(wasMissed({ status: 'met', dueAt: due, doneAt: at('2026-12-01T09:00:00Z') }, NOW)).toBe(false);
    expect(wasMissed({ status: 'cancelled', dueAt: due, doneAt: at('2026-11-30T09:00:00Z') }, NOW)).toBe(
      false,
    );
    expect(wasMissed({ status: 'pending', dueAt: due, doneAt: null }, NOW)).toBe(true);
    expect(wasMissed({ status: 'pending', dueAt: at('2027-02-01T17:00:00Z'), doneAt: null }, NOW)).toBe(
      false,
    );
  });
});

describe.each(databaseKinds)('the dashboard on %s', (kind) => {
  let db: Database;
  let url: string;
  let close: () => Promise<void>;
  let clock = NOW;
  const refs: Record<string, string> = {};
  const december: string[] = [];
  const january: string[] = [];

  const get = (path: string) => fetch(`${url}${path}`);
  const text = async (path: string) => {
    const res = await get(path);
    expect(res.status, `${path} answered ${res.status}`).toBe(200);
    return res.text();
  };
  const csv = async (query: string) => {
    const res = await get(`/dashboard/csv?${query}`);
    expect(res.status).toBe(200);
    const body = await res.text();
    return { res, body, rows: parseCsv(body.replace(/^\uFEFF/, '')) };
  };

  beforeAll(async () => {
    db = await freshDatabase(kind);
    const { workflow: w, store } = await hackneyWorkflow(db);
    const app: App = {
      config: configSchema.parse({}),
      db,
      profile: w.profile,
      calendar: w.calendar,
      store,
      workflow: w,
      reloadDirectory: async () => {},
      close: () => db.close(),
    };
    const start = async (name: string, input: StartInput, when: string) => {
      refs[name] = (await w.start(input, at(when))).ref;
      return refs[name] as string;
    };
    const ref = (name: string) => refs[name] as string;

    // October: a step-down whose child is never stepped back up (kept, seen with a longer period).
    await start('down3', withChild(stepDownToHub(), 'LCS-300004'), '2026-10-12T09:00:00Z');
    await w.accept({ actor: local('hana'), ref: ref('down3') }, at('2026-10-12T11:00:00Z'));
    // 23 November: the child LCS-100234 is stepped down, accepted the next day, allocated; the joint visit due
    // 1 December is never recorded.
    await start('down1', stepDownToHub(), '2026-11-23T10:00:00Z');
    await w.accept({ actor: local('hana'), ref: ref('down1') }, at('2026-11-24T10:00:00Z'));
    await w.allocate(
      { actor: local('hana'), ref: ref('down1'), service: 'Targeted Early Help' },
      at('2026-11-24T11:00:00Z'),
    );
    // Two step-ups MASH does not decide in time (due 3 and 4 December).
    await start('up2', withChild(stepUpToMash(), 'LCS-200001'), '2026-11-30T10:00:00Z');
    await start('up3', withChild(stepUpToMash(), 'LCS-200002'), '2026-12-01T10:00:00Z');
    // A step-down declined, and one with no case-system ID (it cannot be followed up).
    await start('down2', withChild(stepDownToHub(), 'LCS-300003'), '2026-12-02T10:00:00Z');
    await w.decline(
      { actor: local('hana'), ref: ref('down2'), reason: 'wrong-service' },
      at('2026-12-02T12:00:00Z'),
    );
    await start('down4', withChild(stepDownToHub(), null), '2026-12-03T10:00:00Z');
    await w.accept({ actor: local('hana'), ref: ref('down4') }, at('2026-12-03T11:00:00Z'));

    await sweepDueTimers(w, store, at('2026-12-04T10:00:00Z'));
    await w.accept({ actor: local('mo'), ref: ref('up2') }, at('2026-12-07T10:00:00Z'));
    await start('down5', withChild(stepDownToHub(), 'LCS-300005'), '2026-12-07T10:30:00Z');
    await w.accept({ actor: local('hana'), ref: ref('down5') }, at('2026-12-07T12:30:00Z'));
    // A decline disputed and left open (the sweep will climb it a rung).
    await start('up4', withChild(stepUpToMash(), 'LCS-200004'), '2026-12-08T10:00:00Z');
    await w.decline(
      { actor: local('mo'), ref: ref('up4'), reason: 'information-missing' },
      at('2026-12-08T11:00:00Z'),
    );
    await w.dispute(
      { actor: local('eve'), ref: ref('up4'), reason: secrets.disputeReason },
      at('2026-12-08T12:00:00Z'),
    );
    // The child stepped down on 23 November is stepped back up three weeks later; declined, disputed,
    // escalated to the heads of service, who uphold the decline.
    await start('up1', stepUpToMash(), '2026-12-14T10:00:00Z');
    await w.decline(
      { actor: local('mo'), ref: ref('up1'), reason: 'threshold-not-met', text: secrets.declineText },
      at('2026-12-14T14:00:00Z'),
    );
    await w.dispute(
      { actor: local('eve'), ref: ref('up1'), reason: secrets.disputeReason },
      at('2026-12-15T10:00:00Z'),
    );
    await w.escalate({ actor: local('mo'), ref: ref('up1') }, at('2026-12-16T10:00:00Z'));
    await w.resolve(
      { actor: local('hos-eh'), ref: ref('up1'), outcome: 'upheld', rationale: secrets.rationale },
      at('2026-12-17T10:00:00Z'),
    );
    // More requests to the front door (MASH), withdrawn at once: 12 in December, 3 in January.
    for (let i = 0; i < 12; i++) {
      const when = new Date(Date.UTC(2026, 11, 21 + Math.floor(i / 6), 9 + (i % 6)));
      const r = await start(`dec${i}`, withChild(stepUpToMash(), `LCS-90${i}`), when.toISOString());
      await w.withdraw(
        { actor: local('eve'), ref: r, reason: 'Sent by mistake' },
        new Date(when.getTime() + 600_000),
      );
    }
    for (let i = 0; i < 3; i++) {
      const when = new Date(Date.UTC(2027, 0, 5 + i, 10));
      const r = await start(`jan${i}`, withChild(stepUpToMash(), `LCS-80${i}`), when.toISOString());
      await w.withdraw(
        { actor: local('eve'), ref: r, reason: 'Sent by mistake' },
        new Date(when.getTime() + 600_000),
      );
      january.push(r);
    }
    // Yesterday's sweep: the decision on up3 is chased at last, and up4's disagreement climbs a rung.
    await sweepDueTimers(w, store, at('2027-01-19T10:00:00Z'));
    december.push(
      ref('up3'),
      ref('up4'),
      ref('up1'),
      ...Array.from({ length: 12 }, (_, i) => ref(`dec${i}`)),
    );

    const server = createHttpServer(
      dashboardRoutes(app, () => clock),
      pino({ level: 'silent' }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });

  afterAll(async () => {
    await close?.();
    await db?.close();
  });

  it('serves a whole page: filters, an accessible chart for each section, each with its table and CSV link', async () => {
    const res = await get('/dashboard');
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).toContain('<form class="filters" method="get" action="/dashboard"');
    expect(html).toContain('name="from" value="2026-10-22"');
    expect(html).toContain('name="to" value="2027-01-20"');
    const charts = html.match(/<svg [^>]*role="img"[^>]*>\s*<title id="[^"]+">[^<]+<\/title><desc/g) ?? [];
    expect(charts.length).toBe(7);
    for (const name of tableNames) {
      expect(html).toContain(
        `href="/dashboard/csv?table=${name}&amp;team=all&amp;from=2026-10-22&amp;to=2027-01-20`,
      );
    }
  });

  it('counts open transfers by state and by receiving team, now, whatever the period', async () => {
    const byState = await csv('table=open-by-state');
    expect(byState.rows).toEqual([
      ['State', 'Open transfers'],
      ['waiting for a decision', '1'],
      ['accepted, waiting for allocation', '4'],
      ['allocated', '1'],
      ['declined', '1'],
      ['escalated', '1'],
      ['disagreement resolved', '1'],
    ]);
    expect((await csv('table=open-by-team')).rows).toEqual([
      ['Receiving team', 'Open transfers'],
      ['Early Help Hub', '5'],
      ['MASH', '4'],
    ]);
    expect((await csv('table=open-by-state&team=mash')).rows.slice(1)).toEqual([
      ['waiting for a decision', '1'],
      ['accepted, waiting for allocation', '1'],
      ['escalated', '1'],
      ['disagreement resolved', '1'],
    ]);
  });

  it('measures working time to the first decision against the route deadline', async () => {
    const bins = await csv('table=decision-times');
    expect(bins.rows).toEqual([
      ['Working time to decision', 'Decided by the deadline', 'Decided late', 'No deadline', 'Total'],
      ['under 1 working day', '5', '0', '0', '5'],
      ['1 to 2 working days', '1', '0', '0', '1'],
      ['2 to 3 working days', '0', '0', '0', '0'],
      ['3 to 4 working days', '0', '0', '0', '0'],
      ['4 to 5 working days', '0', '0', '0', '0'],
      ['5 to 10 working days', '0', '1', '0', '1'],
      ['10 working days or more', '0', '0', '0', '0'],
    ]);
    const each = await csv('table=decisions');
    const row = (name: string) => each.rows.find((r) => r[0] === refs[name]);
    expect(each.rows.length).toBe(1 + 7);
    expect(row('down1')).toEqual([
      refs.down1,
      'Step down: Statutory to targeted Early Help (Tier 2)',
      'Early Help Hub',
      '2026-11-23 10:00',
      '2026-11-24 10:00',
      'accepted',
      '1',
      '2026-11-26 17:00',
      'yes',
    ]);
    // Up1's first decision is MASH's decline, not the ladder's later ruling.
    expect(row('up1')?.slice(4, 9)).toEqual([
      '2026-12-14 14:00',
      'declined',
      '0.5',
      '2026-12-17 17:00',
      'yes',
    ]);
    expect(row('up2')?.slice(4, 9)).toEqual(['2026-12-07 10:00', 'accepted', '5', '2026-12-03 17:00', 'no']);
    expect(row('up3')).toBeUndefined();
    const html = await text('/dashboard');
    expect(html).toContain('6 of 7 decisions with a deadline (85.7%) were made by the deadline.');
    expect(html).toContain('1 request sent in the period is still waiting for a decision.');
  });

  it('counts missed deadlines by ISO week: fired decisions (first chase only) and meetings', async () => {
    const { rows } = await csv('table=missed-deadlines');
    expect(rows[0]).toEqual(['Week', 'Week starting', 'Decisions', 'Meetings', 'Tasks', 'Total']);
    expect(rows.slice(1).map((r) => r[0])).toEqual([
      ...['43', '44', '45', '46', '47', '48', '49', '50', '51', '52', '53'].map((n) => `2026-W${n}`),
      '2027-W01',
      '2027-W02',
      '2027-W03',
    ]);
    // up2 (due 3 December, chased, accepted late) and up3 (due 4 December, chased at the next sweep);
    // down1's joint visit due 1 December.
    expect(rows.find((r) => r[0] === '2026-W49')).toEqual(['2026-W49', '2026-11-30', '2', '1', '0', '3']);
    expect(rows.slice(1).reduce((n, r) => n + Number(r[5]), 0)).toBe(3);
    const hub = await csv('table=missed-deadlines&team=hub');
    expect(hub.rows.find((r) => r[0] === '2026-W49')).toEqual(['2026-W49', '2026-11-30', '0', '1', '0', '1']);
  });

  it('shows disagreements by the ladder stage they reached and their outcome', async () => {
    expect((await csv('table=disputes')).rows).toEqual([
      ['Stage reached', 'Still open', 'Decision upheld', 'Decision overturned', 'Total'],
      ['Stage 1: Team managers', '0', '0', '0', '0'],
      ['Stage 2: Service managers / heads of service', '1', '1', '0', '2'],
      ['Stage 3: Director level (decides)', '0', '0', '0', '0'],
    ]);
  });

  it('finds the child stepped back up within 3 months, and who was kept at early help', async () => {
    expect((await csv('table=re-referrals')).rows).toEqual([
      [
        'Month of step-down',
        'Stepped down (with a case-system ID)',
        'Stepped back up within 3 calendar months',
        'Share stepped back up (%)',
      ],
      ['2026-10', '0', '0', '0'],
      ['2026-11', '1', '1', '100'],
      ['2026-12', '1', '0', '0'],
      ['2027-01', '0', '0', '0'],
    ]);
    expect((await csv('table=re-referral-list')).rows).toEqual([
      ['Step-down', 'Stepped down on', 'Step-up', 'Stepped up on', 'Days between', 'Step-up sent to'],
      [refs.down1, '2026-11-23', refs.up1, '2026-12-14', '21', 'MASH'],
    ]);
    // From 1 October the October step-down is in the period: three months on, still at early help.
    const kept = await csv('table=kept-at-early-help&from=2026-10-01&to=2027-01-20');
    expect(kept.rows).toEqual([
      [
        'Month of step-down',
        'Stepped down',
        'Kept (3 calendar months passed with no step-up)',
        'No step-up yet (3 calendar months not yet passed)',
        'Stepped back up',
        'No case-system ID',
      ],
      ['2026-10', '1', '1', '0', '0', '0'],
      ['2026-11', '1', '0', '0', '1', '0'],
      ['2026-12', '2', '0', '1', '0', '1'],
      ['2027-01', '0', '0', '0', '0', '0'],
    ]);
    expect(kept.res.headers.get('content-disposition')).toBe(
      'attachment; filename=stepwise-kept-at-early-help-2026-10-01-2027-01-20.csv',
    );
  });

  it("draws Halton's Contact Challenge sample reproducibly from last month's front-door requests", async () => {
    const first = await csv('table=contact-challenge');
    const again = await csv('table=contact-challenge');
    expect(again.body).toBe(first.body);
    expect(first.rows[0]).toEqual(['Reference', 'Sent', 'Route', 'Receiving team', 'State']);
    const sample = first.rows.slice(1).map((r) => r[0] as string);
    expect(sample.length).toBe(10);
    expect(new Set(sample).size).toBe(10);
    expect(december).toEqual(expect.arrayContaining(sample));
    expect(sample).toEqual([...sample].sort());
    expect(sample).toEqual(seededSample([...december].sort(), 10, 'hackney:2026-12').sort());
    for (const row of first.rows.slice(1)) {
      expect(row[1]).toMatch(/^2026-12-/);
      expect(row.slice(2, 4)).toEqual(['Request for support for Statutory Services (Tiers 3 and 4)', 'MASH']);
    }
    // The page shows the same draw.
    const html = await text('/dashboard');
    expect(html).toContain('10 of the 15 requests sent to MASH in December 2026, drawn at random.');
    for (const r of sample) expect(html).toContain(`<th scope="row">${r}</th>`);

    // A month later, last month is January: its three requests, all of them.
    clock = at('2027-02-10T12:00:00Z');
    try {
      const next = await csv('table=contact-challenge');
      expect(next.rows.slice(1).map((r) => r[0])).toEqual(january);
      expect(await text('/dashboard')).toContain('All 3 requests sent to MASH in January 2027');
    } finally {
      clock = NOW;
    }
    expect((await csv('table=contact-challenge&month=2027-01')).rows.slice(1).map((r) => r[0])).toEqual(
      january,
    );
    expect((await csv('table=contact-challenge&month=2026-12')).body).toBe(first.body);
  });

  it('answers a bad filter with 400 and one plain sentence, never a stack trace', async () => {
    const cases: [string, RegExp][] = [
      ['/dashboard?from=notadate', /^The "from" date "notadate" is not a date: write it as YYYY-MM-DD/],
      ['/dashboard?to=2026-02-30', /^The "to" date "2026-02-30" is not a date/],
      ['/dashboard?team=unknown', /^There is no team "unknown" in the directory/],
      ['/dashboard?from=2027-01-10&to=2027-01-01', /^The period starts \(2027-01-10\) after it ends/],
      ['/dashboard?from=2020-01-01&to=2027-01-01', /^The period is longer than three years/],
      ['/dashboard?month=december', /^The month "december" is not a month/],
    ];
    for (const [path, message] of cases) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const paragraph = /<p>([^<]+)<\/p>/.exec(await res.text())?.[1] ?? '';
      expect(paragraph.replaceAll('&quot;', '"'), path).toMatch(message);
      expect(paragraph).not.toMatch(/\bat \S+:\d+|Error/);
    }
    const unknown = await get('/dashboard/csv?table=children');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await unknown.text()).toBe(
      `There is no table "children": choose one of ${tableNames.join(', ')}.\n`,
    );
    const missing = await get('/dashboard/csv');
    expect(missing.status).toBe(400);
    expect(await missing.text()).toMatch(/^Say which table to download/);
    const badTeam = await get('/dashboard/csv?table=disputes&team=nobody');
    expect(badTeam.status).toBe(400);
    expect(await badTeam.text()).toBe(
      'There is no team "nobody" in the directory: choose a team from the list, or all teams.\n',
    );
  });

  it("never shows a child's name, date of birth, case-system ID or any narrative, on the page or in a CSV", async () => {
    const up = stepUpToMash().form as Record<string, string>;
    const down = stepDownToHub().form as Record<string, string>;
    const forbidden = [
      up.child_name,
      up.child_dob,
      up.child_ref,
      up.needs_and_concerns,
      up.support_requested,
      down.reason_for_early_help,
      down.current_plan,
      'Mother',
      ...Object.values(secrets),
    ] as string[];
    const bodies = [
      await text('/dashboard'),
      await text('/dashboard?from=2026-10-01&to=2027-01-20&team=mash'),
      ...(await Promise.all(
        tableNames.map(async (name) => (await csv(`table=${name}&from=2026-10-01`)).body),
      )),
    ];
    for (const body of bodies) {
      for (const secret of forbidden) {
        expect(body).not.toContain(secret);
        expect(body).not.toContain(secret.replaceAll("'", '&#39;'));
      }
    }
  });
});
