/**
 * Lambeth: Step Up/Step Down Process between the Community Early Help Service (EH) and Children's Social Care
 * (CSC). Source: shared/seeds/004_63f9034b5148cb50.txt.
 */
import type { ProfileInput } from '../domain/profile.ts';
import {
  commonDeclineReasons,
  commonLadder,
  commonLadderNote,
  date,
  datetime,
  defaultDecisionDue,
  defaultDecisionNote,
  genericEmergency,
  noEmergencyNumberNote,
  required,
  text,
  textarea,
  yesNo,
} from './common.ts';

const cpPlanInLastThreeMonths = {
  any: [
    { field: 'cp_plan_last_3_months', equals: true },
    { field: 'cp_plan_ended_on', withinLast: { amount: 3, unit: 'calendar_months' as const } },
  ],
};

const ehTeamManagerDiscussion = [
  yesNo(
    'discussed_with_eh_team_manager',
    'Have you discussed the referral with the EH Team Manager?',
    required,
  ),
  text('eh_team_manager', 'EH Team Manager you discussed it with', required),
];

const ehTeamManagerGate = {
  kind: 'require' as const,
  id: 'discussed-with-eh-team-manager',
  description: 'The social worker has discussed the referral with the EH Team Manager',
  require: { field: 'discussed_with_eh_team_manager', equals: true },
  message: 'Discuss the family with the EH Team Manager before sending the step-down.',
};

const outcomesToAchieve = textarea('outcomes_to_achieve', 'Outcomes to be achieved', {
  required: true,
  help: 'The CAT Team Manager allocates to the locality team detailing the outcomes to be achieved.',
});

const localityTeam = text('locality_team', 'Relevant locality team', required);

