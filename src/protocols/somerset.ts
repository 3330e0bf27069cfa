/**
 * Somerset: Multi-Agency Step-Up, Step-Down Protocol (Somerset Safeguarding Children Partnership).
 * Source: shared/seeds/001_945d603c3ea7863e.txt.
 */
import type { ProfileInput } from '../domain/profile.ts';
import {
  commonDeclineReasons,
  date,
  datetime,
  defaultDecisionDue,
  defaultDecisionNote,
  noCaseSystemNote,
  required,
  select,
  text,
  textarea,
  yesNo,
} from './common.ts';

const consentOverrides = [
  'increase-risk-of-harm',
  'prejudice-serious-crime',
  'delay-significant-harm-enquiries',
];

const lackOfEngagementHelp =
  'Lack of engagement or missed appointments is not by itself a reason to step up or to end a TAF: review the EHA ' +
  'first, using Effective Support for Children and Families.';

const evidenceHelp =
  "Be clear and explicit: what are your concerns, why, what is fact and what is opinion. Avoid 'worried', " +
  "'unsuitable' or 'inappropriate' without saying exactly why.";

const significantHarmGate = {
  kind: 'require' as const,
  id: 'not-significant-harm',
  description: 'A significant-harm concern is phoned through, never sent as a request',
  require: { field: 'significant_harm_concern', equals: false },
  message:
    'If there is reasonable cause to suspect that a child is suffering or likely to suffer significant harm, call ' +
    'Somerset Direct on 0300 123 2224 now, or 999 if there is immediate risk to the child. Then follow up with an ' +
    'Early Help Assessment within one working day.',
};

const significantHarmQuestion = yesNo(
  'significant_harm_concern',
  'Is there reasonable cause to suspect that the child is suffering, or likely to suffer, significant harm?',
  { required: true, help: 'If yes, do not use this request: call Somerset Direct on 0300 123 2224, or 999.' },
);

