/** Every workflow input, validated at the edge with zod before any rule runs. */
import { z } from 'zod';
import { consentSchema } from '../domain/rules.ts';

export const surfaces = ['slack', 'teams', 'local', 'cli', 'system'] as const;
export type Surface = (typeof surfaces)[number];

export const actorSchema = z.strictObject({
  personId: z.string().min(1).max(64),
  surface: z.enum(surfaces),
});
export type ActorInput = z.infer<typeof actorSchema>;

const ref = z.string().trim().min(1, 'a transfer reference such as SW-000012').max(40);
/** The state version a button was rendered from: a press on an older card changes nothing. */
const expectedVersion = z.number().int().positive().optional();
const text = (what: string, min = 1) =>
  z
    .string()
    .trim()
    .min(min, `${what} is required`)
    .max(3000, `${what} is too long (at most 3000 characters)`);

export const startSchema = z.strictObject({
  actor: actorSchema,
  routeId: z.string().min(1),
  form: z.record(z.string(), z.unknown()),
  consent: consentSchema,
  receivingTeamId: z.string().min(1).optional(),
  /** The person said there is a significant-harm concern now: the emergency route is shown instead. */
  significantHarm: z.boolean().default(false),
  /** Confirms the warnings (vague words, non-blocking gates) the form showed. */
  confirmWarnings: z.boolean().default(false),
  /** Save as a draft: no clock starts and nobody is told until it is submitted. */
  draft: z.boolean().default(false),
});
export type StartInput = z.input<typeof startSchema>;

const onTransfer = { actor: actorSchema, ref, expectedVersion };

export const submitSchema = z.strictObject({ ...onTransfer });
export const requestInfoSchema = z.strictObject({ ...onTransfer, question: text('The question') });
export const resubmitSchema = z.strictObject({
  ...onTransfer,
  answer: text('The answer'),
  form: z.record(z.string(), z.unknown()).optional(),
});
export const acceptSchema = z.strictObject({ ...onTransfer, note: text('The note').optional() });
export const allocateSchema = z
  .strictObject({
    ...onTransfer,
    workerId: z.string().min(1).optional(),
    service: z.string().min(1).max(200).optional(),
    /** The level the child steps to, where the receiving team decides it at allocation (`to.levelAtAllocation`). */
    level: z.string().min(1).max(100).optional(),
    note: text('The note').optional(),
  })
  .refine((v) => v.workerId || v.service, {
    message: 'Choose a worker or a service to allocate to',
    path: ['workerId'],
  });
export const declineSchema = z.strictObject({
  ...onTransfer,
  reason: z.string().min(1, 'A reason is required'),
  text: text('The explanation').optional(),
});
export const adviceSchema = z.strictObject({ ...onTransfer, advice: text('The advice') });
export const disputeSchema = z.strictObject({
  ...onTransfer,
  reason: text('The reason for the disagreement', 10),
});
export const escalateSchema = z.strictObject({ ...onTransfer, note: text('The note').optional() });
export const resolveSchema = z.strictObject({
  ...onTransfer,
  outcome: z.enum(['upheld', 'overturned']),
  rationale: text('The rationale', 10),
});
export const withdrawSchema = z.strictObject({ ...onTransfer, reason: text('The reason') });
export const scheduleMeetingSchema = z.strictObject({
  ...onTransfer,
  meeting: z.string().min(1),
  at: z.iso.datetime({ offset: true, message: 'a date and time (ISO 8601)' }),
});
export const confirmMeetingSchema = z.strictObject({ ...onTransfer, meeting: z.string().min(1) });
export const meetingOutcomeSchema = z
  .strictObject({
    ...onTransfer,
    meeting: z.string().min(1),
    outcome: z.enum(['held', 'not_held', 'rescheduled']),
    /** One of the meeting's own outcomes (e.g. Halton's four final-CIN outcomes). */
    result: z.string().min(1).optional(),
    reason: text('The reason').optional(),
    at: z.iso.datetime({ offset: true }).optional(),
    /** The date the outcome agrees, when it records one (Halton's first MAP review): YYYY-MM-DD. */
    agreed: z.iso.date('Give the date as YYYY-MM-DD').optional(),
  })
  .refine((v) => v.outcome !== 'not_held' || v.reason, {
    message: 'Say why the meeting was not held',
    path: ['reason'],
  })
  .refine((v) => v.outcome !== 'rescheduled' || v.at, {
    message: 'Give the new date and time',
    path: ['at'],
  });
export const completeTaskSchema = z.strictObject({
  ...onTransfer,
  task: z.string().min(1),
  note: text('The note').optional(),
});
export const closeSchema = z.strictObject({ ...onTransfer, note: text('The note').optional() });
