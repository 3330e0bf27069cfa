/**
 * Filling in a route's request form the way a practitioner would: every required field (and the ones a rule
 * makes required), most optional ones, answers that pass the route's gates, meeting dates that respect notice
 * rules, and narrative in the practitioner's own words. Nothing here is council-specific: the profile's fields,
 * gates and routing rules drive it, so a council's own profile file gets believable requests too.
 */
import type { WorkingCalendar } from '../domain/calendar.ts';
import type { Directory, Person, Team } from '../domain/directory.ts';
import { ageInYears, type ConditionContext, evaluateCondition, parseForm } from '../domain/form.ts';
import type { Condition, FormField, ProtocolProfile, Route } from '../domain/profile.ts';
import { chooseReceivingService } from '../domain/rules.ts';
import { fieldText, type TextContext } from './narrative.ts';
import type { Cast, DemoChild, Rng } from './people.ts';

export interface FormEnv {
  profile: ProtocolProfile;
  calendar: WorkingCalendar;
  directory: Directory;
  rng: Rng;
  cast: Cast;
  /** The latest demo time: meetings still to come are dated after it. */
  anchor: Date;
}

export interface FormRequest {
  route: Route;
  sendingTeam: Team;
  requester: Person;
  child: DemoChild;
  childRef: string;
  submitAt: Date;
  /** Date the meetings the form names after `anchor` (the request's story ends before they happen). */
  upcoming: boolean;
  /** How many earlier demo requests used this route: alternates choices that route requests differently. */
  variant: number;
  /** Conditions the answers must meet (e.g. the route's advice-only condition, for an advice-only request). */
  conditions: Condition[];
}

export interface FilledForm {
  form: Record<string, unknown>;
  receivingTeam: Team;
}

/** Booleans that a yes would be a concern: answered no (the significant-harm and child-protection questions). */
const noByDefault = /concern|significant_harm|cp_plan_last_3_months|disputes_mash_outcome/;
/** Date fields that record something already past, and how many working days before the request it was. */
const pastDates: [RegExp, number][] = [
  [/raised/, 1],
  [/referred/, 2],
  [/ended/, 30],
  [/assessment|step_down_meeting/, 12],
];

/** Services that are social work (a request to them is for an assessment, not for support). */
const statutoryKinds = new Set([
  'front_door',
  'social_work_team',
  'assessment_team',
  'cin_cp_team',
  'out_of_hours',
]);

const byId = <T extends { id: string }>(items: readonly T[]) =>
  [...items].sort((a, b) => a.id.localeCompare(b.id));

/** The `{ field, equals }` leaves of a condition (the first branch of an `any`), to make it hold. */
function equalities(c: Condition): { field: string; equals: string | number | boolean }[] {
  if ('all' in c) return c.all.flatMap(equalities);
  if ('any' in c) return c.any[0] ? equalities(c.any[0]) : [];
  if ('field' in c && 'equals' in c) return [{ field: c.field, equals: c.equals }];
  return [];
}

/** Fields whose answer changes where the request goes or what else is asked: alternated between requests. */
function pivotFields(route: Route): Set<string> {
  const conditions = [
    ...route.receiveVia.map((v) => v.when),
    ...route.fields.flatMap((f) => f.requiredWhen ?? []),
  ];
  return new Set(conditions.flatMap(equalities).map((e) => e.field));
}

class FormFiller {
  private readonly raw: Record<string, unknown> = {};
  private readonly pivots: Set<string>;

  constructor(
    private readonly env: FormEnv,
    private readonly req: FormRequest,
  ) {
    this.pivots = pivotFields(req.route);
  }

  private get cal(): WorkingCalendar {
    return this.env.calendar;
  }

  context(): ConditionContext {
    return formContext(this.env, this.req, this.raw);
  }

  /** Where the dates of things still to come are counted from. */
  private base(): Date {
    return this.req.upcoming && this.env.anchor > this.req.submitAt ? this.env.anchor : this.req.submitAt;
  }

  /** The earliest instant a notice gate allows for this field, if the route has one. */
  private noticeFloor(field: FormField): Date | null {
    const gate = this.req.route.gates.find((g) => g.kind === 'notice' && g.field === field.id);
    return gate?.kind === 'notice' ? this.cal.due(this.req.submitAt, gate.atLeast) : null;
  }

  /** A local date `n` working days after `from`, but never before `floor`. */
  private workingDate(from: Date, n: number, floor: Date | null): string {
    let day = this.cal.addWorkingDays(this.cal.localDate(from), n);
    if (floor) {
      while (this.cal.at(day, '09:00') < floor) day = this.cal.nextWorkingDay(day);
    }
    return day;
  }

  private slotTime(): string {
    return this.req.variant % 2 ? '14:00' : '10:00';
  }

  private text(field: FormField): string {
    const { route, child, submitAt } = this.req;
    const to = this.env.profile.services.find((s) => s.id === route.to.service);
    const c: TextContext = {
      child: child.firstName,
      young: ageInYears(child.dob, this.cal.localDate(submitAt)) < 5,
      statutory: route.kind === 'step-up' && statutoryKinds.has(to?.kind ?? ''),
      evidence: field.evidence,
    };
    return this.trim(field, fieldText(this.env.rng, field.id, field.label, c));
  }

