/**
 * Halton: Level of Need Review (Step up / Step down) Protocol, the interface between Early Help (TAF / MAP)
 * and Children's Social Care. Source: shared/seeds/002_98b1fd92a83de124.txt.
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
  email,
  genericEmergency,
  noEmergencyNumberNote,
  required,
  text,
  textarea,
  yesNo,
} from './common.ts';

const earlyHelpServices = ['locality-early-help', 'childrens-centre-early-help', 'map-partners'];

export const haltonProfile: ProfileInput = {
  id: 'halton',
  council: 'Halton Borough Council',
  name: 'Halton Level of Need Review (Step up / Step down) Protocol',
  source:
    "Level of Need Review (Step up / Step down) Protocol: interface between Early Help Team around the Family and Children's Social Care.",
  notes: [
    commonLadderNote('the source does not describe how professional disagreements are resolved.'),
    defaultDecisionNote,
    noEmergencyNumberNote,
    'Safeguarding procedures always override this protocol: in cases of possible s47, due to perceived immediate ' +
      'risk, agencies implement safeguarding procedures instead of a step-up (shown on the emergency card).',
    'Final CIN meeting outcomes: (i) needs remain at level 3 and (iii) Universal Plus / (iv) universal only end the ' +
      "transfer (no MAP follows; for iii and iv the locality or children's centre senior advises on services); (ii) " +
      'step down to MAP carries on to the first MAP review.',
    'First MAP review: agreed at the final CIN meeting, so its date is optional on the form and asked for when the ' +
      'meeting records a step down to MAP. The final CIN documentation is due 2 weeks before it, so on the form it ' +
      'must be at least 2 weeks after submission, and at the meeting far enough ahead for that deadline.',
    'Level of Need Review Form after the final CIN meeting: the source says "after the meeting" with no time; a ' +
      'default of 2 working days after the meeting is used.',
    "Consent: the source is silent on consent. Step-downs and planned step-ups need the family's agreement " +
      '(outcomes are "agreed by all partners including the family"); an unplanned contact to iCART or EDT may go ' +
      'without consent only where safeguarding procedures apply (possible s47, perceived immediate risk).',
    "Unplanned step-ups made outside the council's working hours (or on a bank holiday) go to EDT.",
    "Oversight: the monthly Contact Challenge Meeting reviews a random sample of the previous month's iCART " +
      'referrals; the source gives no sample size (10 is a default). Re-referrals are monitored; the source gives no ' +
      'period, so 12 months (the national re-referral measure) is used. Weekly locality Working Together meetings ' +
      'have no day in the source, so they are not scheduled.',
    "iCART decisions are subject to management authorisation, so iCART's team managers and principal managers decide.",
  ],
  caseSystem: 'Eclipse',
  levels: [
    { id: 'level-1', name: 'Level 1 - Universal', rank: 1 },
    { id: 'level-2', name: 'Level 2 - Early Help (MAP)', rank: 2 },
    { id: 'level-3', name: "Level 3 - Children's Social Care (Child in Need)", rank: 3 },
    { id: 'level-4', name: "Level 4 - Children's Social Care (Child Protection)", rank: 4 },
  ],
  services: [
    {
      id: 'icart',
      name: 'iCART (Integrated Contact and Referral Team)',
      kind: 'front_door',
      levels: ['level-3', 'level-4'],
      description: "The front door to Children's Social Care; screens contacts and referrals.",
    },
    {
      id: 'edt',
      name: 'EDT (Emergency Duty Team, out of hours)',
      kind: 'out_of_hours',
      levels: ['level-3', 'level-4'],
    },
    {
      id: 'csc',
      name: "Children's Social Care (CSC)",
      kind: 'social_work_team',
      levels: ['level-3', 'level-4'],
    },
    {
      id: 'locality-early-help',
      name: 'Locality Early Help',
      kind: 'locality_team',
      levels: ['level-2'],
    },
    {
      id: 'childrens-centre-early-help',
      name: "Children's Centre Early Help",
      kind: 'children_centre',
      levels: ['level-2'],
      description: 'Early Help for children under 5.',
    },
    {
      id: 'map-partners',
      name: 'MAP partners (the MAP Navigator may be any agency)',
      kind: 'other',
      levels: ['level-1', 'level-2'],
    },
    {
      id: 'universal',
      name: 'Universal services (incl. Universal Plus)',
      kind: 'universal',
      levels: ['level-1'],
    },
  ],
  calendar: {},
  consent: {
    reasons: [
      {
        id: 'safeguarding-procedures',
        label: 'Possible s47: perceived immediate risk, so safeguarding procedures apply',
      },
    ],
  },
  declineReasons: commonDeclineReasons,
  emergency: {
    ...genericEmergency('iCART, or EDT out of hours'),
    followUp:
      'In cases of possible s47, due to perceived immediate risk, implement safeguarding procedures: they supersede the step-up process.',
  },
  routes: [
    {
      id: 'csc-to-map',
      name: "Step down: Children's Social Care to MAP (level 2) or universal services",
      kind: 'step-down',
      command: 'stepdown',
      summary:
        "The social worker invites a Locality Early Help senior (a Children's Centre Early Help senior if the child is " +
        'under 5) to the final CIN meeting with the Level of Need Review form. The meeting records one of four ' +
        'outcomes; on a step down to MAP the CIN minutes become the MAP document, with the indicators for stepping ' +
        'back up, and the final CIN documentation is due at least 2 weeks before the first MAP review.',
      from: { services: ['csc'], levels: ['level-3'] },
      to: { service: 'locality-early-help', levels: ['level-2', 'level-1'] },
      receiveVia: [
        {
          when: { field: 'child_age', lessThan: 5 },
          service: 'childrens-centre-early-help',
          reason: "The child is under 5: a Children's Centre Early Help senior is invited.",
        },
      ],
      decision: {
        due: defaultDecisionDue,
        deciders: ['senior', 'team_manager'],
        note: 'Accepting means a senior will attend the final CIN meeting; the outcome is agreed there by all partners, including the family.',
      },
      fields: [
        datetime('final_cin_meeting_at', 'Date and time of the final CIN meeting', {
          required: true,
          section: 'Level of Need Review form',
        }),
        text('final_cin_meeting_venue', 'Venue of the final CIN meeting', {
          required: true,
          section: 'Level of Need Review form',
        }),
        textarea('work_synopsis', 'Brief synopsis of work completed', {
          required: true,
          section: 'Level of Need Review form',
        }),
        textarea('outstanding_actions', 'Outstanding actions identified', {
          required: true,
          section: 'Level of Need Review form',
        }),
        text(
          'proposed_map_navigator',
          'Who is best placed to take on the MAP Navigator role (where appropriate)',
          {
            section: 'Level of Need Review form',
          },
        ),
        textarea(
          'step_back_up_indicators',
          'Indicators that would require the case to be transferred back to CSC',
          {
            required: true,
            section: 'MAP document',
            help: 'The minutes of the final CIN meeting become the new MAP document and must include this section.',
          },
        ),
        date('first_map_review_date', 'Date of the first MAP review meeting', {
          section: 'MAP document',
          help: 'Agreed at the final CIN meeting; the final CIN documentation must be received at least 2 weeks before it.',
        }),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'Future plans are agreed with the family and partners at the final CIN meeting.',
      },
      gates: [
        {
          kind: 'notice',
          id: 'first-map-review-notice',
          description:
            'The first MAP review is at least 2 weeks after the final CIN meeting, so its documentation can arrive 2 weeks before the review',
          when: { field: 'first_map_review_date', present: true },
          field: 'first_map_review_date',
          after: 'final_cin_meeting_at',
          atLeast: { amount: 2, unit: 'weeks' },
          message:
            'The final CIN meeting documentation must be received at least 2 weeks before the first MAP review: choose a ' +
            'review date at least 2 weeks after the final CIN meeting.',
        },
      ],
      meetings: [
        {
          id: 'final-cin',
          kind: 'final_cin',
          label: 'Final CIN meeting (Level of Need Review)',
          anchor: { field: 'final_cin_meeting_at' },
          within: { amount: 0, unit: 'working_days' },
          participants: ['sending_worker', 'receiving_senior', 'family', 'universal_practitioners'],
          outcomes: [
            {
              id: 'remain-level-3',
              label: 'Needs remain at level 3: the case remains open to CSC',
              effect: 'close',
              holder: 'sending',
            },
            {
              id: 'step-down-map',
              label: 'Step down to Early Help / MAP at level 2 (the CIN minutes become the MAP document)',
              effect: 'none',
              records: 'first_map_review_date',
            },
            {
              id: 'universal-plus',
              label: 'Outstanding needs can be met via Universal Plus services',
              effect: 'close',
              holder: 'sending',
            },
            {
              id: 'universal-only',
              label: 'No outstanding needs: universal services only',
              effect: 'close',
              holder: 'sending',
            },
          ],
          note: 'The outcome is agreed by all partners including the family.',
        },
      ],
      tasks: [
        {
          id: 'final-cin-documentation',
          label: 'Send the final CIN meeting documentation (the new MAP document) to the MAP Navigator',
          anchor: { field: 'first_map_review_date' },
          offset: { amount: -2, unit: 'weeks' },
          owner: 'sending',
          when: { field: 'first_map_review_date', present: true },
          note: 'It must be received at least 2 weeks before the first MAP review.',
        },
        {
          id: 'level-of-need-review-form',
          label:
            'Complete the Eclipse EARLY HELP: Level of Need Review Form (actions agreed and the outcome)',
          anchor: { field: 'final_cin_meeting_at' },
          offset: { amount: 2, unit: 'working_days' },
          owner: 'receiving',
          note: 'The source says "after the meeting"; 2 working days is a default.',
        },
      ],
      notify: [
        {
          on: 'accepted',
          to: { requester: true },
          message: 'A senior will attend the final CIN meeting.',
        },
      ],
      source:
        'CSC Social Worker is required to invite a Locality Early Help senior or a Children Centre Early Help Senior if ' +
        'the child is under 5 to the CIN meeting via the level of need review form on eclipse. ... the final CIN meeting ' +
        'documentation will need to be received at least 2 weeks prior to this date.',
    },
    {
      id: 'map-to-csc',
      name: 'Planned step up: MAP (level 2) to CSC',
      kind: 'step-up',
      command: 'stepup',
      summary:
        'The MAP Navigator completes an iCART referral requesting a level of need review with a request to step up, ' +
        "with the details of the MAP step-up meeting (2 weeks' notice). iCART screens; if the outcome is early help, " +
        'advice is offered.',
      from: { services: earlyHelpServices, levels: ['level-2'] },
      to: { service: 'icart', levels: ['level-3'] },
      decision: {
        due: defaultDecisionDue,
        deciders: ['team_manager', 'service_manager'],
        adviceOnly: true,
        note: 'iCART reviews the information and completes an iCART contact form; if screened as early help, advice is offered.',
      },
      fields: [
        textarea(
          'increasing_needs',
          'Why the MAP group is concerned that needs are increasing to level 3',
          required,
        ),
        datetime('map_step_up_meeting_at', 'Date and time of the MAP step-up meeting', required),
        text('map_step_up_meeting_venue', 'Venue of the MAP step-up meeting', required),
        textarea('advice_sought', 'Advice from your principal manager or an iCART social worker (if sought)'),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'A planned step-up: no immediate risk. Where there is, follow safeguarding procedures instead.',
      },
      gates: [
        {
          kind: 'notice',
          id: 'map-step-up-meeting-notice',
          description: "The MAP step-up meeting gives 2 weeks' notice",
          field: 'map_step_up_meeting_at',
          atLeast: { amount: 2, unit: 'weeks' },
          message:
            "2 weeks' notice is required for the MAP step-up meeting: choose a date at least 2 weeks away.",
        },
      ],
      meetings: [
        {
          id: 'map-step-up',
          kind: 'map_step_up',
          label: 'MAP step-up meeting',
          anchor: { field: 'map_step_up_meeting_at' },
          within: { amount: 0, unit: 'working_days' },
          participants: ['lead_professional', 'allocated_worker', 'family', 'universal_practitioners'],
        },
      ],
      notify: [
        {
          on: 'advice_only',
          to: { requester: true },
          message:
            'iCART screened the request as early help and has given advice: the MAP continues at level 2.',
        },
      ],
      source:
        'The MAP navigator should complete an iCART referral form and state that they are requesting a level of need ' +
        "review with request to step up. Details of the MAP (step up) meeting should be included – 2 weeks' notice is " +
        'required. ... If it is screened and the outcome is early help, advice is offered.',
    },
    {
      id: 'unplanned-step-up',
      name: 'Unplanned step up: contact to iCART or EDT for a child with an open MAP',
      kind: 'step-up',
      command: 'stepup',
      summary:
        'A contact or referral to iCART (EDT out of hours) about a child with an open MAP. If no CSC involvement is ' +
        'needed, it is recorded and sent to the lead professional for information; if CSC involvement is warranted, ' +
        'an assessment starts at once without a step-up meeting, the social worker contacts the lead professional and ' +
        'the MAP closes.',
      from: { services: [...earlyHelpServices, 'universal'], levels: ['level-1', 'level-2'] },
      to: { service: 'icart', levels: ['level-3', 'level-4'] },
      receiveVia: [
        {
          when: { outOfHours: true },
          service: 'edt',
          reason: 'Out of hours, contacts go to EDT.',
        },
      ],
      decision: {
        due: defaultDecisionDue,
        deciders: ['team_manager', 'service_manager'],
        adviceOnly: true,
        note: 'No CSC involvement needed: recorded and sent to the lead professional for information (advice only).',
      },
      fields: [
        yesNo('map_open', 'Does the child have an open MAP?', required),
        textarea('incident', 'The incident or event that led to this contact', required),
        text('lead_professional_name', 'MAP lead professional / Navigator', required),
        email('lead_professional_email', "Lead professional's e-mail", required),
      ],
      consent: {
        required: true,
        notSoughtReasons: ['safeguarding-procedures'],
        note: 'Where safeguarding procedures apply (possible s47), they supersede this process.',
      },
      gates: [
        {
          kind: 'require',
          id: 'open-map',
          description: 'The child has an open MAP',
          require: { field: 'map_open', equals: true },
          message: 'This route is for a child with an open MAP; otherwise make an ordinary contact to iCART.',
        },
      ],
      notify: [
        {
          on: 'submitted',
          to: { field: 'lead_professional_email' },
          message:
            'iCART / EDT has received a contact about a child on your MAP. You will be told the outcome.',
        },
        {
          on: 'advice_only',
          to: { field: 'lead_professional_email' },
          message:
            'No CSC involvement is needed: the contact has been recorded and sent to you for information. Depending on ' +
            'what happened, consider calling a MAP review meeting to see if the family needs more support.',
        },
        {
          on: 'accepted',
          to: { field: 'lead_professional_email' },
          message:
            'CSC involvement is warranted: an assessment starts now without a step-up meeting. The allocated social ' +
            'worker will contact you and the MAP group; the MAP closes (the early help family worker may stay involved ' +
            'case by case).',
        },
        {
          on: 'allocated',
          to: { allocated: true },
          message: 'This child had an open MAP: contact the lead professional and members of the MAP group.',
        },
      ],
      source:
        'If there is no need for any CSC involvement the contact will be recorded and sent to the lead professional for ' +
        'information. If the referral/contact warrants CSC involvement, then a SAP would be instigated without the need ' +
        'for a planned step up meeting ... The MAP would close at that time.',
    },
  ],
  ladders: [commonLadder],
  defaultLadder: 'common',
  oversight: {
    contactChallenge: {
      frontDoor: 'icart',
      sampleSize: 10,
      note:
        'Monthly Contact Challenge Meeting: cases referred to iCART over the previous month, selected at random by the ' +
        'administration team and reviewed by multi-agency professionals before the meeting; each outcome and its ' +
        'screening is scrutinised. Sample size not in the source (10 is a default).',
    },
    reReferralWithin: { amount: 12, unit: 'calendar_months' },
    monitorSteppedDown: true,
    notifyOpenPlanLead: true,
  },
};
