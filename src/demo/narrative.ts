/**
 * What the demo's practitioners write: short professional text for each kind of form field, and for the
 * questions, answers, decisions and disagreements around a request. All of it is invented. `{child}` is the
 * child's first name.
 *
 * Most concerns say why (Somerset's evidencing rule); one deliberately does not, so the vague-word flag shows.
 */
import type { Rng } from './people.ts';

type Bank = readonly string[];

/** What the text depends on besides the field: the child's age and whether the request asks for social work. */
export interface TextContext {
  child: string;
  /** Under 5: nursery and the health visitor rather than school. */
  young: boolean;
  /** Asking for statutory social work (a step-up to a front door or social work team) rather than support. */
  statutory: boolean;
  /** The field is checked for vague words (Somerset): one text in the concerns deliberately gives no reason. */
  evidence: boolean;
}

type Texts = Bank | ((c: TextContext) => Bank);

const concerns = (c: TextContext): Bank => [
  ...(c.young
    ? [
        'Missed health visitor checks (three since June) and the nursery place lost after poor attendance, because mother is struggling with low mood.',
        "{child}'s weight has dropped from the 50th to the 9th centile since spring, and two follow-up appointments at the clinic were missed.",
        'Police attended the home twice in October after arguments between the adults; {child} was in the house both times.',
      ]
    : [
        'School attendance has fallen to 71% this term and {child} has arrived hungry on four occasions, because mother is unwell and struggling to get up in the mornings.',
        'Police attended the home twice in October after arguments between the adults; {child} told the class teacher about shouting at night.',
        'Rent arrears of about £2,400 and a notice seeking possession; {child} is anxious and has stopped going to the after-school club.',
      ]),
  ...(c.evidence ? [`${c.young ? 'Nursery staff' : 'School staff'} are worried about {child}.`] : []),
];

const strengths = (c: TextContext): Bank =>
  c.young
    ? [
        'Mother has kept every health visitor appointment since September and asks for help early.',
        'Grandmother provides consistent routines and {child} is settled and happy at nursery.',
      ]
    : [
        'Mother has kept every appointment since September and asks for help early. {child} is proud of a new place in the school football team.',
        'Grandmother provides consistent routines; {child} has a trusted adult at school and attendance is now 94%.',
        'The family have used the parenting course well: bedtimes are settled and the home is calmer, because both carers now use the same approach.',
      ];

const plans = (c: TextContext): Bank =>
  c.statutory
    ? [
        'A Child and Family Assessment, with the school and health visitor contributing; the current TAF continues meanwhile.',
        'A social work assessment of the risks at home, with a strategy discussion if the police report another incident.',
      ]
    : [
        'Family support worker for 12 weeks on routines and boundaries; a morning check-in at school or nursery; review at a TAF in 6 weeks.',
        'A parenting programme for mother, a school nurse or health visitor review for {child}, and help from the housing officer with the arrears.',
      ];

/** Field themes, most specific first: the first pattern that matches a field id gives its text. */
const fieldThemes: [RegExp, Texts][] = [
  [
    /family_composition/,
    [
      '{child} lives with mother and two younger half-siblings (aged 3 and 6); father has contact every other weekend.',
      'Lives with maternal grandmother under a special guardianship order; an older brother (17) lives with them.',
      'Mother, stepfather and {child}; a baby sister born in August. Maternal aunt nearby helps with school runs.',
    ],
  ],
  [
    /not_advised/,
    [
      'Father is the subject of a police investigation; telling the family before the strategy discussion could place {child} at risk.',
    ],
  ],
  [
    /stop_eh/,
    [
      'The family have asked for one worker only while the assessment happens; EH will pause and re-engage after it.',
    ],
  ],
  [
    /level_of_need/,
    [
      'Complex needs: attendance, a parent with poor mental health and housing arrears together, because no single agency can meet them.',
      'Additional needs met by a coordinated plan: the descriptors for emotional health and parenting capacity apply, as set out in the EHA.',
    ],
  ],
  [
    /indicator|contingenc|non_engagement/,
    [
      'Step back up if attendance at school or nursery falls below 85% for four weeks, if there is a further police call-out, or if mother stops engaging with her GP.',
      'If the family do not engage within two weeks, the lead professional will discuss with the EH senior and consider a referral to Social Work.',
      'A return to the previous pattern of missed health appointments or any new injury would mean a step up again.',
    ],
  ],
  [/working_well|strength|progress/, strengths],
  [/danger|worried|concern|threshold|increasing|incident|needs_identified|^reasons$/, concerns],
  [
    /synopsis|support_in_place/,
    [
      'Twelve weeks of Child in Need work: parenting support, a referral to talking therapies for mother, and weekly check-ins for {child}.',
      'Early help plan since May: pastoral support and a family support worker. Some progress with routines, but attendance has not improved.',
    ],
  ],
  [
    /outstanding_actions|actions_owners|timescales/,
    [
      'Pastoral lead to review attendance weekly (ongoing); mother to attend the GP review by 15 January; family support worker to finish the parenting course with the family (6 sessions).',
      'Health visitor or school nurse to complete a health review within 4 weeks; housing officer to confirm the payment plan by the next review.',
    ],
  ],
  [
    /outcomes/,
    [
      '{child} attends school or nursery at least 90% of the time; mother has a GP-led plan for her mental health; the family have a payment plan for the arrears.',
      'Calmer evenings with a settled bedtime routine; {child} takes part in one activity outside home each week.',
    ],
  ],
  [
    /forthcoming/,
    ['Review meeting at school or nursery at the start of next half term; health review due next month.'],
  ],
  [
    /advice_sought/,
    ['Discussed with the iCART social worker, who advised a level of need review with a step-up meeting.'],
  ],
  [
    /not_progressed/,
    [
      'The MASH recommended a Child and Family Assessment, but the area team judged the needs could be met by Early Help after a home visit.',
    ],
  ],
  [
    /step_in_reason/,
    [
      'The TAF plan has an action for {child} as a young carer, because mother has MS and {child} does most of the shopping: the service can offer the one-to-one support the plan needs.',
      "{child}'s sleep difficulties are holding back progress at school and at home; the TAF plan's health actions need this service's input.",
    ],
  ],
  [
    /new_community/,
    ['A local football club and the mosque youth group, both of which {child} already knows.'],
  ],
  [
    /reason_for_early_help|referral_reason/,
    [
      'Child in Need plan ending: risks have reduced, but the family would benefit from a period of targeted support with routines and attendance.',
      'The assessment found no role for statutory services; the family agree they would like help with parenting and housing.',
    ],
  ],
  [/plan|support_requested|needs_to_happen/, plans],
];

