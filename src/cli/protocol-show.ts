/** `stepwise protocol show`: a profile's routes, deadlines and ladder as a table a person can read. */
import type { Duration } from '../domain/calendar.ts';
import type { ProtocolProfile, Route } from '../domain/profile.ts';

const unitWords: Record<Duration['unit'], [string, string]> = {
  working_days: ['working day', 'working days'],
  working_hours: ['working hour', 'working hours'],
  clock_hours: ['hour', 'hours'],
  calendar_days: ['day', 'days'],
  weeks: ['week', 'weeks'],
  calendar_months: ['month', 'months'],
};

export function durationText(d: Duration): string {
  const n = Math.abs(d.amount);
  if (d.unit === 'working_days' && d.amount === 0) return 'the same working day';
  const [one, many] = unitWords[d.unit];
  return `${n} ${n === 1 ? one : many}${d.amount < 0 ? ' before' : ''}`;
}

function anchorText(a: Route['meetings'][number]['anchor']): string {
  return typeof a === 'string' ? a : `the date in "${a.field}"`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function showProfile(p: ProtocolProfile): string {
  const name = (id: string) => p.services.find((s) => s.id === id)?.name ?? id;
  const level = (id: string) => p.levels.find((l) => l.id === id)?.name ?? id;
  const out: string[] = [`${p.name} (${p.id})`, p.source, ''];
  out.push('Routes');
  out.push(
    table([
      ['id', 'kind', 'from', 'to', 'decision'],
      ...p.routes.map((r) => [
        r.id,
        r.kind,
        `${r.from.services.map(name).join(' / ')} (${r.from.levels.map(level).join(', ')})`,
        `${name(r.to.service)} (${r.to.levels.map(level).join(', ')}${r.to.levelAtAllocation ? '; decided at allocation' : ''})`,
        r.decision.mode === 'notify'
          ? 'nobody decides: notified'
          : r.decision.due
            ? `within ${durationText(r.decision.due)}`
            : 'no time limit',
      ]),
    ]),
  );
  out.push('', 'Deadlines, meetings and gates');
  const rows: string[][] = [['route', 'what', 'when']];
  for (const r of p.routes) {
    for (const m of r.meetings) {
      rows.push([
        r.id,
        `${m.label}${m.optional ? ' (if appropriate)' : ''}`,
        m.within
          ? `within ${durationText(m.within)} of ${anchorText(m.anchor)}`
          : `after ${anchorText(m.anchor)}`,
      ]);
    }
    for (const t of r.tasks)
      rows.push([r.id, `${t.label} (${t.owner} side)`, `${durationText(t.offset)} ${anchorText(t.anchor)}`]);
    for (const g of r.gates)
      rows.push([
        r.id,
        `gate: ${g.description}`,
        g.kind === 'notice'
          ? `at least ${durationText(g.atLeast)} notice`
          : g.blocking
            ? 'blocks submission'
            : 'warning',
      ]);
    if (r.consent.required) {
      rows.push([
        r.id,
        'consent',
        r.consent.notSoughtReasons.length
          ? `required; override only for: ${r.consent.notSoughtReasons.join(', ')}`
          : 'required; cannot be overridden',
      ]);
    }
  }
  out.push(table(rows));
  for (const ladder of p.ladders) {
    out.push(
      '',
      `Escalation ladder: ${ladder.name} (${ladder.id})${ladder.id === p.defaultLadder ? ', the default' : ''}`,
    );
    out.push(
      table([
        ['stage', 'who', 'time limit'],
        ...ladder.stages.map((s, i) => [
          `${i + 1}. ${s.name}`,
          s.who,
          `${durationText(s.timeLimit)}${i === ladder.stages.length - 1 ? ' (decides)' : ''}`,
        ]),
      ]),
    );
  }
  out.push(
    '',
    `Emergency: ${p.emergency.title}: ${p.emergency.phones.map((x) => `${x.label} ${x.number}`).join('; ')}`,
  );
  if (p.notes.length) out.push('', 'Notes', ...p.notes.map((n) => `- ${n}`));
  return out.join('\n');
}