  private value(field: FormField): unknown {
    const { cast } = this.env;
    const child = this.req.child;
    switch (field.type) {
      case 'text':
        if (/venue|location/.test(field.id)) return cast.venue();
        if (/service_requested/.test(field.id)) return cast.service();
        if (/navigator|lead_professional_name/.test(field.id)) return cast.professional();
        return this.teamText(field) ?? this.text(field);
      case 'textarea':
        if (/address/.test(field.id)) return cast.address(child.surname);
        return this.text(field);
      case 'email': {
        const n = /(\d)_email$/.exec(field.id)?.[1];
        const contacts = [
          'pastoral.lead@school.example.org',
          'youth.hub@example.org',
          'health.visiting@example.org',
        ];
        return n ? contacts[(Number(n) - 1) % contacts.length] : 'lead.professional@partner.example.org';
      }
      case 'number':
        return 2;
      case 'boolean': {
        const answer = !noByDefault.test(field.id);
        return this.pivots.has(field.id) && this.req.variant % 2 === 1 ? !answer : answer;
      }
      case 'select': {
        const options = field.options ?? [];
        return options[this.req.variant % Math.max(options.length, 1)]?.value;
      }
      case 'multiselect': {
        const options = field.options ?? [];
        return [0, 1].map((i) => options[(this.req.variant + i) % options.length]?.value).filter(Boolean);
      }
      case 'date': {
        const back = pastDates.find(([pattern]) => pattern.test(field.id))?.[1];
        if (back !== undefined) return this.cal.addWorkingDays(this.cal.localDate(this.req.submitAt), -back);
        return this.workingDate(this.base(), 20, this.noticeFloor(field));
      }
      case 'datetime': {
        const floor = this.noticeFloor(field);
        const day = this.workingDate(this.base(), floor ? 1 : 3 + (this.req.variant % 3), floor);
        return `${day} ${this.slotTime()}`;
      }
    }
  }

  private trim(field: FormField, text: string): string {
    const max = field.maxLength ?? (field.type === 'text' ? 300 : 3000);
    return text.length > max ? text.slice(0, max) : text;
  }

  /** Text fields that name the teams or people involved; filled once the receiving team is known. */
  private teamText(field: FormField, receiving?: Team): string | undefined {
    const { directory } = this.env;
    const team = receiving ? byId(directory.members(receiving.id)) : [];
    const withRole = (role: Person['roles'][number]) => team.find((p) => p.roles.includes(role))?.name;
    if (/team_manager/.test(field.id))
      return receiving ? (withRole('team_manager') ?? 'The team manager') : '';
    if (/locality_team/.test(field.id)) return receiving?.name ?? '';
    if (/receiving_practitioner/.test(field.id))
      return receiving ? (withRole('practitioner') ?? withRole('senior') ?? 'To be allocated') : '';
    if (/referrer_contact/.test(field.id)) return `${this.req.requester.name}, ${this.req.sendingTeam.name}`;
    return undefined;
  }

  /** Makes each condition hold by setting the fields it compares. */
  private satisfy(conditions: readonly Condition[]): void {
    for (const { field, equals } of conditions.flatMap(equalities)) this.raw[field] = equals;
  }

  private activeGateConditions(): Condition[] {
    const ctx = this.context();
    return this.req.route.gates.flatMap((g) =>
      g.kind === 'require' && (!g.when || evaluateCondition(g.when, ctx)) ? [g.require] : [],
    );
  }

  fill(): FilledForm | { error: string } {
    const { route, child } = this.req;
    Object.assign(this.raw, { child_name: child.name, child_dob: child.dob, child_ref: this.req.childRef });
    for (const field of route.fields) {
      if (field.requiredWhen) continue;
      // Most optional fields are filled in; some are left, as people do.
      if (!field.required && this.env.rng.next() < 0.35) continue;
      this.raw[field.id] = this.value(field);
    }
    this.satisfy(this.req.conditions);
    // Fields required only in some cases, until the answers settle (one may depend on another).
    for (let round = 0; round < 3; round++) {
      this.satisfy(this.activeGateConditions());
      const ctx = this.context();
      for (const field of route.fields.filter((f) => f.requiredWhen)) {
        const needed = evaluateCondition(field.requiredWhen as Condition, ctx);
        if (needed && this.raw[field.id] === undefined) this.raw[field.id] = this.value(field);
        if (!needed && !this.gateField(field.id)) delete this.raw[field.id];
      }
    }
    this.satisfy(this.req.conditions);
    const receivingTeam = this.receivingTeam();
    if ('error' in receivingTeam) return receivingTeam;
    for (const field of route.fields) {
      const text =
        field.type === 'text' && this.raw[field.id] !== undefined && this.teamText(field, receivingTeam);
      if (text) this.raw[field.id] = text;
    }
    return { form: { ...this.raw }, receivingTeam };
  }

  /** A field an active gate asks about: kept even when nothing else makes it required. */
  private gateField(id: string): boolean {
    return this.activeGateConditions()
      .flatMap(equalities)
      .some((e) => e.field === id);
  }

  private receivingTeam(): Team | { error: string } {
    const { service } = chooseReceivingService(this.req.route, this.context());
    const teams = byId(this.env.directory.teamsProviding(service));
    const team = teams[this.req.variant % Math.max(teams.length, 1)];
    if (!team) {
      const name = this.env.profile.services.find((s) => s.id === service)?.name ?? service;
      return { error: `no team in the directory provides ${name}` };
    }
    return team;
  }
}

export function fillForm(env: FormEnv, req: FormRequest): FilledForm | { error: string } {
  return new FormFiller(env, req).fill();
}

/** What the route's conditions see for these answers: the values as the workflow parses them (with child_age). */
export function formContext(env: FormEnv, req: FormRequest, form: Record<string, unknown>): ConditionContext {
  const service = env.profile.services.find((s) => s.id === req.sendingTeam.service);
  const base = {
    sendingService: req.sendingTeam.service,
    sendingServiceKind: service?.kind ?? 'other',
    now: req.submitAt,
    calendar: env.calendar,
  };
  return { ...base, values: parseForm(req.route, form, base).values };
}