export function fieldText(rng: Rng, fieldId: string, label: string, c: TextContext): string {
  const texts = fieldThemes.find(([pattern]) => pattern.test(fieldId))?.[1];
  const bank = typeof texts === 'function' ? texts(c) : texts;
  const text = bank?.length ? rng.pick(bank) : `${label}: recorded in full on the case record.`;
  return text.replaceAll('{child}', c.child);
}

export const questions: Bank = [
  'Please add the date of the last Team Around the Family meeting and who attended.',
  'Could you add the latest school attendance figures and say what has changed since the last review?',
  'What support is already in place from health, and who is the lead professional now?',
];

export const answers: Bank = [
  'The last TAF was on the 3rd of this month with school, the health visitor and mother; minutes are on the case record.',
  'Attendance is 78% this term (91% last year); the school attendance officer has written to the family twice.',
  'The health visitor sees the family monthly; the school pastoral lead is the lead professional.',
];

/** A decline's explanation for each of the profiles' decline reasons (a council's own reasons get `other`'s). */
export const declineTexts: Record<string, string> = {
  'threshold-not-met':
    'The needs described can be met at the current level: the plan has only been in place for six weeks and attendance is starting to improve.',
  'consent-missing':
    'The request does not show the family agree to it; please talk to them and send it again.',
  'information-missing': 'No current assessment or plan was attached, so the level of need cannot be judged.',
  'wrong-service':
    'The family live outside our area; please send this to the team covering their new address.',
  'no-current-role':
    'No current role for our service at this stage: the school nurse already sees the family, and the plan can continue without us.',
  other: 'The family moved last week and the new school is not confirmed; please resend once it is.',
};

export const adviceTexts: Bank = [
  'No allocation needed: the school can use its pastoral support and the family hub drop-in. Call the hub again if attendance falls further.',
  'Advice given: continue the current plan with a review in 6 weeks, add the parenting course, and contact us at once if there is a new police call-out.',
];

export const disputeReasons: Bank = [
  'The decline does not reflect the two police call-outs since September; we believe the threshold is met and the plan is not keeping the child safe.',
  'The plan has been in place for a year without change; the family need more than the current level can offer.',
];

export const escalateNotes: Bank = [
  'We could not agree at this stage: taking it to the next level of the ladder.',
  'No agreement after the case discussion; escalating as the protocol asks.',
];

export const upheldRationales: Bank = [
  'Managers agreed the current plan should continue with a review in six weeks; the decision stands, with the contingency strengthened.',
];

export const overturnedRationales: Bank = [
  'On review the history of missed appointments and the recent police contact meet the threshold: the request is accepted and will be allocated today.',
];

export const withdrawReasons: Bank = [
  'The family have moved out of the area; the case has been passed to their new authority.',
  'Mother has taken up the school support offer and things have settled; a request is no longer needed.',
];

export const acceptNotes: Bank = [
  'Accepted: allocating this week.',
  'Accepted after screening; the senior will allocate.',
  'Accepted: the threshold is met on the information given.',
];

export const allocationNotes: Bank = [
  'Allocated; first contact with the family within 5 working days.',
  'Allocated to the worker who knows the school.',
];

export const closeNotes = {
  handover: 'Handover complete: the plan continues with the new lead professional.',
  declined: 'Closed after the decline: the sending team carries on with the current plan.',
};

/** Why consent was not sought, by the kind of reason a profile lists (matched on the reason's id). */
export function notSoughtRationale(reasonId: string): string {
  if (/crime/.test(reasonId))
    return 'The police are investigating a serious offence by an adult in the household; telling the family now would prejudice that investigation.';
  if (/delay/.test(reasonId))
    return 'Enquiries about an allegation of significant harm must start today; waiting to reach the family would delay them.';
  return 'An adult in the household has made threats against professionals; asking for consent now could increase the risk of significant harm to the child.';
}
