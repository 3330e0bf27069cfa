/**
 * The request form: turning what a person typed into typed values, and the errors a person can act on.
 * Surfaces send strings (Slack, Teams, the browser); the route's field list says what each must be.
 */
import type { WorkingCalendar } from './calendar.ts';
import { baseFields, type Condition, type FormField, type Route } from './profile.ts';

export type FormValue = string | number | boolean | string[];
export type FormValues = Record<string, FormValue>;
export interface FieldError {
  field: string;
  message: string;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const localDateTime = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/;
const email = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** All the fields of a route's form, the ones every request has first. */
export function routeFields(route: Route): FormField[] {
  const base = route.caseIdRequired
    ? baseFields.map((f) => (f.id === 'child_ref' ? { ...f, required: true } : f))
    : baseFields;
  return [...base, ...route.fields];
}

function isBlank(raw: unknown): boolean {
  return (
    raw === undefined ||
    raw === null ||
    (typeof raw === 'string' && raw.trim() === '') ||
    (Array.isArray(raw) && raw.length === 0)
  );
}

/** Converts one raw value; returns an error message instead when it is not what the field expects. */
function coerce(field: FormField, raw: unknown, calendar: WorkingCalendar): FormValue | { error: string } {
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (field.type) {
    case 'text':
    case 'textarea': {
      if (typeof text !== 'string') return { error: 'should be text' };
      const max = field.maxLength ?? (field.type === 'text' ? 300 : 3000);
      if (text.length > max) return { error: `is too long (${text.length} characters; at most ${max})` };
      return text;
    }
    case 'email':
      if (typeof text !== 'string' || !email.test(text)) return { error: 'should be an e-mail address' };
      return text.toLowerCase();
    case 'number': {
      const n = typeof text === 'number' ? text : Number(text);
      if (typeof text === 'boolean' || !Number.isFinite(n)) return { error: 'should be a number' };
      return n;
    }
    case 'boolean':
      if (text === true || text === 'true' || text === 'yes') return true;
      if (text === false || text === 'false' || text === 'no') return false;
      return { error: 'should be yes or no' };
    case 'date':
      if (typeof text !== 'string' || !isoDate.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) {
        return { error: 'should be a date (YYYY-MM-DD)' };
      }
      return text;
    case 'datetime': {
      if (typeof text !== 'string' || !/\d{2}:\d{2}/.test(text)) {
        return { error: 'should be a date and time (YYYY-MM-DD HH:MM)' };
      }
      const local = localDateTime.exec(text);
      // A wall-clock time as typed in a form is London time; a full ISO instant is kept as it is.
      const instant = local?.[1] && local[2] ? calendar.at(local[1], local[2]) : new Date(text);
      if (Number.isNaN(instant.getTime())) return { error: 'should be a date and time (YYYY-MM-DD HH:MM)' };
      return instant.toISOString();
    }
    case 'select': {
      const allowed = field.options?.map((o) => o.value) ?? [];
      if (typeof text !== 'string' || !allowed.includes(text)) {
        return { error: `should be one of: ${field.options?.map((o) => o.label).join(', ')}` };
      }
      return text;
    }
    case 'multiselect': {
      const list = Array.isArray(text)
        ? text
        : typeof text === 'string'
          ? text.split(',').map((s) => s.trim())
          : null;
      const allowed = field.options?.map((o) => o.value) ?? [];
      if (!list || list.some((v) => typeof v !== 'string' || !allowed.includes(v))) {
        return { error: `should be some of: ${field.options?.map((o) => o.label).join(', ')}` };
      }
      return list as string[];
    }
  }
}

/** Whole years between a date of birth and a local date, both 'YYYY-MM-DD'. */
export function ageInYears(dob: string, onLocalDate: string): number {
  const [by, bm, bd] = dob.split('-').map(Number) as [number, number, number];
  const [y, m, d] = onLocalDate.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** The age band shown on channel cards instead of the date of birth. */
export function ageBand(age: number): string {
  if (age < 1) return 'under 1';
  if (age < 5) return '1-4';
  if (age < 11) return '5-10';
  if (age < 16) return '11-15';
  if (age < 18) return '16-17';
  return '18+';
}

/** Initials for channel cards: "Amy Jane Smith" -> "A.S." (first and last names only). */
export function initials(fullName: string): string {
  const parts = fullName.trim().split(/\s+/).filter(Boolean);
  const picked = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts;
  return picked.map((p) => `${(p as string).charAt(0).toUpperCase()}.`).join('');
}

export interface ConditionContext {
  values: FormValues;
  sendingService: string;
  sendingServiceKind: string;
  now: Date;
  calendar: WorkingCalendar;
}

/** Evaluates a profile condition. A field that is absent never equals anything and is never "within". */
export function evaluateCondition(c: Condition, ctx: ConditionContext): boolean {
  if ('all' in c) return c.all.every((x) => evaluateCondition(x, ctx));
  if ('any' in c) return c.any.some((x) => evaluateCondition(x, ctx));
  if ('not' in c) return !evaluateCondition(c.not, ctx);
  if ('sendingService' in c) return c.sendingService.includes(ctx.sendingService);
  if ('sendingServiceKind' in c) return (c.sendingServiceKind as string[]).includes(ctx.sendingServiceKind);
  if ('outOfHours' in c) return !ctx.calendar.isWorkingTime(ctx.now) === c.outOfHours;
  const value = ctx.values[c.field];
  if ('present' in c) return (value !== undefined) === c.present;
  if (value === undefined) return false;
  if ('equals' in c) return value === c.equals;
  // For a multiselect, `in` holds when any chosen value is in the list.
  if ('in' in c) return ([] as unknown[]).concat(value).some((v) => (c.in as unknown[]).includes(v));
  if ('lessThan' in c) return typeof value === 'number' && value < c.lessThan;
  if ('atLeast' in c) return typeof value === 'number' && value >= c.atLeast;
  // withinLast: a date (or date-time) no earlier than that long before now.
  if (typeof value !== 'string') return false;
  const since = ctx.calendar.due(ctx.now, { amount: -c.withinLast.amount, unit: c.withinLast.unit });
  const at = value.length === 10 ? ctx.calendar.at(value, '23:59') : new Date(value);
  return at.getTime() >= since.getTime() && at.getTime() <= ctx.now.getTime() + 86_400_000;
}

export interface ParsedForm {
  values: FormValues;
  errors: FieldError[];
}

/**
 * Validates a raw form against the route: types, required fields (and requiredWhen), and a date of birth
 * that is not in the future. Adds the derived `child_age` (whole years at `now`).
 */
export function parseForm(
  route: Route,
  raw: Record<string, unknown>,
  ctx: Omit<ConditionContext, 'values'>,
): ParsedForm {
  const fields = routeFields(route);
  const values: FormValues = {};
  const errors: FieldError[] = [];
  const known = new Set(fields.map((f) => f.id));
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      errors.push({ field: key, message: `"${key}" is not a field of the ${route.name} form` });
  }
  for (const field of fields) {
    const rawValue = raw[field.id];
    if (isBlank(rawValue)) continue;
    const v = coerce(field, rawValue, ctx.calendar);
    if (typeof v === 'object' && !Array.isArray(v))
      errors.push({ field: field.id, message: `${field.label} ${v.error}` });
    else values[field.id] = v;
  }
  const today = ctx.calendar.localDate(ctx.now);
  const dob = values.child_dob;
  if (typeof dob === 'string') {
    if (dob > today) errors.push({ field: 'child_dob', message: "Child's date of birth is in the future" });
    else values.child_age = ageInYears(dob, today);
  }
  const full = { ...ctx, values };
  for (const field of fields) {
    const needed =
      field.required || (field.requiredWhen ? evaluateCondition(field.requiredWhen, full) : false);
    if (needed && values[field.id] === undefined && !errors.some((e) => e.field === field.id)) {
      errors.push({ field: field.id, message: `${field.label} is required` });
    }
  }
  return { values, errors };
}
