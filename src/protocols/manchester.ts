/**
 * Manchester: Social Work and Early Help Working Together: step up / step down between the MASH, the Contact
 * Centre, area Social Work teams and Early Help, and joint-worked cases. Source:
 * shared/seeds/003_cb5f9c2c56a44ba2.txt.
 */
import type { ProfileInput } from '../domain/profile.ts';
import {
  commonDeclineReasons,
  date,
  datetime,
  defaultDecisionDue,
  defaultDecisionNote,
  type FieldInput,
  required,
  select,
  text,
  textarea,
  yesNo,
} from './common.ts';

type RouteInput = ProfileInput['routes'][number];

const hubs: [string, string][] = [
  ['north', 'North Early Help Hub'],
  ['central', 'Central Early Help Hub'],
  ['south', 'South Early Help Hub'],
];

/** The hub is chosen on the form; the route's own receiving service is the North hub. */
const hubField = select('hub', "Early Help Hub for the family's area", hubs, required);
const byHub: RouteInput['receiveVia'] = [
  {
    when: { field: 'hub', equals: 'central' },
    service: 'eh-hub-central',
    reason: "The family lives in the Central hub's area.",
  },
  {
    when: { field: 'hub', equals: 'south' },
    service: 'eh-hub-south',
    reason: "The family lives in the South hub's area.",
  },
];
const hubServices = ['eh-hub-north', 'eh-hub-central', 'eh-hub-south'];

const levelOptions: [string, string][] = [
  ['level-3', 'Level 3'],
  ['level-4', 'Level 4'],
];

/** Signs of Safety mapping: the family plan. */
const signsOfSafety: FieldInput[] = [
  textarea('sos_worried', 'What are we worried about?', { required: true, section: 'Signs of Safety' }),
  textarea('sos_working_well', "What's working well / strengths?", {
    required: true,
    section: 'Signs of Safety',
  }),
  textarea('sos_needs_to_happen', 'What needs to happen? (areas of identified need)', {
    required: true,
    section: 'Signs of Safety',
  }),
];

/**
 * Appendix 2, the Early Help Allocations Pro Forma (in place of section 5 of the CAFR on Micare). The subject
 * child's name, age and Micare ID are the fields every request already has.
 */
const proForma = (status: 'step-down' | 'joint'): FieldInput[] => [
  textarea('family_composition', 'Family composition (DOB and ages)', {
    required: true,
    section: 'Early Help Allocations Pro Forma',
    help: 'Siblings and parents: full names and ages. Note any absent fathers and the contact arrangements.',
  }),
  textarea('address_contact', 'Address / contact details', {
    required: true,
    section: 'Early Help Allocations Pro Forma',
  }),
  select(
    'housing_provider',
    'Housing provider',
    [
      ['private-rented', 'Private rented'],
      ['home-owner', 'Home owner'],
      ['housing-association', 'Housing association'],
      ['other', 'Other'],
    ],
    { required: true, section: 'Early Help Allocations Pro Forma' },
  ),
  date('date_referred', 'Family referred to Early Help (date of CAFR)', {
    required: true,
    section: 'Early Help Allocations Pro Forma',
  }),
  textarea('referral_reason', 'Reason being referred to Allocations', {
    required: true,
    section: 'Early Help Allocations Pro Forma',
  }),
  text('referrer_contact', 'Referrer contact details (your name and contact details)', {
    required: true,
    section: 'Early Help Allocations Pro Forma',
  }),
  date('assessment_date', 'Date CAFA completed and/or planning meeting', {
    section: 'Early Help Allocations Pro Forma',
  }),
  select('level_of_need', 'Level of Need', levelOptions, {
    required: true,
    section: 'Early Help Allocations Pro Forma',
  }),
  select(
    'intervention_status',
    'Is this step-down or to be joint worked?',
    [
      ['step-down', 'Step Down'],
      ['joint', 'Joint Social Work'],
    ],
    {
      required: true,
      section: 'Early Help Allocations Pro Forma',
      help: status === 'joint' ? 'This is the joint working route.' : 'This is the step-down route.',
    },
  ),
  ...signsOfSafety,
  textarea(
    'forthcoming_meetings',
    'Dates of forthcoming meetings / visits to family planned (joint handover)',
    {
      required: true,
      section: 'Early Help Allocations Pro Forma',
    },
  ),
];

