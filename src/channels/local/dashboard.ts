/**
 * The local workspace's dashboard: `GET /dashboard`, one HTML page whose charts are drawn on the server as
 * inline SVG (no script, nothing fetched from elsewhere), and `GET /dashboard/csv?table=...`, the table
 * behind any chart as CSV. Filters are a plain GET form: the receiving team and the period.
 *
 * It shows references and counts only, never a child's name, date of birth, address or the narrative: the
 * loaders in dashboard-data.ts do not even read them. A bad filter value is answered 400 with one sentence.
 */
import type { ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import type { App } from '../../app.ts';
import type { Routes } from '../../server/http.ts';
import { type Bar, barChart, colours, escapeHtml, type Series } from './charts.ts';
import {
  type Cell,
  type DashboardContext,
  type DashboardFilter,
  type DecisionData,
  type DisputeStageRow,
  decisionSummary,
  decisionTables,
  disputeTables,
  durationText,
  isTableName,
  loadDecisions,
  loadDisputes,
  loadMissed,
  loadOpen,
  loadSample,
  loadStepDowns,
  loadTable,
  missedTables,
  type OpenData,
  openTables,
  type SampleData,
  type StepDownData,
  sampleTables,
  stepDownCounts,
  stepDownTables,
  type Table,
  tableNames,
  type WeekRow,
} from './dashboard-data.ts';

/** A filter value the dashboard cannot use; its message is the one sentence the person sees. */
class BadQuery extends Error {}

/** The longest period one page covers (three years): enough for an annual report, bounded for the database. */
const maxPeriodDays = 1096;
const defaultPeriodDays = 90;

export function dashboardRoutes(app: App, now: () => Date): Routes {
  return {
    'GET /dashboard': async (req, res) => {
      const at = now();
      const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const filter = readFilter(params, app, at);
      if (typeof filter === 'string') return sendText(res, 400, 'text/html', errorPage(filter));
      const ctx = context(app, filter, at);
      const [open, decisions, missed, disputes, stepDowns, sample] = await Promise.all([
        loadOpen(ctx),
        loadDecisions(ctx),
        loadMissed(ctx),
        loadDisputes(ctx),
        loadStepDowns(ctx),
        loadSample(ctx),
      ]);
      const page = renderPage(ctx, { open, decisions, missed, disputes, stepDowns, sample });
      sendText(res, 200, 'text/html', page);
    },
    'GET /dashboard/csv': async (req, res) => {
      const at = now();
      const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const name = (params.get('table') ?? '').trim();
      if (!isTableName(name)) {
        const message = name
          ? `There is no table "${shown(name)}": choose one of ${tableNames.join(', ')}.`
          : `Say which table to download with table=, one of ${tableNames.join(', ')}.`;
        return sendText(res, 400, 'text/plain', `${message}\n`);
      }
      const filter = readFilter(params, app, at);
      if (typeof filter === 'string') return sendText(res, 400, 'text/plain', `${filter}\n`);
      const table = await loadTable(context(app, filter, at), name);
      res.writeHead(200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename=stepwise-${name}-${filter.from}-${filter.to}.csv`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      });
      res.end(toCsv(table));
    },
  };
}

function context(app: App, filter: DashboardFilter, now: Date): DashboardContext {
  // The directory is read at each request: `reloadDirectory` replaces the workflow when it changes.
  return {
    prisma: app.db.prisma,
    profile: app.profile,
    calendar: app.calendar,
    directory: app.workflow.directory,
    filter,
    now,
  };
}

// ---- the filter ------------------------------------------------------------------------------------------

/** What the person typed, cut short so a long value cannot fill the message. */
function shown(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function dateParam(params: URLSearchParams, name: string, fallback: DateTime, zone: string): DateTime {
  const text = (params.get(name) ?? '').trim();
  if (!text) return fallback;
  const d = /^\d{4}-\d{2}-\d{2}$/.test(text) ? DateTime.fromISO(text, { zone }) : null;
  if (!d?.isValid) {
    throw new BadQuery(
      `The "${name}" date "${shown(text)}" is not a date: write it as YYYY-MM-DD, for example 2026-11-23.`,
    );
  }
  return d.startOf('day');
}

function monthParam(params: URLSearchParams, fallback: DateTime, zone: string): DateTime {
  const text = (params.get('month') ?? '').trim();
  if (!text) return fallback;
  const m = /^\d{4}-\d{2}$/.test(text) ? DateTime.fromFormat(text, 'yyyy-MM', { zone }) : null;
  if (!m?.isValid) {
    throw new BadQuery(
      `The month "${shown(text)}" is not a month: write it as YYYY-MM, for example 2026-12.`,
    );
  }
  return m.startOf('month');
}

/**
 * The filter from the query: team (a receiving team's id, or "all"), from and to (local dates, both included;
 * by default the 90 days up to today), and month (the Contact Challenge month; by default the previous
 * calendar month in the council's time zone). A bad value gives the sentence to show instead.
 */
function readFilter(params: URLSearchParams, app: App, now: Date): DashboardFilter | string {
  try {
    const zone = app.calendar.timeZone;
    const today = DateTime.fromJSDate(now, { zone }).startOf('day');
    const team = (params.get('team') ?? '').trim();
    if (team && team !== 'all' && !app.workflow.directory.team(team)) {
      throw new BadQuery(
        `There is no team "${shown(team)}" in the directory: choose a team from the list, or all teams.`,
      );
    }
    const to = dateParam(params, 'to', today, zone);
    const from = dateParam(params, 'from', to.minus({ days: defaultPeriodDays }), zone);
    if (from > to) {
      throw new BadQuery(
        `The period starts (${from.toISODate()}) after it ends (${to.toISODate()}): swap the two dates.`,
      );
    }
    if (to.diff(from, 'days').days + 1 > maxPeriodDays) {
      throw new BadQuery('The period is longer than three years: choose a shorter one.');
    }
    const month = monthParam(params, today.startOf('month').minus({ months: 1 }), zone);
    return {
      teamId: team && team !== 'all' ? team : null,
      from: from.toISODate() as string,
      to: to.toISODate() as string,
      start: from.toJSDate(),
      end: to.plus({ days: 1 }).startOf('day').toJSDate(),
      month: month.toFormat('yyyy-MM'),
      monthStart: month.toJSDate(),
      monthEnd: month.plus({ months: 1 }).toJSDate(),
    };
  } catch (e) {
    if (e instanceof BadQuery) return e.message;
    throw e;
  }
}

// ---- CSV -------------------------------------------------------------------------------------------------

/**
 * One CSV field (RFC 4180). Written here rather than taken from a library: quoting is a few lines, and the
 * rule that matters most for files opened in Excel is ours to apply anyway: text that starts with = + - @
 * (or a tab or carriage return) is prefixed with ' so the spreadsheet shows it instead of running a formula.
 */
export function csvField(cell: Cell): string {
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  const text = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A header row, then the rows, CRLF line ends; a byte-order mark first so Excel reads the file as UTF-8. */
export function toCsv(table: Table): string {
  const lines = [table.columns, ...table.rows].map((row) => row.map(csvField).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

// ---- HTTP ------------------------------------------------------------------------------------------------

const securityHeaders = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  // Nothing but the page itself: no script, no outside fetch; the form may only go back to this server.
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

function sendText(res: ServerResponse, status: number, type: 'text/html' | 'text/plain', body: string): void {
  res.writeHead(status, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
    ...securityHeaders,
  });
  res.end(body);
}

// ---- the page --------------------------------------------------------------------------------------------

const styles = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;color:#0b0c0c;background:#fff;line-height:1.45}
main{max-width:62rem;margin:0 auto;padding:1rem 1.25rem 3rem}
h1{font-size:1.7rem;margin:.5rem 0 .25rem}
h2{font-size:1.3rem;margin:2.5rem 0 .4rem;padding-top:1rem;border-top:2px solid #b1b4b6}
p{max-width:48rem}
.note{color:#505a5f;font-size:.92rem}
.filters{display:flex;flex-wrap:wrap;gap:1rem;align-items:flex-end;background:#f3f2f1;padding:.75rem 1rem;margin:1rem 0}
.filters label{display:flex;flex-direction:column;font-weight:600;font-size:.92rem;gap:.2rem}
input,select,button{font:inherit;padding:.3rem .45rem}
button{background:#00703c;color:#fff;border:0;padding:.4rem 1.1rem;cursor:pointer}
a:focus,input:focus,select:focus,button:focus,summary:focus{outline:3px solid #fd0;outline-offset:0}
.glance{display:flex;flex-wrap:wrap;gap:.75rem;list-style:none;padding:0;margin:1rem 0}
.glance li{border-left:5px solid #0072B2;background:#f3f2f1;padding:.35rem .9rem;min-width:9rem}
.glance strong{display:block;font-size:1.6rem}
.chart{display:block;max-width:100%;height:auto;margin:.75rem 0}
.chart text{font:12px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:#0b0c0c}
.chart .axis{stroke:#505a5f;stroke-width:1}
table{border-collapse:collapse;margin:.5rem 0 .25rem;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #b1b4b6;padding:.25rem .55rem;text-align:left;vertical-align:top}
thead th{background:#f3f2f1}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th[scope="row"],td.num,td.date{white-space:nowrap}
.empty{font-style:italic}
details{margin:.5rem 0}
summary{cursor:pointer;font-weight:600}
@media print{.filters,.download{display:none}}
`;

function page(title: string, body: string): string {
  return (
    '<!doctype html>\n<html lang="en-GB"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title><style>${styles}</style></head>` +
    `<body><main>${body}</main></body></html>\n`
  );
}

function errorPage(message: string): string {
  return page(
    'Stepwise dashboard: check the filter',
    `<h1>Check the filter</h1><p>${escapeHtml(message)}</p><p><a href="/dashboard">Back to the dashboard</a></p>`,
  );
}

function csvHref(f: DashboardFilter, table: string): string {
  const q = new URLSearchParams({ table, team: f.teamId ?? 'all', from: f.from, to: f.to });
  if (table === 'contact-challenge') q.set('month', f.month);
  return `/dashboard/csv?${q}`;
}

function download(f: DashboardFilter, table: Table): string {
  return `<p class="download"><a href="${escapeHtml(csvHref(f, table.name))}" download>Download “${escapeHtml(table.title)}” as CSV</a></p>`;
}

function htmlTable(t: Table, empty: string): string {
  const head = t.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const cell = (c: Cell, i: number) =>
    i === 0
      ? `<th scope="row">${escapeHtml(String(c))}</th>`
      : typeof c === 'number'
        ? `<td class="num">${c}</td>`
        : `<td${/^\d{4}-\d{2}-\d{2}/.test(c) ? ' class="date"' : ''}>${escapeHtml(c)}</td>`;
  const body = t.rows.length
    ? t.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')
    : `<tr><td colspan="${t.columns.length}" class="empty">${escapeHtml(empty)}</td></tr>`;
  return `<table><caption>${escapeHtml(t.title)}</caption><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** A table with its download link; long lists fold away behind a summary (HTML's own, no script). */
function tableBlock(f: DashboardFilter, t: Table, empty: string, folded = false): string {
  const inner = htmlTable(t, empty) + download(f, t);
  return folded
    ? `<details><summary>${escapeHtml(t.title)} (${t.rows.length})</summary>${inner}</details>`
    : inner;
}

function section(id: string, heading: string, intro: string, content: string): string {
  return `<section id="${id}" aria-labelledby="${id}-h"><h2 id="${id}-h">${escapeHtml(heading)}</h2>${intro}${content}</section>`;
}

const para = (text: string, cls = '') => `<p${cls ? ` class="${cls}"` : ''}>${escapeHtml(text)}</p>`;
const one = (name: string): Series[] => [{ name, colour: colours.blue }];
const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

function monthName(month: string): string {
  return DateTime.fromFormat(month, 'yyyy-MM', { locale: 'en-GB' }).toFormat('LLLL yyyy');
}

function shortDate(localDate: string): string {
  return DateTime.fromISO(localDate, { locale: 'en-GB' }).toFormat('d LLL yyyy');
}

interface PageData {
  open: OpenData;
  decisions: DecisionData;
  missed: WeekRow[];
  disputes: DisputeStageRow[];
  stepDowns: StepDownData;
  sample: SampleData;
}

function filterForm(ctx: DashboardContext): string {
  const f = ctx.filter;
  const teams = [...ctx.directory.teams].sort((a, b) => a.name.localeCompare(b.name));
  const option = (value: string, label: string) =>
    `<option value="${escapeHtml(value)}"${(f.teamId ?? 'all') === value ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  return (
    '<form class="filters" method="get" action="/dashboard" aria-label="Filters">' +
    `<label for="team">Receiving team<select id="team" name="team">${option('all', 'All teams')}${teams.map((t) => option(t.id, t.name)).join('')}</select></label>` +
    `<label for="from">From<input type="date" id="from" name="from" value="${f.from}" required></label>` +
    `<label for="to">To<input type="date" id="to" name="to" value="${f.to}" required></label>` +
    `<input type="hidden" name="month" value="${f.month}">` +
    '<button type="submit">Show</button></form>'
  );
}

function glance(d: PageData): string {
  const s = decisionSummary(d.decisions);
  const missed = d.missed.reduce(
    (n, w) => n + w.counts.decision_due + w.counts.meeting_due + w.counts.task_due,
    0,
  );
  const disputes = d.disputes.reduce((n, r) => n + r.open + r.upheld + r.overturned, 0);
  const back = d.stepDowns.rows.filter((r) => r.outcome === 'stepped_back_up').length;
  const item = (value: string, label: string) =>
    `<li><strong>${escapeHtml(value)}</strong>${escapeHtml(label)}</li>`;
  return (
    '<ul class="glance" aria-label="At a glance">' +
    item(String(d.open.total), 'open transfers now') +
    item(s.withDeadline ? `${s.share}%` : '–', 'decided by the deadline') +
    item(String(missed), 'deadlines missed') +
    item(String(disputes), 'disagreements') +
    item(String(back), 'stepped back up') +
    '</ul>'
  );
}

function openSection(ctx: DashboardContext, d: OpenData): string {
  const [byState, byTeam] = openTables(d) as [Table, Table];
  const scope = ctx.filter.teamId ? ` received by ${ctx.directory.team(ctx.filter.teamId)?.name}` : '';
  const charts =
    barChart({
      id: 'open-state',
      title: 'Open transfers by state',
      summary: `${plural(d.total, 'open transfer')}${scope}, by state: ${d.byState.map((s) => `${s.label} ${s.count}`).join('; ')}.`,
      series: one('Open transfers'),
      bars: d.byState.map((s) => ({ label: s.label, values: [s.count] })),
      empty: 'No transfers are open.',
    }) +
    tableBlock(ctx.filter, byState, 'No transfers are open.') +
    barChart({
      id: 'open-team',
      title: 'Open transfers by receiving team',
      summary: `Open transfers by receiving team: ${d.byTeam.map((t) => `${t.name} ${t.count}`).join('; ')}.`,
      series: one('Open transfers'),
      bars: d.byTeam.map((t) => ({ label: t.name, values: [t.count] })),
      empty: 'No transfers are open.',
    }) +
    tableBlock(ctx.filter, byTeam, 'No transfers are open.');
  return section(
    'open',
    'Open transfers now',
    para(
      'Requests sent and not yet closed or withdrawn, as they stand now: the period does not apply here, the team filter does.',
      'note',
    ),
    charts,
  );
}

function decisionSection(ctx: DashboardContext, d: DecisionData): string {
  const [bins, each] = decisionTables(d, ctx) as [Table, Table];
  const s = decisionSummary(d);
  const deadlines = [
    ...new Set(
      ctx.profile.routes.flatMap((r) =>
        r.decision.mode === 'decide' && r.decision.due ? [durationText(r.decision.due)] : [],
      ),
    ),
  ];
  const headline = s.withDeadline
    ? `${s.inTime} of ${plural(s.withDeadline, 'decision')} with a deadline (${s.share}%) were made by the deadline.`
    : 'No decisions with a deadline were made on requests sent in this period.';
  const series: Series[] = [
    { name: 'By the deadline', colour: colours.green },
    { name: 'Late', colour: colours.vermillion },
    { name: 'No deadline', colour: colours.grey },
  ];
  const chart = barChart({
    id: 'decision-times',
    title: 'Working time from request to decision',
    summary: `${headline} Decisions by working time taken: ${d.bins.map((b) => `${b.label} ${b.inTime + b.late + b.noDeadline}`).join('; ')}.`,
    series,
    bars: d.bins.map((b) => ({ label: b.label, values: [b.inTime, b.late, b.noDeadline] })),
    empty: 'No decisions were made on requests sent in this period.',
  });
  return section(
    'decisions',
    'Time from request to decision',
    `<p><strong>${escapeHtml(headline)}</strong> ${escapeHtml(
      `${plural(d.waiting, 'request')} sent in the period ${d.waiting === 1 ? 'is' : 'are'} still waiting for a decision.`,
    )}</p>` +
      para(
        `Working time (working days of ${ctx.calendar.config.workingHours.start} to ${ctx.calendar.config.workingHours.end}, ` +
          'weekends and bank holidays left out) from the request, or its resubmission after more information, to the ' +
          `receiving team's first decision, for requests sent in the period. The deadline is the route's decision time` +
          `${deadlines.length ? ` (${deadlines.join(', ')})` : ''}.`,
        'note',
      ),
    chart +
      tableBlock(ctx.filter, bins, 'No decisions.') +
      tableBlock(ctx.filter, each, 'No decisions.', true),
  );
}

function missedSection(ctx: DashboardContext, weeks: WeekRow[]): string {
  const [table] = missedTables(weeks) as [Table];
  const series: Series[] = [
    { name: 'Decisions', colour: colours.blue },
    { name: 'Meetings', colour: colours.orange },
    { name: 'Tasks', colour: colours.purple },
  ];
  const bars: Bar[] = weeks.map((w) => ({
    label: `${w.week} (week of ${shortDate(w.monday)})`,
    values: [w.counts.decision_due, w.counts.meeting_due, w.counts.task_due],
  }));
  const total = weeks.reduce(
    (n, w) => n + w.counts.decision_due + w.counts.meeting_due + w.counts.task_due,
    0,
  );
  return section(
    'missed',
    'Deadlines missed per week',
    para(
      'Decision, meeting and task deadlines that fell due in the period and passed before they were met (the bot chased ' +
        'them), by the week they fell due. A late decision counts once, however many managers were chased.',
      'note',
    ),
    barChart({
      id: 'missed-deadlines',
      title: 'Deadlines missed per week',
      summary: `${plural(total, 'deadline')} missed in the period: ${weeks
        .filter((_, i) => (bars[i]?.values ?? []).some((v) => v > 0))
        .map((w) => `${w.week} ${w.counts.decision_due + w.counts.meeting_due + w.counts.task_due}`)
        .join('; ')}.`,
      series,
      bars,
      empty: 'No deadline was missed in this period.',
    }) + tableBlock(ctx.filter, table, 'No weeks in this period.'),
  );
}

function disputeSection(ctx: DashboardContext, rows: DisputeStageRow[]): string {
  const [table] = disputeTables(rows) as [Table];
  const series: Series[] = [
    { name: 'Still open', colour: colours.sky },
    { name: 'Decision upheld', colour: colours.orange },
    { name: 'Decision overturned', colour: colours.purple },
  ];
  return section(
    'disputes',
    'Disagreements by ladder stage and outcome',
    para(
      'Professional disagreements opened in the period, by the highest stage of the escalation ladder they reached and how they ended.',
      'note',
    ),
    barChart({
      id: 'disputes',
      title: 'Disagreements by ladder stage reached and outcome',
      summary: `Disagreements by stage reached: ${rows.map((r) => `${r.stage}: ${r.open} open, ${r.upheld} upheld, ${r.overturned} overturned`).join('; ')}.`,
      series,
      bars: rows.map((r) => ({ label: r.stage, values: [r.open, r.upheld, r.overturned] })),
      empty: 'No disagreements were opened in this period.',
    }) + tableBlock(ctx.filter, table, 'No disagreements.'),
  );
}

function stepDownSections(ctx: DashboardContext, d: StepDownData): string {
  const [rates, list, kept] = stepDownTables(d, ctx) as [Table, Table, Table];
  const within = durationText(d.window);
  const untraceable = d.rows.filter((r) => r.outcome === 'untraceable').length;
  const months = d.months.map((m) => ({ month: m, c: stepDownCounts(d, m) }));
  const reReferrals = section(
    're-referrals',
    `Stepped back up within ${within} of a step-down`,
    para(
      `Step-downs sent in the period that went ahead, and how many of those children were stepped back up (a new step-up ` +
        `request for the same case-system ID) within ${within}.` +
        (untraceable
          ? ` ${plural(untraceable, 'step-down')} had no case-system ID and cannot be followed.`
          : ''),
      'note',
    ),
    barChart({
      id: 're-referrals',
      title: `Step-downs and re-referrals within ${within}, by month of step-down`,
      summary: months
        .map(
          ({ month, c }) =>
            `${monthName(month)}: ${c.stepped_back_up} of ${c.stepped_back_up + c.kept + c.too_soon} stepped back up`,
        )
        .join('; '),
      series: [
        { name: 'Not stepped back up', colour: colours.green },
        { name: 'Stepped back up', colour: colours.vermillion },
      ],
      bars: months.map(({ month, c }) => ({
        label: monthName(month),
        values: [c.kept + c.too_soon, c.stepped_back_up],
      })),
      empty: 'No step-downs went ahead in this period.',
    }) +
      tableBlock(ctx.filter, rates, 'No months.') +
      tableBlock(ctx.filter, list, 'No child stepped down in the period was stepped back up.', true),
  );
  const keptSection = section(
    'kept',
    'Stepped down and kept at early help',
    para(
      `Halton monitors how many children stay at early help after a step-down. Kept: ${within} have passed with no ` +
        `step-up; no step-up yet: ${within} have not passed yet. A step-down counts as kept only once ${within} have ` +
        'passed, so choose a longer period to see it for earlier months.',
      'note',
    ),
    barChart({
      id: 'kept',
      title: 'Step-downs by what happened next, by month of step-down',
      summary: months
        .map(
          ({ month, c }) =>
            `${monthName(month)}: ${c.kept} kept, ${c.too_soon} no step-up yet, ${c.stepped_back_up} stepped back up, ${c.untraceable} without a case-system ID`,
        )
        .join('; '),
      series: [
        { name: 'Kept', colour: colours.green },
        { name: 'No step-up yet', colour: colours.sky },
        { name: 'Stepped back up', colour: colours.vermillion },
        { name: 'No case-system ID', colour: colours.grey },
      ],
      bars: months.map(({ month, c }) => ({
        label: monthName(month),
        values: [c.kept, c.too_soon, c.stepped_back_up, c.untraceable],
      })),
      empty: 'No step-downs went ahead in this period.',
    }) + tableBlock(ctx.filter, kept, 'No months.'),
  );
  return reReferrals + keptSection;
}

function sampleSection(ctx: DashboardContext, d: SampleData): string {
  const [table] = sampleTables(d, ctx) as [Table];
  const f = ctx.filter;
  const picker =
    '<form class="filters" method="get" action="/dashboard" aria-label="Contact Challenge month">' +
    `<input type="hidden" name="team" value="${escapeHtml(f.teamId ?? 'all')}">` +
    `<input type="hidden" name="from" value="${f.from}"><input type="hidden" name="to" value="${f.to}">` +
    `<label for="month">Month<input type="month" id="month" name="month" value="${f.month}" required></label>` +
    '<button type="submit">Draw</button></form>';
  const drawn =
    d.candidates === 0
      ? `No requests went to ${d.frontDoor} in ${monthName(d.month)}.`
      : d.candidates <= d.size
        ? `All ${plural(d.candidates, 'request')} sent to ${d.frontDoor} in ${monthName(d.month)} (there were no more than ${d.size}).`
        : `${d.size} of the ${d.candidates} requests sent to ${d.frontDoor} in ${monthName(d.month)}, drawn at random.`;
  return section(
    'contact-challenge',
    `Contact Challenge sample (Halton's practice): ${monthName(d.month)}`,
    para(
      "Halton's practice: each month a multi-agency meeting reviews a random sample of the previous month's requests to " +
        'the front door, their outcome and screening. The draw is seeded with the protocol and the month, so anyone ' +
        'opening this page gets the same sample for the same month. It covers every team, whatever the team filter.',
      'note',
    ) + para(drawn),
    picker + tableBlock(f, table, 'Nothing to sample.'),
  );
}

function renderPage(ctx: DashboardContext, d: PageData): string {
  const f = ctx.filter;
  const team = f.teamId ? (ctx.directory.team(f.teamId)?.name ?? f.teamId) : 'all teams';
  const body =
    `<h1>Stepwise dashboard: ${escapeHtml(ctx.profile.council)}</h1>` +
    para(
      `${ctx.profile.name}. Figures for ${team}, requests sent from ${shortDate(f.from)} to ${shortDate(f.to)}, as of ` +
        `${ctx.calendar.localDateTime(ctx.now)} (${ctx.calendar.timeZone} time). References and counts only: no child's details are shown here.`,
      'note',
    ) +
    filterForm(ctx) +
    glance(d) +
    openSection(ctx, d.open) +
    decisionSection(ctx, d.decisions) +
    missedSection(ctx, d.missed) +
    disputeSection(ctx, d.disputes) +
    stepDownSections(ctx, d.stepDowns) +
    sampleSection(ctx, d.sample);
  return page(`Stepwise dashboard: ${ctx.profile.council}`, body);
}