export const lambethProfile: ProfileInput = {
  id: 'lambeth',
  council: 'London Borough of Lambeth',
  name: "Lambeth Step Up/Step Down Process (Community Early Help and Children's Social Care)",
  source:
    "Lambeth Step Up/Step Down Process: briefing for the Community Early Help Service and Children's Social Care.",
  notes: [
    commonLadderNote(
      'the source says professional disagreements are covered by the Step Up/Step Down Flowcharts, which are not in the text.',
    ),
    defaultDecisionNote,
    noEmergencyNumberNote,
    'Levels: the source does not describe levels of need, only the two services, so the profile has two levels: ' +
      "Early Help and statutory (Children's Social Care: assessment, Child in Need, Child Protection).",
    "Step up to the IRH: the source does not ask for the family's consent, only that the family is told what is " +
      'happening "if it is safe to do so", so consent is not required on this route; whether the family was told, ' +
      'and why not, is recorded on the form.',
    'Step downs: the CAT Team Manager allocates to the relevant locality team. The schema lets only the receiving ' +
      'team decide, so the locality team (Community Early Help) is the receiving service, CAT is shown as the front ' +
      'door it passes, and CAT is told of every FSCP step-down so its Team Manager can allocate. On a CAT ' +
      'step-down the sender confirms the CAT Team Manager has agreed the allocation and its outcomes (a gate), and ' +
      'the CAT Team Manager is told when it is sent.',
    'Outcomes Framework: the source gives no time for the EH practitioner to complete the Outcomes Framework part ' +
      'of the EHA; a default of 20 working days (4 weeks) from allocation is used.',
  ],
  caseSystem: 'Mosaic',
  levels: [
    { id: 'early-help', name: 'Early Help', rank: 2, description: 'Community Early Help Service.' },
    {
      id: 'statutory',
      name: "Statutory (Children's Social Care)",
      rank: 3,
      description: 'Statutory assessment (CAT), Child in Need and Child Protection plans (FSCP).',
    },
  ],
  services: [
    {
      id: 'community-early-help',
      name: 'Community Early Help Service (locality team)',
      kind: 'locality_team',
      levels: ['early-help'],
    },
    {
      id: 'irh',
      name: 'Integrated Referral Hub (IRH)',
      kind: 'front_door',
      levels: ['statutory'],
    },
    {
      id: 'cat',
      name: "Children's Assessment Team (CAT)",
      kind: 'assessment_team',
      levels: ['statutory'],
    },
    {
      id: 'fscp',
      name: 'Family Safeguarding and Child Protection (FSCP)',
      kind: 'cin_cp_team',
      levels: ['statutory'],
    },
  ],
  calendar: {},
  consent: { reasons: [] },
  declineReasons: commonDeclineReasons,
  emergency: genericEmergency('the Integrated Referral Hub (IRH)'),
  routes: [
    {
      id: 'eh-to-csc',
      name: "Step Up: Early Help to Children's Social Care (IRH)",
      kind: 'step-up',
      command: 'stepup',
      summary:
        'When the threshold for a statutory assessment is reached, the EH Practitioner discusses with their Team ' +
        'Manager, who discusses with an IRH Team Manager the same day. Step Up form on Mosaic. The family is told if ' +
        'it is safe to do so. EH work continues while CAT assess unless a reason to stop is recorded.',
      from: { services: ['community-early-help'], levels: ['early-help'] },
      to: { service: 'irh', levels: ['statutory'] },
      decision: {
        due: defaultDecisionDue,
        deciders: ['team_manager'],
        note: 'An IRH Team Manager decides, after the same-day discussion with the EH Team Manager.',
      },
      fields: [
        textarea(
          'threshold_reasons',
          'Why you believe the threshold for a statutory assessment has been reached',
          required,
        ),
        yesNo('discussed_with_team_manager', 'Have you discussed this with your EH Team Manager?', required),
        yesNo('step_up_form_on_mosaic', 'Have you completed the Step Up form on Mosaic?', required),
        yesNo('family_advised', 'Have you told the family what is happening?', required),
        textarea('family_not_advised_reason', 'Why it is not safe to tell the family', {
          requiredWhen: { field: 'family_advised', equals: false },
        }),
        yesNo('continue_eh_work', 'Will EH work continue while CAT undertake an assessment?', {
          required: true,
          help: 'The expectation is that EH work continues while CAT assess, unless there is a specified reason to stop.',
        }),
        textarea('stop_eh_reason', 'Reason EH work should stop', {
          requiredWhen: { field: 'continue_eh_work', equals: false },
        }),
      ],
      consent: {
        required: false,
        notSoughtReasons: [],
        note: 'If it is safe to do so, the EH Practitioner advises the family of what is happening.',
      },
      gates: [
        {
          kind: 'require',
          id: 'discussed-with-team-manager',
          description: 'The EH Practitioner has discussed the step-up with their Team Manager',
          require: { field: 'discussed_with_team_manager', equals: true },
          message:
            'Discuss the step-up with your EH Team Manager first: they then discuss it with an IRH Team Manager the same day.',
        },
        {
          kind: 'require',
          id: 'step-up-form-on-mosaic',
          description: 'The Step Up form is completed on Mosaic',
          require: { field: 'step_up_form_on_mosaic', equals: true },
          message: 'Complete the Step Up form on Mosaic before sending the step-up.',
        },
      ],
      meetings: [
        {
          id: 'irh-manager-discussion',
          kind: 'manager_discussion',
          label: 'EH Team Manager discusses the step-up with an IRH Team Manager (same day)',
          anchor: 'submitted',
          within: { amount: 0, unit: 'working_days' },
          participants: ['sending_manager', 'receiving_manager'],
        },
      ],
      notify: [
        {
          on: 'submitted',
          to: { side: 'sending', roles: ['team_manager'] },
          message: 'An EH step-up to the IRH has been sent: discuss it with an IRH Team Manager today.',
        },
        {
          on: 'submitted',
          to: { side: 'receiving', roles: ['team_manager'] },
          message:
            'An EH step-up has arrived: the EH Team Manager will discuss it with an IRH Team Manager today.',
        },
        {
          on: 'accepted',
          to: { requester: true },
          message:
            'The IRH has accepted the step-up for a CAT assessment. EH work continues while CAT assess, unless you recorded a reason to stop.',
        },
      ],
      source:
        'The EH Practitioner discusses with the Team Manager who has a discussion with an IRH Team Manager on the same day. ' +
        'EH Practitioner completes the Step Up form on Mosaic. If it is safe to do so, the EH Practitioner advises the ' +
        'family. Unless there is a specified reason why the EH work should discontinue, EH work continues while CAT ' +
        'undertake an assessment.',
    },
    {
      id: 'cat-to-eh',
      name: "Step Down: Children's Social Care (CAT) to Early Help",
      kind: 'step-down',
      command: 'stepdown',
      summary:
        'When the child will not become CIN or subject to a CP Plan, the CAT Social Worker discusses with the EH Team ' +
        "Manager and gains the family's consent. If the family consents, the CAT Team Manager allocates to the " +
        'relevant locality team with the outcomes to be achieved. Joint visit if appropriate. The EH Practitioner ' +
        'completes the Outcomes Framework part of the EHA.',
      from: { services: ['cat'], levels: ['statutory'] },
      to: { service: 'community-early-help', levels: ['early-help'] },
      frontDoor: 'cat',
      decision: {
        due: defaultDecisionDue,
        note: 'The CAT Team Manager allocates to the relevant locality team; the locality team allocates an EH Practitioner.',
      },
      fields: [
        yesNo(
          'will_not_become_cin_or_cp',
          'Is it clear that the child will not become a CIN or subject to a CP Plan?',
          required,
        ),
        ...ehTeamManagerDiscussion,
        localityTeam,
        outcomesToAchieve,
        yesNo(
          'cat_team_manager_allocates',
          'Has the CAT Team Manager agreed this allocation to the locality team and its outcomes?',
          required,
        ),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'The CAT Social Worker gains the consent of the family for a referral; without it there is no step-down.',
      },
      gates: [
        {
          kind: 'require',
          id: 'not-cin-or-cp',
          description: 'The child will not become a CIN or subject to a CP Plan',
          require: { field: 'will_not_become_cin_or_cp', equals: true },
          message: 'A CAT step-down is for a child who will not become a CIN or subject to a CP Plan.',
        },
        ehTeamManagerGate,
        {
          kind: 'require',
          id: 'cat-team-manager-allocates',
          description:
            'The CAT Team Manager allocates to the locality team, with the outcomes to be achieved',
          require: { field: 'cat_team_manager_allocates', equals: true },
          message:
            'The CAT Team Manager allocates to the locality team: agree it and the outcomes with them before sending.',
        },
      ],
      meetings: [
        {
          id: 'joint-visit',
          kind: 'joint_visit',
          label: 'Joint visit: CAT Social Worker and EH Practitioner (if appropriate)',
          anchor: 'allocated',
          optional: true,
          participants: ['sending_worker', 'allocated_worker', 'family'],
        },
      ],
      tasks: [
        {
          id: 'outcomes-framework',
          label:
            'Complete the Outcomes Framework portion of the Early Help Assessment (using the CAT assessment)',
          anchor: 'allocated',
          offset: { amount: 20, unit: 'working_days' },
          owner: 'receiving',
          note: 'So that progress can be measured. The source gives no time: 20 working days is a default.',
        },
      ],
      notify: [
        {
          on: 'submitted',
          to: { side: 'sending', roles: ['team_manager'] },
          message:
            'A CAT step-down you agreed was sent to the locality team with the outcomes to be achieved.',
        },
        {
          on: 'allocated',
          to: { requester: true },
          message:
            'The locality team has allocated an EH Practitioner. Arrange a joint visit if appropriate.',
        },
      ],
      source:
        'The CAT Social Worker has a discussion with the EH Team Manager and gains the consent of the family for a ' +
        'referral. If the family consents, the CAT Team Manager allocates to relevant locality Team detailing the ' +
        'outcomes to be achieved. If appropriate, ... a joint visit. The EH Practitioner uses the CAT assessment, but ' +
        'completes the Outcomes Framework portion of the Early Help Assessment.',
    },
    {
      id: 'fscp-to-eh',
      name: "Step Down: Children's Social Care (FSCP) to Early Help",
      kind: 'step-down',
      command: 'stepdown',
      summary:
        'When a CIN Plan is ending. A child subject to a CP Plan within the last three months must first be agreed at ' +
        'a Step Down Meeting. Discussion with the EH Team Manager and family consent; the EH Team Manager or EH Senior ' +
        'Practitioner attends the final CIN Review; sent to the locality team via Mosaic; the CAT Team Manager ' +
        'allocates; joint visit if appropriate.',
      from: { services: ['fscp'], levels: ['statutory'] },
      to: { service: 'community-early-help', levels: ['early-help'] },
      frontDoor: 'cat',
      decision: {
        due: defaultDecisionDue,
        note: 'If the family consents, the CAT Team Manager allocates to the relevant locality team.',
      },
      fields: [
        yesNo('cin_plan_ending', 'Is the CIN Plan ending?', required),
        yesNo(
          'cp_plan_last_3_months',
          'Has the child been subject to a CP Plan within the last three months?',
          required,
        ),
        date('cp_plan_ended_on', 'Date the CP Plan ended', {
          requiredWhen: { field: 'cp_plan_last_3_months', equals: true },
        }),
        yesNo('step_down_meeting_agreed', 'Has a Step Down Meeting agreed the step-down?', {
          requiredWhen: cpPlanInLastThreeMonths,
        }),
        date('step_down_meeting_date', 'Date of the Step Down Meeting', {
          requiredWhen: cpPlanInLastThreeMonths,
        }),
        ...ehTeamManagerDiscussion,
        datetime('final_cin_review_at', 'Date and time of the final CIN Review', required),
        localityTeam,
        outcomesToAchieve,
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'The FSCP Social Worker gains the consent of the family for a referral; without it there is no step-down.',
      },
      gates: [
        {
          kind: 'require',
          id: 'cin-plan-ending',
          description: 'The CIN Plan is ending',
          require: { field: 'cin_plan_ending', equals: true },
          message: 'An FSCP step-down is made when a CIN Plan is ending.',
        },
        {
          kind: 'require',
          id: 'step-down-meeting',
          description:
            'A child subject to a CP Plan within the last three months is agreed at a Step Down Meeting first',
          when: cpPlanInLastThreeMonths,
          require: { field: 'step_down_meeting_agreed', equals: true },
          message:
            'The child has been subject to a CP Plan within the last three months: bring the case to a Step Down Meeting ' +
            'for agreement before any discussion with EH.',
        },
        ehTeamManagerGate,
      ],
      meetings: [
        {
          id: 'final-cin-review',
          kind: 'final_cin',
          label: 'Final CIN Review, attended by the EH Team Manager or EH Senior Practitioner',
          anchor: { field: 'final_cin_review_at' },
          within: { amount: 0, unit: 'working_days' },
          participants: ['sending_worker', 'receiving_manager', 'receiving_senior', 'family'],
          note: 'Next steps are agreed at the final CIN Review.',
        },
        {
          id: 'joint-visit',
          kind: 'joint_visit',
          label: 'Joint visit: FSCP Social Worker and EH Practitioner (if appropriate)',
          anchor: 'allocated',
          optional: true,
          participants: ['sending_worker', 'allocated_worker', 'family'],
        },
      ],
      notify: [
        {
          on: 'submitted',
          to: { service: 'cat' },
          message:
            'An FSCP step-down to Early Help has been sent: if the family consents, the CAT Team Manager allocates it to the locality team.',
        },
        {
          on: 'submitted',
          to: { side: 'receiving', roles: ['team_manager', 'senior'] },
          message:
            'An FSCP step-down is coming: the EH Team Manager or an EH Senior Practitioner attends the final CIN Review.',
        },
      ],
      source:
        'If the child has been subject to a CP Plan within the last three months, the FSCP Social Worker must bring the ' +
        'case to a Step Down Meeting for agreement before any discussion with EH. ... EH Team Manager or EH Senior ' +
        'Practitioner attends final CIN Review ... FSCP Social worker sends to relevant locality team via Mosaic.',
    },
  ],
  ladders: [commonLadder],
  defaultLadder: 'common',
};
