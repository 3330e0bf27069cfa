/**
 * Hackney: Step-up / Step-down Protocol for Universal Services, Targeted Early Help, and Statutory Services
 * (Hackney Child Wellbeing Framework, Tiers 1-4). Source: shared/seeds/000_053e53000ef9b8fc.txt.
 */
import type { ProfileInput } from '../domain/profile.ts';
import {
  commonDeclineReasons,
  commonLadder,
  commonLadderNote,
  defaultDecisionDue,
  defaultDecisionNote,
  email,
  genericEmergency,
  multiselect,
  noCaseSystemNote,
  noEmergencyNumberNote,
  required,
  textarea,
  yesNo,
} from './common.ts';

const fromTargetedEarlyHelp = { sendingService: ['targeted-early-help'] };

const universalServiceOptions: [string, string][] = [
  ['childrens-centre', "Children's Centre"],
  ['youth-hub', 'Youth Hub'],
  ['school', 'School'],
  ['health', 'Health services'],
  ['community-group', 'Community and voluntary group'],
];

export const hackneyProfile: ProfileInput = {
  id: 'hackney',
  council: 'London Borough of Hackney',
  name: 'Hackney Step-up / Step-down Protocol (Universal, targeted Early Help, Statutory)',
  source:
    'Step-up / Step-down Protocol for Universal Services, Targeted Early Help, and Statutory Services ' +
    '(Hackney Child Wellbeing Framework).',
  notes: [
    defaultDecisionNote,
    commonLadderNote('the source does not describe how professional disagreements are resolved.'),
    noEmergencyNumberNote,
    noCaseSystemNote,
    'Handover discussions: the source gives no time for the handover discussion (only for the joint visit, ' +
      'within 5 working days of allocation), so the handover discussion has no deadline and is not chased.',
    'Listening Together meeting: only "if Children\'s Social Care are organising" one, so it is optional and has ' +
      'no deadline.',
    'Step-down to universal services (Tier 1): no hub is involved, so nobody decides; the plan is shared with ' +
      'the universal services named in it. The form names up to three contacts by e-mail; which services are in ' +
      'the plan is recorded for the record.',
    'Consent: Hackney\'s work is "predicated on consent". The request for targeted Early Help (Tier 1 to 2) and ' +
      "both step-downs need the family's consent with no override; a request for statutory services may go " +
      'without consent only where there is risk of significant harm to a child.',
  ],
  caseSystem: 'case system',
  levels: [
    {
      id: 'tier-1',
      name: 'Tier 1 - Universal',
      rank: 1,
      description: 'No additional needs, or emerging needs a single universal agency can meet.',
    },
    {
      id: 'tier-2',
      name: 'Tier 2 - Early Help',
      rank: 2,
      description:
        'Some additional needs: a coordinated plan through a Team Around the Child; targeted Early Help.',
    },
    {
      id: 'tier-3',
      name: 'Tier 3 - Complex',
      rank: 3,
      description:
        'Specialist support needed: child in need assessment; Child in Need Plan led by a social worker.',
    },
    {
      id: 'tier-4',
      name: 'Tier 4 - Acute risk of harm',
      rank: 4,
      description: 'At risk of significant harm: child protection procedures or specialist health services.',
    },
  ],
  services: [
    {
      id: 'universal',
      name: "Universal services (schools, health, children's centres, youth hubs, community and voluntary)",
      kind: 'universal',
      levels: ['tier-1'],
    },
    {
      id: 'early-help-hub',
      name: 'Early Help Hub',
      kind: 'early_help_hub',
      levels: ['tier-2'],
      description:
        'The single point of access: reviews requests for support and allocates to targeted Early Help.',
    },
    {
      id: 'targeted-early-help',
      name: 'LBH targeted Early Help Services',
      kind: 'early_help',
      levels: ['tier-2'],
    },
    {
      id: 'mash',
      name: 'MASH',
      kind: 'front_door',
      levels: ['tier-3', 'tier-4'],
      description: 'Screens requests for statutory services, decides the level of need and allocates.',
    },
    {
      id: 'csc',
      name: "Children's Social Care (CSC)",
      kind: 'social_work_team',
      levels: ['tier-3', 'tier-4'],
    },
  ],
  calendar: {},
  consent: {
    reasons: [{ id: 'risk-of-significant-harm', label: 'There is risk of significant harm to the child' }],
  },
  declineReasons: commonDeclineReasons,
  emergency: genericEmergency('MASH'),
  routes: [
    {
      id: 'universal-to-early-help',
      name: 'Request for support: Universal to targeted Early Help (Tier 1 to 2)',
      kind: 'step-up',
      command: 'stepup',
      summary:
        'A universal practitioner agrees the needs with the family, obtains parental consent and sends a request ' +
        'for support to the Early Help Hub, which allocates to the most suitable targeted Early Help service.',
      from: { services: ['universal'], levels: ['tier-1'] },
      to: { service: 'early-help-hub', levels: ['tier-2'] },
      allocateTo: { services: ['targeted-early-help'] },
      decision: {
        due: defaultDecisionDue,
        note: 'The Early Help Hub reviews the request and allocates to the most appropriate targeted Early Help service.',
      },
      fields: [
        yesNo(
          'needs_agreed_with_family',
          'Have you talked with the family about the needs you have identified together?',
          required,
        ),
        textarea('needs_identified', 'Needs identified with the family', required),
        textarea('support_requested', 'The support the family would benefit from', required),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'Parental consent is obtained before the request is made; it cannot be overridden.',
      },
      gates: [
        {
          kind: 'require',
          id: 'conversation-with-family',
          description: 'The needs are identified together with the family',
          require: { field: 'needs_agreed_with_family', equals: true },
          message:
            'Talk with the family first: outline the needs you have identified together and the support they would benefit from.',
        },
      ],
      notify: [
        {
          on: 'allocated',
          to: { requester: true },
          message:
            'The Early Help Hub has allocated your request for support to a targeted Early Help service.',
        },
      ],
      source:
        'Professional obtains parental consent and then makes a request for support for targeted Early Help. The Early ' +
        'Help hub will review the request for support and allocate to the most appropriate targeted Early Help Service.',
    },
    {
      id: 'to-statutory',
      name: 'Request for support for Statutory Services (Tiers 3 and 4)',
      kind: 'step-up',
      command: 'stepup',
      summary:
        'A universal or targeted Early Help practitioner asks for statutory social work support. MASH screens the ' +
        'request, decides the level of need and allocates. From targeted Early Help: handover discussion and a joint ' +
        'visit within 5 working days of allocation.',
      from: { services: ['universal', 'targeted-early-help'], levels: ['tier-1', 'tier-2'] },
      // "MASH ... decides the level of need and allocates": MASH says Tier 3 or 4 when it allocates.
      to: { service: 'mash', levels: ['tier-3', 'tier-4'], levelAtAllocation: true },
      // The newly allocated social worker is in Children's Social Care.
      allocateTo: { services: ['csc'] },
      decision: {
        due: defaultDecisionDue,
        note: 'MASH screens the request, takes a decision on the level of need (Tier 3 or 4) and allocates.',
      },
      fields: [
        textarea('needs_and_concerns', "The family's needs and your concerns", required),
        textarea('support_requested', 'The support the family would benefit from', required),
      ],
      consent: {
        required: true,
        notSoughtReasons: ['risk-of-significant-harm'],
        note: 'Consent can only be overridden if there is risk of significant harm to a child; the reason is recorded.',
      },
      meetings: [
        {
          id: 'handover-discussion',
          kind: 'handover_discussion',
          label: 'Handover discussion: lead professional, new social worker and Consultant Social Worker',
          anchor: 'allocated',
          when: fromTargetedEarlyHelp,
          participants: ['sending_worker', 'allocated_worker', 'consultant_social_worker'],
          note: 'The lead professional in targeted Early Help meets the newly allocated social worker and the Consultant Social Worker.',
        },
        {
          id: 'joint-visit',
          kind: 'joint_visit',
          label: 'Joint visit to the child and family with the newly allocated social worker',
          anchor: 'allocated',
          within: { amount: 5, unit: 'working_days' },
          when: fromTargetedEarlyHelp,
          participants: ['sending_worker', 'allocated_worker', 'family'],
        },
        {
          id: 'listening-together',
          kind: 'listening_together',
          label: "'Listening Together' meeting with the family",
          anchor: 'allocated',
          optional: true,
          participants: [
            'allocated_worker',
            'former_early_help_practitioner',
            'universal_practitioners',
            'family',
          ],
          note:
            "If Children's Social Care organise one, the formerly allocated Early Help practitioner and all key " +
            'universal services practitioners are expected to join.',
        },
      ],
      notify: [
        {
          on: 'allocated',
          to: { requester: true },
          when: fromTargetedEarlyHelp,
          message:
            'MASH has allocated a social worker. As lead professional, hold a handover discussion with the new social ' +
            'worker and the Consultant Social Worker, and a joint visit to the family within 5 working days.',
        },
      ],
      source:
        'Consent can only be overridden if there is risk of significant harm to a child. MASH screens request and takes ' +
        'a decision on level of need and allocates. ... joint visit ... within 5 working days.',
    },
    {
      id: 'statutory-to-universal',
      name: 'Step down: Statutory to Universal services (Tier 1)',
      kind: 'step-down',
      command: 'stepdown',
      summary:
        'The allocated social worker agrees a plan for support with the family (with their consent) and the ' +
        'universal services that will carry on. No hub is involved: the universal services named in the plan are told.',
      from: { services: ['csc'], levels: ['tier-3', 'tier-4'] },
      to: { service: 'universal', levels: ['tier-1'] },
      decision: {
        mode: 'notify',
        note: 'No hub decides: the plan agreed with the family is shared with the universal services named in it.',
      },
      fields: [
        yesNo(
          'network_consulted',
          'Have you discussed with the family and the professional network the support needed once statutory services end?',
          required,
        ),
        textarea('plan_for_support', 'Plan for support agreed with the family', required),
        multiselect(
          'plan_universal_services',
          'Universal services named in the plan',
          universalServiceOptions,
          required,
        ),
        textarea('new_community_services', 'New community services identified with the family'),
        email(
          'universal_contact_1_email',
          'Contact in a universal service named in the plan (e-mail)',
          required,
        ),
        email('universal_contact_2_email', 'Another universal service contact (e-mail)'),
        email('universal_contact_3_email', 'Another universal service contact (e-mail)'),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'A plan for support is agreed with the family with their consent.',
      },
      gates: [
        {
          kind: 'require',
          id: 'network-consulted',
          description: 'The family and the existing professional network have discussed the support needed',
          require: { field: 'network_consulted', equals: true },
          message:
            'Discuss with the family and the existing professional network what support they will need once statutory ' +
            'services are no longer involved, before sharing the plan.',
        },
      ],
      notify: [1, 2, 3].map((n) => ({
        on: 'submitted' as const,
        to: { field: `universal_contact_${n}_email` },
        message:
          "Children's Social Care is stepping down: you are named in the family's plan for support. Please welcome, " +
          'engage and offer continued support to the child and family.',
      })),
      source:
        "A plan for support is agreed with the family with their consent. Universal services such as Children's Centres, " +
        'Youth Hubs, Schools, Health Services and Community Groups will welcome, engage and offer continued support.',
    },
    {
      id: 'statutory-to-early-help',
      name: 'Step down: Statutory to targeted Early Help (Tier 2)',
      kind: 'step-down',
      command: 'stepdown',
      summary:
        'A request for Early Help support goes to the Early Help Hub, which allocates to the best-placed targeted ' +
        'Early Help service and notifies the allocated social worker. Handover discussion, joint visit within 5 ' +
        'working days following allocation, and the social worker attends the first TAF.',
      from: { services: ['csc'], levels: ['tier-3', 'tier-4'] },
      to: { service: 'early-help-hub', levels: ['tier-2'] },
      // The Hub allocates a lead professional in a targeted Early Help service.
      allocateTo: { services: ['targeted-early-help'] },
      decision: {
        due: defaultDecisionDue,
        note: 'The Early Help Hub allocates to the targeted Early Help service best placed to support the family.',
      },
      fields: [
        textarea(
          'reason_for_early_help',
          'Why the family needs a period of targeted Early Help support',
          required,
        ),
        textarea('current_plan', 'Current plan and the professional network', required),
      ],
      consent: {
        required: true,
        notSoughtReasons: [],
        note: 'Decided in discussion with the family and the professional network; Early Help is consent-based.',
      },
      meetings: [
        {
          id: 'handover-discussion',
          kind: 'handover_discussion',
          label: 'Handover discussion: social worker and the newly allocated lead professional',
          anchor: 'allocated',
          participants: ['sending_worker', 'allocated_worker'],
        },
        {
          id: 'joint-visit',
          kind: 'joint_visit',
          label: 'Joint visit to the child and family with the newly allocated lead professional',
          anchor: 'allocated',
          within: { amount: 5, unit: 'working_days' },
          participants: ['sending_worker', 'allocated_worker', 'family'],
        },
        {
          id: 'first-taf',
          kind: 'first_taf',
          label: 'First Team Around the Family (or multi-agency) meeting, attended by the social worker',
          anchor: 'allocated',
          participants: ['sending_worker', 'allocated_worker', 'family', 'universal_practitioners'],
          note: "The Children's Social Care social worker attends the first TAF, Multi-agency Team or alternative meeting.",
        },
      ],
      notify: [
        {
          on: 'allocated',
          to: { requester: true },
          message:
            'The Early Help Hub has allocated the family to a targeted Early Help service. Hold a handover discussion ' +
            'with the new lead professional, a joint visit within 5 working days, and attend the first TAF.',
        },
      ],
      source:
        'The Early Help hub will allocate to the targeted Early Help service that is best placed to support the family, ' +
        'and notify the Allocated Social Worker ... joint visit ... within 5 working days, following allocation.',
    },
  ],
  ladders: [commonLadder],
  defaultLadder: 'common',
};
