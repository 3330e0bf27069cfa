/**
 * Shared set-up for the behavioural rule tests: a council's real built-in profile, a working calendar built from
 * its own calendar settings, and condition contexts built the way the workflow builds them (forms go through
 * parseForm, so the tests prove the route's real field ids).
 */
import { WorkingCalendar } from '../../../src/domain/calendar.ts';
import { type ConditionContext, type ParsedForm, parseForm } from '../../../src/domain/form.ts';
import type { Route } from '../../../src/domain/profile.ts';
import { builtInProfile, type ProfileName } from '../../../src/protocols/index.ts';

export function council(name: ProfileName, options?: { extraClosures?: string[] }) {
  const profile = builtInProfile(name);
  const calendar = new WorkingCalendar(profile.calendar, options);

  const route = (id: string): Route => {
    const found = profile.routes.find((r) => r.id === id);
    if (!found) throw new Error(`${name} has no route "${id}"`);
    return found;
  };

  /** The context of a request sent from a team providing `sendingService`, at `now`. */
  const base = (sendingService: string, now: Date): Omit<ConditionContext, 'values'> => {
    const service = profile.services.find((s) => s.id === sendingService);
    if (!service) throw new Error(`${name} has no service "${sendingService}"`);
    return { sendingService, sendingServiceKind: service.kind, now, calendar };
  };

  /** The form as typed, parsed against the route: values and errors. */
  const form = (r: Route, raw: Record<string, unknown>, sendingService: string, now: Date): ParsedForm =>
    parseForm(r, raw, base(sendingService, now));

  /** A form that must be valid; returns the full condition context for the domain's rules. */
  const ctx = (
    r: Route,
    raw: Record<string, unknown>,
    sendingService: string,
    now: Date,
  ): ConditionContext => {
    const parsed = form(r, raw, sendingService, now);
    if (parsed.errors.length)
      throw new Error(`the ${r.id} form has errors: ${JSON.stringify(parsed.errors)}`);
    return { ...base(sendingService, now), values: parsed.values };
  };

  return { profile, calendar, route, base, form, ctx };
}