export const somersetProfile: ProfileInput = {
  id: 'somerset',
  council: 'Somerset Council (Somerset Safeguarding Children Partnership)',
  name: 'Somerset Multi-Agency Step-Up, Step-Down Protocol',
  source:
    'Getting it Right for Children & Families: Somerset Multi-Agency Step-Up, Step-Down Protocol (SSCP).',
  notes: [
    'Escalation: Resolving Professional Differences (RPD), 4 stages (steps 1 and 2 informal within agencies, step 3 ' +
      'formal with the RPD form, step 4 senior). The source gives no time limits and does not say who takes part at ' +
      'each step (the RPD diagram is not in the text), so the common default timings apply: 2 working days a stage; ' +
      'practitioners, then their managers, then service managers / heads of service, then the director level.',
    defaultDecisionNote,
    noCaseSystemNote,
    'Lack of engagement by a family, or failure to keep appointments, is not by itself a reason to step out of or ' +
      'end a TAF, nor to step up: it prompts a review of the Early Help Assessment (shown as help on the forms).',
    'Consent: required, except for the three reasons the protocol lists. "Preserving the relationship with the ' +
      'family" is refused. When consent is not sought, the decision and rationale are recorded.',
    'Step-In to a service not listed on the EHA (section 9): the source says to contact the service directly, so ' +
      'such requests are routed to "a service not listed on the EHA", whose team the council maps in its directory.',
    'Step-Down to targeted Early Help: the source does not name a receiving team for step-downs; a step-down to a ' +
      'targeted service goes through the Early Help Hub (as requests for services listed on the EHA do), to ' +
      'universal / additional services directly.',
  ],
  caseSystem: 'case system',
  levels: [
    { id: 'universal', name: 'Universal needs', rank: 1 },
    { id: 'additional', name: 'Additional needs', rank: 2 },
    { id: 'complex', name: 'Complex needs', rank: 3 },
    { id: 'acute', name: 'Acute needs', rank: 4 },
  ],
  services: [
    {
      id: 'universal-services',
      name: 'Universal and additional services (schools, PFSA, health, ...)',
      kind: 'universal',
      levels: ['universal', 'additional'],
    },
    {
      id: 'early-help-hub',
      name: 'Early Help Hub',
      kind: 'early_help_hub',
      levels: ['additional', 'complex'],
      description: 'Receives EHAs for the services listed on the EHA (section 9).',
    },
    {
      id: 'family-intervention',
      name: 'Family Intervention Service (FIS)',
      kind: 'early_help',
      levels: ['complex'],
    },
    {
      id: 'somerset-direct',
      name: 'Somerset Direct',
      kind: 'front_door',
      levels: ['acute'],
      description:
        "Front door to Children's Social Care: 0300 123 2224; EHAs to SDInputters@somerset.gov.uk.",
    },
    {
      id: 'csc',
      name: "Children's Social Care",
      kind: 'social_work_team',
      levels: ['complex', 'acute'],
    },
    {
      id: 'unlisted-service',
      name: 'A service not listed on the EHA (contacted directly)',
      kind: 'other',
      levels: ['universal', 'additional', 'complex'],
    },
  ],
  calendar: {},
  consent: {
    reasons: [
      {
        id: 'increase-risk-of-harm',
        label:
          'Seeking consent would place a person at increased risk of significant harm (if a child) or serious harm (if an adult)',
      },
      {
        id: 'prejudice-serious-crime',
        label: 'Seeking consent would prejudice the prevention, detection or prosecution of a serious crime',
      },
      {
        id: 'delay-significant-harm-enquiries',
        label:
          'Seeking consent would lead to an unjustified delay in making enquiries about allegations of significant harm (to a child) or serious harm (to an adult)',
      },
    ],
    refused: [
      {
        label: 'Preserving the relationship with the family',
        pattern:
          // A verb of keeping or harming with the relationship as its object, in the same clause (up to five words
          // apart, no comma or stop between): "preserve our working relationship", "damage the trust and the
          // relationship with mum", "the relationship would be lost". A clause
          // about harm to the child that goes on to name a relationship ("...significant harm to the child; the
          // relationship with the mother is the source of the abuse") is not this.
          '\\b(preserv|maintain|protect|keep|damag|jeopardi[sz]|los[ei]|ruin|harm|spoil|sour)\\w*\\s+(?:(?!from\\b)[^\\s.,;:!?]+\\s+){0,5}relationship\\b' +
          '|\\brelationship\\s+(?:[^\\s.,;:!?]+\\s+){0,5}(preserved|maintained|protected|kept|damaged|harmed|lost|ruined|jeopardi[sz]ed|broken|spoiled|soured|break\\s+down|suffer)\\b',
        message:
          'Failing to seek consent in order to preserve a professional relationship with a family is not a valid reason ' +
          '(Somerset protocol, Consent).',
      },
    ],
  },
  declineReasons: [
    ...commonDeclineReasons,
    { id: 'no-current-role', label: 'No current role for the service (advice given)' },
  ],
  evidence: {
    vagueWords: ['worried', 'unsuitable', 'inappropriate'],
    message:
      'say exactly why: what is fact and what is opinion, and the reasons behind the concern (Somerset protocol, ' +
      'Evidencing Concerns).',
  },
  emergency: {
    title: 'Significant harm: call Somerset Direct now',
    text:
      'If there is reasonable cause to suspect that a child is suffering or likely to suffer significant harm and ' +
      'immediate action is required, call Somerset Direct on 0300 123 2224, or 999 if there is immediate risk to the ' +
      'child. Do not use a request for this. If you are unsure, call the Consultation Line on 0300 123 3078.',
    phones: [
      { label: 'Somerset Direct', number: '0300 123 2224' },
      { label: 'Immediate risk to the child', number: '999' },
      { label: 'Consultation Line (if you are unsure)', number: '0300 123 3078' },
    ],
    followUp:
      'Follow up with an Early Help Assessment within one working day, submitted to SDInputters@somerset.gov.uk.',
  },
  routes: [
    {
      id: 'step-in',
      name: 'Step-In: ask a service to join the Team Around the Family',
      kind: 'step-in',
      command: 'stepin',
      summary:
        'The Lead Practitioner asks another service to join the existing TAF: via the Early Help Hub for services ' +
        'listed on the EHA (section 9), directly otherwise. The request carries the date, time and location of the ' +
        'meeting. The service may decline with "no current role" and give advice. Not a change of level.',
      from: {
        services: ['universal-services', 'early-help-hub', 'family-intervention', 'csc'],
        levels: ['additional', 'complex'],
      },
      to: { service: 'early-help-hub', levels: ['additional', 'complex'] },
      receiveVia: [
        {
          when: { field: 'service_listed_on_eha', equals: false },
          service: 'unlisted-service',
          reason:
            'Services not listed on the EHA (section 9) are contacted directly to discuss the Step-In request.',
        },
      ],
      decision: {
        due: defaultDecisionDue,
        adviceOnly: true,
        note: 'The service may conclude there is no current role for it and offer advice instead.',
      },
      fields: [
        text('service_requested', 'Service you are asking to step in', required),
        yesNo('service_listed_on_eha', 'Is the service listed on the EHA (section 9)?', required),
        textarea('step_in_reason', 'The need in the TAF plan the service is asked to help with, and why', {
          required: true,
          evidence: true,
          help: evidenceHelp,
        }),
        datetime('taf_meeting_at', 'Date and time of the TAF meeting', required),
        text('taf_meeting_location', 'Location of the TAF meeting', required),
      ],
      consent: {
        required: true,
        notSoughtReasons: consentOverrides,
        note: 'Informed consent to share the EHA with the service, unless one of the three listed reasons applies.',
      },
      meetings: [
        {
          id: 'taf',
          kind: 'taf',
          label: 'Team Around the Family meeting the service is asked to join',
          anchor: { field: 'taf_meeting_at' },
          within: { amount: 0, unit: 'working_days' },
          participants: ['sending_worker', 'allocated_worker', 'family', 'universal_practitioners'],
        },
      ],
      notify: [
        {
          on: 'accepted',
          to: { requester: true },
          message: 'The service will step in and join the TAF meeting.',
        },
        {
          on: 'advice_only',
          to: { requester: true },
          message: 'The service has no current role but has given advice: review the TAF plan with it.',
        },
      ],
      source:
        'The EHA should also be used when requesting a Step-In from a listed service (EHA section 9). When requesting a ' +
        'Step-In the date, time and location of the meeting must be included. Services not listed on the EHA (section 9) ' +
        'should be contacted directly.',
    },
    {
      id: 'step-up',
      name: 'Step-Up: request a more intensive service',
      kind: 'step-up',
      command: 'stepup',
      summary:
        'Needs are escalating and outcomes are not being met despite planned intervention. The Early Help Assessment, ' +
        "with the current plan of support, is submitted to the receiving service (Children's Social Care through " +
        'Somerset Direct). A significant-harm concern is phoned through at once, never sent as a request.',
      from: {
        services: ['universal-services', 'early-help-hub', 'family-intervention', 'unlisted-service'],
        levels: ['universal', 'additional', 'complex'],
      },
      to: { service: 'early-help-hub', levels: ['additional', 'complex', 'acute'] },
      receiveVia: [
        {
          when: { field: 'receiving_service', equals: 'csc' },
          service: 'somerset-direct',
          reason: "Requests for involvement from Children's Social Care go to Somerset Direct.",
        },
      ],
      decision: { due: defaultDecisionDue },
      fields: [
        significantHarmQuestion,
        select(
          'receiving_service',
          'Service you are requesting',
          [
            ['early-help', 'A service listed on the EHA (through the Early Help Hub)'],
            ['csc', "Children's Social Care (Child in Need), through Somerset Direct"],
          ],
          required,
        ),
        yesNo(
          'eha_attached',
          'Is the Early Help Assessment, including the current plan of support, completed?',
          required,
        ),
        textarea('concerns', 'What your concerns are, and why you have them', {
          required: true,
          evidence: true,
          help: `${evidenceHelp} ${lackOfEngagementHelp}`,
        }),
        textarea('support_in_place', 'What has already been put in place, and what the outcome has been', {
          required: true,
          evidence: true,
        }),
        textarea(
          'level_of_need_reasons',
          'Why this level of need (Effective Support for Children and Families descriptors)',
          {
            required: true,
            evidence: true,
          },
        ),
      ],
      consent: {
        required: true,
        notSoughtReasons: consentOverrides,
        note: 'Where consent is not sought, the decision and rationale are recorded on the file and the EHA.',
      },
      gates: [
        significantHarmGate,
        {
          kind: 'require',
          id: 'eha-with-plan',
          description: 'The EHA, with the current plan of support, is completed',
          require: { field: 'eha_attached', equals: true },
          message:
            'Complete the Early Help Assessment, including the current plan of support, and submit it with the request.',
        },
      ],
      source:
        'If requesting involvement of another service listed on the EHA, the assessment, including current plan of ' +
        'support should be completed and submitted using the contact email address for that service.',
    },
    {
      id: 'step-down',
      name: 'Step-Down: continuing plan agreed through a Team Around the Family',
      kind: 'step-down',
      command: 'stepdown',
      summary:
        'Needs have reduced so that targeted or universal services can meet them. The continuing plan is agreed through ' +
        'a TAF and has: recognition of progress; actions with owners and timescales; when a Step-Up would again be ' +
        'needed; a review date / next TAF date; and is devised with the family and all agencies.',
      from: {
        services: ['csc', 'family-intervention', 'early-help-hub'],
        levels: ['additional', 'complex', 'acute'],
      },
      to: { service: 'universal-services', levels: ['universal', 'additional'] },
      receiveVia: [
        {
          when: { field: 'receiving_service', equals: 'targeted' },
          service: 'early-help-hub',
          reason: 'Step-down to a targeted Early Help service goes through the Early Help Hub.',
        },
      ],
      decision: { due: defaultDecisionDue },
      fields: [
        select(
          'receiving_service',
          'Stepping down to',
          [
            ['universal', 'Universal or additional services (e.g. a school PFSA)'],
            ['targeted', 'Targeted Early Help (through the Early Help Hub)'],
          ],
          required,
        ),
        text('receiving_practitioner', 'Practitioner taking on the plan', required),
        textarea('progress_recognised', 'Positive recognition of the progress achieved by the family', {
          required: true,
          evidence: true,
          section: 'Step-down plan',
        }),
        textarea('actions_owners_timescales', 'Clear actions and accountabilities, with timescales', {
          required: true,
          evidence: true,
          section: 'Step-down plan',
        }),
        textarea('step_up_indicators', 'When a Step-Up may again be required (contingency)', {
          required: true,
          evidence: true,
          section: 'Step-down plan',
        }),
        date('next_taf_date', 'Review date / date of the next Team Around the Family', {
          required: true,
          section: 'Step-down plan',
        }),
        yesNo(
          'devised_with_family_and_agencies',
          'Was the plan devised with the family and all agencies involved?',
          {
            required: true,
            section: 'Step-down plan',
          },
        ),
      ],
      consent: {
        required: true,
        notSoughtReasons: consentOverrides,
        note: 'Consent to share the assessment and plan with the services carrying on the support.',
      },
      gates: [
        {
          kind: 'require',
          id: 'devised-with-family-and-agencies',
          description: 'The step-down plan is devised with the family and all agencies',
          require: { field: 'devised_with_family_and_agencies', equals: true },
          message:
            'A step-down plan must be devised with the family and all agencies currently or proposed to be involved: ' +
            'agree it through a Team Around the Family first.',
        },
      ],
      meetings: [
        {
          id: 'handover-taf',
          kind: 'taf',
          label: 'Team Around the Family agreeing the continuing plan (clear handover)',
          anchor: 'accepted',
          participants: ['sending_worker', 'allocated_worker', 'family', 'universal_practitioners'],
          note: 'Good practice: the continuing plan is agreed through a TAF so everyone is clear about it.',
        },
        {
          id: 'review-taf',
          kind: 'taf',
          label: 'Review / next Team Around the Family',
          anchor: { field: 'next_taf_date' },
          within: { amount: 0, unit: 'working_days' },
          participants: ['allocated_worker', 'family', 'universal_practitioners'],
        },
      ],
      source:
        'A plan devised through the Team Around the Family should have: positive recognition of the progress achieved; ' +
        'clear actions and accountabilities, with timescales; clear descriptors of circumstances where a Step-Up may ' +
        'again be required; a review date/date of next TAF; be devised with family and all agencies.',
    },
  ],
  ladders: [
    {
      id: 'rpd',
      name: 'Resolving Professional Differences (RPD)',
      stages: [
        {
          id: 'rpd-step-1',
          name: 'Step 1 (informal)',
          roles: { sending: ['practitioner'], receiving: ['practitioner'] },
          who: 'The practitioners involved try to resolve the difference informally, within their agencies.',
          timeLimit: { amount: 2, unit: 'working_days' },
        },
        {
          id: 'rpd-step-2',
          name: 'Step 2 (informal)',
          roles: { sending: ['senior', 'team_manager'], receiving: ['senior', 'team_manager'] },
          who: "The practitioners' supervisors or managers, still informally within agencies.",
          timeLimit: { amount: 2, unit: 'working_days' },
        },
        {
          id: 'rpd-step-3',
          name: 'Step 3 (formal: Resolving Professional Differences form)',
          roles: {
            sending: ['service_manager', 'head_of_service'],
            receiving: ['service_manager', 'head_of_service'],
          },
          who: 'The difference is "stuck": the Resolving Professional Differences form is completed and senior managers meet.',
          timeLimit: { amount: 2, unit: 'working_days' },
        },
        {
          id: 'rpd-step-4',
          name: 'Step 4 (senior)',
          roles: { sending: ['director'], receiving: ['director'] },
          who: 'The most senior managers of the agencies decide.',
          timeLimit: { amount: 2, unit: 'working_days' },
        },
      ],
      note: 'Time limits are not in the source: the common default of 2 working days a stage applies.',
    },
  ],
  defaultLadder: 'rpd',
};