const statusGate = (status: 'step-down' | 'joint', other: string) => ({
  kind: 'require' as const,
  id: 'intervention-status',
  description: `The pro forma says ${status === 'joint' ? 'joint worked' : 'step down'}`,
  require: { field: 'intervention_status', equals: status },
  message: `The pro forma's status of intervention does not match this route: use ${other} instead.`,
});

const childProtectionGate = {
  kind: 'require' as const,
  id: 'no-child-protection-concern',
  description: 'A child-protection concern goes to the Contact Centre / MASH without delay',
  require: { field: 'cp_concern', equals: false },
  message:
    'A child protection concern goes to the Contact Centre / MASH without delay: call 0161 219 2843 (999 if immediate ' +
    'risk) and follow up the referral in writing within 48 hours.',
};
const childProtectionQuestion = yesNo('cp_concern', 'Is there a child protection concern?', {
  required: true,
  help: 'If yes, refer to the Contact Centre / MASH without delay (0161 219 2843), not through this request.',
});

/** Every route asks for the child's Micare ID. */
const withCaseId = (routes: RouteInput[]): RouteInput[] =>
  routes.map((r) => ({ ...r, caseIdRequired: true }));

export const manchesterProfile: ProfileInput = {
  id: 'manchester',
  council: 'Manchester City Council',
  name: 'Manchester Social Work and Early Help Working Together (step up / step down)',
  source:
    'Social Work and Early Help Working Together: Step up, Step Down Processes between the MASH, Contact Centre, Area ' +
    'Social Work Teams and Early Help; Joint worked cases (July 2017, reviewed May 2018).',
  notes: [
    'Escalation: resolve within 48 hours in all. The source names four stages but no time for each, so each stage ' +
      'has 12 clock hours (4 x 12 = 48).',
    'Escalation roles: front-line practitioners; then team managers and Early Help Hub / MASH social workers and ' +
      'coordinators (team_manager / senior); then the Hub Locality Manager and the Locality Social Work Head of ' +
      'Service (service_manager / head_of_service); then the Strategic Head of Early Help and the Deputy Director of ' +
      "Children's Social Care, who decide (they hold the director role in the directory).",
    'A MASH-recommended Child and Family Assessment not progressed by the area Social Work team: resolved within 24 ' +
      'hours (the decision due on the request), and within a further 24 hours if escalated to senior management ' +
      "(that route's ladder has that one stage).",
    defaultDecisionNote +
      ' Exceptions: a MASH-recommended assessment not progressed (24 hours); a level 4 step-down (next allocations ' +
      "meeting, within 5 days: the meeting is due at the hub's next Thursday allocations meeting, and never later " +
      'than 5 working days).',
    'Allocations meetings: every Thursday in each hub. The source gives no time, so 10:00 is used; the agenda closes ' +
      'the working day before.',
    'Hubs: the three Early Help Hubs (North, Central, South) are chosen on the form; the routes name the North hub ' +
      'as their own receiving service and send to Central or South when chosen.',
    'Early Help screening is done by the Early Help Hub social workers: give them the senior role in the directory ' +
      'so they can decide; joint working also has manager oversight (team_manager / service_manager).',
    "Consent: Early Help is consent-based; requests to Early Help need the family's agreement (no override). The " +
      'source is silent on consent for a step up to Social Work; where a child protection concern means consent is ' +
      'not sought, that reason is recorded.',
    'Under-5s: where the social worker feels the case does not need an Early Help hub, it goes to the Early Years ' +
      'Outreach Delivery Model instead (chosen on the form).',
    'Stepped back up within 3 months of a step-down: goes to the team that stepped it down.',
    'Case system: Micare (the pro forma is attached to the Child and Family referral form, in place of section 5 of the CAFR).',
  ],
  caseSystem: 'Micare',
  levels: [
    {
      id: 'level-1',
      name: 'Level 1 - Universal',
      rank: 1,
      description: 'Needs met, or can be met, by universal services.',
    },
    {
      id: 'level-2',
      name: 'Level 2 - Additional needs',
      rank: 2,
      description:
        'Additional needs met by a single agency or by signposting; complete an EHA. Early Help Hub.',
    },
    {
      id: 'level-3',
      name: 'Level 3 - Coordinated support',
      rank: 3,
      description:
        'A coordinated programme of support from more than one agency (EHA, team around the child). Early Help Hub.',
    },
    {
      id: 'level-4',
      name: 'Level 4 - Intensive support',
      rank: 4,
      description:
        'Intensive, coordinated support for complex issues where level 3 has not improved outcomes. Early Help Hub (or MASH).',
    },
    {
      id: 'level-5',
      name: 'Level 5 - Significant harm / acute',
      rank: 5,
      description:
        'At risk of, or suffering, significant harm, or needing acute services or care away from home: referral to MASH ' +
        '(0161 219 2843), followed up in writing within 48 hours.',
    },
  ],
  services: [
    {
      id: 'contact-centre-mash',
      name: 'Contact Centre / MASH',
      kind: 'front_door',
      levels: ['level-4', 'level-5'],
    },
    {
      id: 'eh-hub-north',
      name: 'North Early Help Hub',
      kind: 'early_help_hub',
      levels: ['level-2', 'level-3', 'level-4'],
    },
    {
      id: 'eh-hub-central',
      name: 'Central Early Help Hub',
      kind: 'early_help_hub',
      levels: ['level-2', 'level-3', 'level-4'],
    },
    {
      id: 'eh-hub-south',
      name: 'South Early Help Hub',
      kind: 'early_help_hub',
      levels: ['level-2', 'level-3', 'level-4'],
    },
    {
      id: 'eh-triage',
      name: 'Early Help triage (Early Help Hub social workers)',
      kind: 'early_help',
      levels: ['level-2', 'level-3', 'level-4'],
    },
    {
      id: 'eh-interventions',
      name: 'Early Help interventions (Early Help practitioners)',
      kind: 'early_help',
      levels: ['level-3', 'level-4'],
    },
    {
      id: 'area-sw',
      name: 'Area Social Work team',
      kind: 'social_work_team',
      levels: ['level-4', 'level-5'],
    },
    {
      id: 'early-years-outreach',
      name: 'Early Years Outreach Delivery Model',
      kind: 'other',
      levels: ['level-1', 'level-2', 'level-3'],
      description: 'Universal or targeted support for families with a child under 5.',
    },
    { id: 'universal', name: 'Universal services', kind: 'universal', levels: ['level-1'] },
  ],
  calendar: {},
  consent: {
    reasons: [
      {
        id: 'child-protection-concern',
        label:
          'A child protection concern: seeking consent would place the child at risk of significant harm or cause delay',
      },
    ],
  },
  declineReasons: commonDeclineReasons,
  emergency: {
    title: 'Significant harm: contact the Contact Centre / MASH now',
    text:
      'A child at risk of, or suffering, significant harm (Level 5): refer to MASH on 0161 219 2843 without delay, or ' +
      'call 999 if there is immediate risk. A child protection concern raised in Early Help triage or interventions ' +
      'goes to the Contact Centre / MASH without delay. Do not use a request for this.',
    phones: [
      { label: 'Contact Centre / MASH', number: '0161 219 2843' },
      { label: 'Immediate risk to the child', number: '999' },
    ],
    followUp: 'Follow up the referral in writing within 48 hours.',
  },
  // The Micare ID on every form: the pro forma asks for it, and the 3-month step-back-up rule finds the child by it.
  routes: withCaseId([
    {
      id: 'mash-to-early-help',
      name: 'Step down: Contact Centre / MASH to Early Help',
      kind: 'step-down',
      command: 'stepdown',
      summary:
        'The MASH refers families that do not meet the criteria for a Social Work assessment to Early Help. Consent is ' +
        "explored; Early Help triage only with the family's agreement. Mapped using Signs of Safety, with a plan and a " +
        'contingency if the family do not engage (including whether to refer to Social Work).',
      from: { services: ['contact-centre-mash'], levels: ['level-4', 'level-5'] },
      to: { service: 'eh-hub-north', levels: ['level-2', 'level-3', 'level-4'] },
      receiveVia: byHub,
      decision: {
        due: defaultDecisionDue,
        note: "Early Help triage in the hub, with the family's agreement.",
      },
      fields: [
        hubField,
        yesNo(
          'family_understands_referral',
          'Is the family clear that a referral is being made to Early Help and what it means?',
          required,
        ),
        ...signsOfSafety,
        textarea('eh_plan', 'Plan for Early Help', required),
        textarea('non_engagement_contingency', 'Contingency if the family do not engage', required),
        yesNo(
          'refer_to_sw_if_no_engagement',
          'If the family do not engage, should a referral to Social Work be made?',
          required,
        ),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'Consent is fully explored with the family; the triage in the Early Help Hub is completed only with their agreement.',
      },
      gates: [
        {
          kind: 'require',
          id: 'family-understands-referral',
          description: 'The family understand that a referral is being made to Early Help',
          require: { field: 'family_understands_referral', equals: true },
          message:
            'Explore consent fully with the family: they should be clear that a referral is being made into Early Help and what this means.',
        },
      ],
      source:
        'It is important that the issues of consent are fully explored by the Contact Centre and MASH with families ... ' +
        'The triage process within the Early Help Hubs will be completed with the agreement from the family. ... have ' +
        'a plan and contingency for Early Help if the family do not engage.',
    },
    {
      id: 'sw-assessment-not-progressed',
      name: 'Area Social Work to Early Help: MASH-recommended Child and Family Assessment not progressed',
      kind: 'step-down',
      command: 'stepdown',
      summary:
        'The area social worker discusses the change in outcome with the MASH Team Manager (case note recorded by the ' +
        'MASH Team Manager), then contacts the Early Help Hub to agree Early Help and a written plan with contingencies ' +
        'and timescales. Resolved within 24 hours; within a further 24 hours if escalated to senior management.',
      from: { services: ['area-sw'], levels: ['level-4', 'level-5'] },
      to: { service: 'eh-hub-north', levels: ['level-3', 'level-4'] },
      receiveVia: byHub,
      decision: {
        due: { amount: 24, unit: 'clock_hours' },
        note: 'Any decision not to progress to a Child and Family Assessment should be resolved within 24 hours.',
      },
      fields: [
        hubField,
        textarea(
          'reasons_not_progressed',
          'Reasons for the change in outcome from the MASH referral',
          required,
        ),
        yesNo(
          'discussed_with_mash_tm',
          'Have you discussed it with the MASH Team Manager and agreed it does not progress to assessment?',
          required,
        ),
        yesNo('mash_tm_case_note', 'Has the MASH Team Manager recorded a case note?', required),
        textarea('written_plan', 'Plan of action agreed with the Early Help Hub', required),
        textarea(
          'contingencies_timescales',
          'Contingencies and timescales if the family does not engage',
          required,
        ),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'Early Help is consent-based: the request is made with the agreement of the family.',
      },
      gates: [
        {
          kind: 'require',
          id: 'mash-tm-case-note',
          description: 'Discussed with the MASH Team Manager, who recorded a case note',
          require: {
            all: [
              { field: 'discussed_with_mash_tm', equals: true },
              { field: 'mash_tm_case_note', equals: true },
            ],
          },
          message:
            'Discuss the reasons for the change in outcome with the MASH Team Manager first; the MASH Team Manager records a case note.',
        },
      ],
      ladder: 'c-and-f-not-progressed',
      source:
        'Discuss the reasons for the change in outcome from the referral with the MASH team manager ... Case note should ' +
        'be recorded by MASH Team Manager. ... should be resolved within 24hrs ... If the case is escalated to Senior ' +
        'Management then again it should be resolved within a further 24hrs.',
    },
    {
      id: 'cin-to-early-help',
      name: 'Step down from a Child and Family Assessment or Child in Need plan',
      kind: 'step-down',
      command: 'stepdown',
      summary:
        'The Early Help Allocations Pro Forma is attached to the Child and Family referral form on Micare. Screened by ' +
        'the EH social worker; level 4 goes to the next multi-agency allocations meeting (every Thursday, in each hub; ' +
        'within 5 days); level 3 may get advice and guidance without allocation. Handover with the family; Early Help ' +
        'attends the final CIN meeting. Under-5s may go to the Early Years Outreach Delivery Model instead.',
      from: { services: ['area-sw'], levels: ['level-4', 'level-5'] },
      to: { service: 'eh-hub-north', levels: ['level-3', 'level-4'], levelField: 'level_of_need' },
      receiveVia: [
        {
          when: {
            all: [
              { field: 'child_age', lessThan: 5 },
              { field: 'early_years_outreach', equals: true },
            ],
          },
          service: 'early-years-outreach',
          reason:
            'A child under 5 whose case does not need the Early Help hubs: Early Years Outreach Delivery Model.',
        },
        ...byHub,
      ],
      decision: {
        due: { amount: 5, unit: 'working_days' },
        deciders: ['senior', 'team_manager'],
        adviceOnly: true,
        adviceOnlyWhen: { field: 'level_of_need', equals: 'level-3' },
        note:
          'Screened by the EH social worker. Level 4: presented at the next allocations meeting (within 5 days). Level 3: ' +
          'advice and guidance may be given without allocation.',
      },
      fields: [
        hubField,
        select(
          'stepping_down_from',
          'Stepping down from',
          [
            ['cafa', 'Child and Family Assessment'],
            ['cin-plan', 'Child in Need plan'],
          ],
          required,
        ),
        yesNo(
          'early_years_outreach',
          'Child under 5: refer to the Early Years Outreach Delivery Model instead of the hub?',
          {
            requiredWhen: { field: 'child_age', lessThan: 5 },
          },
        ),
        ...proForma('step-down'),
        datetime('final_cin_meeting_at', 'Date and time of the final Child in Need meeting', {
          requiredWhen: { field: 'stepping_down_from', equals: 'cin-plan' },
        }),
        yesNo(
          'assessed_in_last_6_months',
          'Has there been an assessment within the last six months?',
          required,
        ),
        select(
          'eha_agreed',
          'Agreed with the family whether to complete an Early Help Assessment',
          [
            ['yes', 'Yes, complete an EHA'],
            ['no', 'No, plan only'],
            ['at-final-cin', 'To be agreed at the handover CIN meeting'],
          ],
          { requiredWhen: { field: 'assessed_in_last_6_months', equals: false } },
        ),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'The family should understand and be part of the plan.',
      },
      gates: [statusGate('step-down', 'the joint working route')],
      meetings: [
        {
          id: 'allocations',
          kind: 'allocations',
          label: 'Next multi-agency allocations meeting (Thursday, in the hub)',
          anchor: 'submitted',
          atNextSchedule: true,
          within: { amount: 5, unit: 'working_days' },
          when: { field: 'level_of_need', equals: 'level-4' },
          participants: ['receiving_senior', 'receiving_manager', 'sending_worker'],
          note: "The area social worker is encouraged to attend to present the family's needs.",
        },
        {
          id: 'final-cin',
          kind: 'final_cin',
          label: 'Final Child in Need meeting, attended by Early Help',
          anchor: { field: 'final_cin_meeting_at' },
          within: { amount: 0, unit: 'working_days' },
          when: { field: 'stepping_down_from', equals: 'cin-plan' },
          participants: ['sending_worker', 'allocated_worker', 'receiving_senior', 'family'],
          note:
            'The social worker does not end involvement until an agreed safe plan is in place. Where there has been ' +
            'significant Social Care involvement an Early Help Team Leader, Social Worker or Team Manager attends.',
        },
        {
          id: 'handover',
          kind: 'handover_discussion',
          label: 'Handover between Social Work and Early Help, with the family',
          anchor: 'allocated',
          participants: ['sending_worker', 'allocated_worker', 'family'],
        },
        {
          id: 'joint-visit',
          kind: 'joint_visit',
          label:
            'Early Help visits the family (or attends a multi-agency meeting) with the allocated social worker',
          anchor: 'allocated',
          when: { field: 'stepping_down_from', equals: 'cafa' },
          participants: ['sending_worker', 'allocated_worker', 'family'],
        },
      ],
      notify: [
        {
          on: 'submitted',
          to: { requester: true },
          when: { field: 'level_of_need', equals: 'level-4' },
          message:
            "Your step-down goes to the next allocations meeting (Thursday, in the hub): you are encouraged to attend and present the family's needs.",
        },
      ],
      source:
        'The referral will be screened by the EH Social Worker and presented to the next multi agency allocations meeting ' +
        'were the case is a Level 4 (this should be within 5 days). ... Level 3 ... may provide advice and guidance ... ' +
        'Allocation Meetings take place every Thursday in each hub.',
    },
    {
      id: 'triage-to-sw',
      name: 'Step up from Early Help triage',
      kind: 'step-up',
      command: 'stepup',
      summary:
        'The EH social worker sends the case to the area Social Work team (Contact Information record on Micare). A ' +
        'child protection concern goes to the Contact Centre without delay. If the original referrer disputes an Early ' +
        'Help outcome from MASH, EH social work and MASH hold a case discussion within 24 hours.',
      from: { services: ['eh-triage', ...hubServices], levels: ['level-2', 'level-3', 'level-4'] },
      to: { service: 'area-sw', levels: ['level-5'] },
      receiveVia: [
        {
          when: { field: 'disputes_mash_outcome', equals: true },
          service: 'contact-centre-mash',
          reason:
            'The MASH referred to Early Help and the outcome is disputed: MASH considers changing it to a Social Work assessment.',
        },
      ],
      decision: { due: defaultDecisionDue },
      fields: [
        childProtectionQuestion,
        textarea('reasons', 'Why the child requires a Social Work assessment', required),
        yesNo(
          'contact_record_on_micare',
          'Have you completed a Contact Information record on Micare?',
          required,
        ),
        yesNo(
          'disputes_mash_outcome',
          'Did the MASH refer to Early Help, and the original referrer does not support the Early Help recommendation (or you feel the needs are greater than Early Help)?',
          required,
        ),
      ],
      consent: {
        required: true,
        notSoughtReasons: ['child-protection-concern'],
        note: 'The source is silent on consent for a step up; where it is not sought, the reason is recorded.',
      },
      gates: [childProtectionGate],
      meetings: [
        {
          id: 'case-discussion',
          kind: 'case_discussion',
          label: 'Case discussion between Early Help Social Work and MASH (within 24 hours)',
          anchor: 'submitted',
          within: { amount: 24, unit: 'clock_hours' },
          when: { field: 'disputes_mash_outcome', equals: true },
          participants: ['sending_worker', 'receiving_manager'],
          note: 'So the MASH can consider the decision and change the outcome to a Social Work Assessment if appropriate.',
        },
      ],
      source:
        'Children and families stepped up following the triage process will be sent direct to the area Social Work team ' +
        'from an Early Help Social Worker using a Contact Information record on Micare ... a case discussion should take ' +
        'place between Early Help Social Work and MASH. This should be within 24 hours.',
    },
    {
      id: 'interventions-to-sw',
      name: 'Step up from Early Help interventions',
      kind: 'step-up',
      command: 'stepup',
      summary:
        'When concerns are raised or the Early Help plan is not working, a Team Around the Family meeting is called ' +
        'within 5 working days of the concern being raised; consultation with the Early Help Senior Social Worker ' +
        'using Signs of Safety. A child protection concern goes to the Contact Centre / MASH without delay.',
      from: { services: ['eh-interventions', ...hubServices], levels: ['level-3', 'level-4'] },
      to: { service: 'area-sw', levels: ['level-5'] },
      decision: { due: defaultDecisionDue },
      fields: [
        childProtectionQuestion,
        date('concern_raised_on', 'Date the concern was raised', required),
        yesNo('senior_sw_consulted', 'Have you consulted the Early Help Senior Social Worker?', required),
        textarea('sos_strengths', 'Existing strengths', { required: true, section: 'Signs of Safety' }),
        textarea('sos_danger', 'Danger / risk', { required: true, section: 'Signs of Safety' }),
        textarea('sos_needs_to_happen', 'What needs to happen?', {
          required: true,
          section: 'Signs of Safety',
        }),
        yesNo(
          'contact_record_on_micare',
          'Have you completed a Contact Information record on Micare?',
          required,
        ),
      ],
      consent: {
        required: true,
        notSoughtReasons: ['child-protection-concern'],
        note: 'The source is silent on consent for a step up; where it is not sought, the reason is recorded.',
      },
      gates: [
        childProtectionGate,
        {
          kind: 'require',
          id: 'senior-sw-consulted',
          description: 'Consultation with the Early Help Senior Social Worker (Signs of Safety)',
          require: { field: 'senior_sw_consulted', equals: true },
          message:
            'Consult the Early Help Senior Social Worker first (Signs of Safety: strengths, danger / risk, what needs to happen); the EH social worker records it on a case note.',
        },
      ],
      meetings: [
        {
          id: 'taf',
          kind: 'taf',
          label: 'Team Around the Family meeting (within 5 working days of the concern being raised)',
          anchor: { field: 'concern_raised_on' },
          within: { amount: 5, unit: 'working_days' },
          participants: ['sending_worker', 'family', 'universal_practitioners'],
          note: 'When issues are complex the Early Help Senior Social Worker attends the TAF meeting.',
        },
      ],
      source:
        'A Team around the Family (TAF) Meeting should be called ... within 5 working days from the issues being raised. ' +
        '... should have a consultation with the Early Help Senior Social Worker ... using the signs of safety approach.',
    },
    {
      id: 'joint-working',
      name: 'Joint working: Early Help intervention alongside Social Work',
      kind: 'joint-working',
      command: 'stepdown',
      summary:
        'The social worker keeps the case and Early Help adds an evidence-based intervention. Same pro forma as a ' +
        'step-down, plus the timescales of the intervention. Screened by the EH social worker with oversight from the ' +
        'Interventions Manager.',
      from: { services: ['area-sw'], levels: ['level-4', 'level-5'] },
      to: { service: 'eh-hub-north', levels: ['level-3', 'level-4', 'level-5'], levelField: 'level_of_need' },
      receiveVia: byHub,
      decision: {
        due: defaultDecisionDue,
        deciders: ['senior', 'team_manager', 'service_manager'],
        note: 'Screened by the Early Help social worker, with oversight from the Interventions Manager (Team Manager, Locality Manager or Team Leader).',
      },
      fields: [
        hubField,
        ...proForma('joint'),
        textarea('intervention_timescales', 'Timescales for the evidence-based intervention', required),
        yesNo('meets_joint_working_model', 'Does the case meet the joint working model?', {
          required: true,
          help:
            'Early Help criteria met (early signs of an emerging problem); the family are engaging with Social Work; a ' +
            'Signs of Safety assessment and plan owned by the social worker; an evidence-based intervention an Early Help ' +
            'practitioner can deliver.',
        }),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'Early Help is consent-based: the request is made with the agreement of the family.',
      },
      gates: [
        statusGate('joint', 'the step-down route'),
        {
          kind: 'require',
          id: 'joint-working-model',
          description: 'The case meets the joint working model',
          require: { field: 'meets_joint_working_model', equals: true },
          message:
            'Joint working is for families who meet the Early Help criteria, are engaging with Social Work, have a Signs of ' +
            'Safety assessment and plan owned by the social worker, and need an evidence-based intervention.',
        },
      ],
      notify: [
        {
          on: 'submitted',
          to: { side: 'receiving', roles: ['team_manager', 'service_manager'] },
          message:
            "A joint working request has arrived: Interventions Manager oversight of the EH social worker's screening.",
        },
      ],
      source:
        'Requests for joint worked Social Work cases will be screened by the Early Help Social Worker and have oversight ' +
        'from the Interventions Manager (Team Manager, Locality Manager or Team Leader).',
    },
  ]),
  ladders: [
    {
      id: 'manchester-48-hours',
      name: 'Escalation (resolve within 48 hours)',
      stages: [
        {
          id: 'front-line',
          name: 'Front-line practitioners',
          roles: { sending: ['practitioner'], receiving: ['practitioner'] },
          who: 'The front line practitioners with differing views about the level of need and the response required.',
          timeLimit: { amount: 12, unit: 'clock_hours' },
        },
        {
          id: 'team-managers',
          name: 'Early Help Hub social worker and team managers',
          roles: { sending: ['senior', 'team_manager'], receiving: ['senior', 'team_manager'] },
          who:
            'At triage: the Early Help Hub Social Worker, the Contact Centre/MASH Early Help Coordinator and the relevant ' +
            'Team Managers. At interventions: the Early Help Hub Social Worker, the Early Help Team Manager and the ' +
            'relevant Locality Social Work Team Manager.',
          timeLimit: { amount: 12, unit: 'clock_hours' },
        },
        {
          id: 'locality-managers',
          name: 'Hub Locality Manager and Locality Social Work Head of Service',
          roles: {
            sending: ['service_manager', 'head_of_service'],
            receiving: ['service_manager', 'head_of_service'],
          },
          who: 'Where Team Managers cannot agree: the Hub Locality Manager and the Locality Social Work Head of Service.',
          timeLimit: { amount: 12, unit: 'clock_hours' },
        },
        {
          id: 'final',
          name: "Strategic Head of Early Help and Deputy Director Children's Social Care (final)",
          roles: { sending: ['director'], receiving: ['director'] },
          who: "The Strategic Head of Early Help and the Deputy Director Children's Social Care are the final decision makers.",
          timeLimit: { amount: 12, unit: 'clock_hours' },
        },
      ],
      note: 'Resolution within 48 hours in all; the source gives no time per stage, so 12 clock hours each.',
    },
    {
      id: 'c-and-f-not-progressed',
      name: 'Child and Family Assessment not progressed (24 + 24 hours)',
      // The first 24 hours are the request's own decision (after the MASH Team Manager discussion its gate
      // asks for): a disagreement after that, or a decision not made in time, is escalated straight to senior
      // management, so that the whole stays within 24 + 24 hours.
      stages: [
        {
          id: 'senior-management',
          name: 'Senior management (a further 24 hours)',
          roles: {
            sending: ['service_manager', 'head_of_service'],
            receiving: ['service_manager', 'head_of_service'],
          },
          who: 'Escalated to Senior Management: resolved within a further 24 hours.',
          timeLimit: { amount: 24, unit: 'clock_hours' },
        },
      ],
      note: 'Any decision not to progress to a Child and Family Assessment is resolved within 24 hours (the decision due on the request), and within a further 24 hours at senior management.',
    },
  ],
  defaultLadder: 'manchester-48-hours',
  stepBackUp: {
    within: { amount: 3, unit: 'calendar_months' },
    note: 'A case stepped back up within 3 months of a step-down is stepped back up to the team that stepped it down.',
  },
  schedules: hubs.map(([hub, label]) => ({
    id: `allocations-${hub}`,
    label: `${label} multi-agency allocations meeting`,
    service: `eh-hub-${hub}`,
    weekday: 4,
    time: '10:00',
    agendaWorkingDaysBefore: 1,
  })),
};
