/**
 * Fictional people and places for the demo requests, and the seeded random numbers that pick them. The surnames
 * are made up (no real family should find itself in a training session), the first names are the mix a British
 * classroom has; the places are invented too.
 */

/** A small seeded generator (mulberry32): the same seed gives the same demo, run after run. */
export class Rng {
  private state: number;

  constructor(seed: string) {
    // FNV-1a over the seed text, so "hackney" and "halton" start far apart.
    let h = 0x811c9dc5;
    for (const ch of seed) {
      h ^= ch.charCodeAt(0);
      h = Math.imul(h, 0x01000193);
    }
    this.state = h >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('Rng.pick: nothing to pick from');
    return item;
  }
}

const childFirstNames = [
  'Poppy',
  'Alfie',
  'Amara',
  'Kacper',
  'Isla',
  'Mohammed',
  'Ffion',
  'Callum',
  'Zainab',
  'Reuben',
  'Maisie',
  'Aarav',
  'Niamh',
  'Tyler',
  'Precious',
  'Harvey',
  'Leah',
  'Ibrahim',
  'Evie',
  'Jayden',
  'Rosie',
  'Kai',
  'Hafsa',
  'Freddie',
  'Skye',
  'Dylan',
  'Ayesha',
  'Oscar',
  'Lily-Mae',
  'Tomasz',
  'Esme',
  'Kofi',
  'Daisy',
  'Rhys',
  'Yusuf',
  'Molly',
  'Archie',
  'Chloe',
  'Ethan',
  'Grace',
] as const;

/** Invented surnames: British-sounding, and not names a real family is likely to carry. */
const surnames = [
  'Wrenfield',
  'Marchbank',
  'Thistlewood',
  'Pennyworth',
  'Hollingbrook',
  'Bramblecote',
  'Fenwright',
  'Hazelmere',
  'Kettleby',
  'Larchfield',
  'Mossbridge',
  'Nettleford',
  'Oakhurst-Adeyemi',
  'Pebbleworth',
  'Quillon',
  'Rookwood',
  'Saltmarsh',
  'Tansley-Byrne',
  'Umberfield',
  'Velloway',
  'Whitlock-Rahman',
  'Yarrowby',
  'Ashcombe',
  'Birchenough',
  'Copperthwaite',
  'Dunmore-Okafor',
  'Elderwick',
  'Foxleigh',
  'Gorsebrook',
  'Heathercombe',
] as const;

const women = [
  'Kerry',
  'Danielle',
  'Shabana',
  'Gemma',
  'Chantelle',
  'Joanne',
  'Sadia',
  'Natalie',
  'Becky',
] as const;
const men = ['Marek', 'Lee', 'Adebayo', 'Craig', 'Wayne', 'Olu', 'Darren'] as const;

/** Who gives consent, and from which names. */
const carers: { who: string; names: readonly string[] }[] = [
  { who: 'mother', names: women },
  { who: 'mother', names: women },
  { who: 'father', names: men },
  { who: 'grandmother, special guardian', names: women },
  { who: 'stepfather', names: men },
];

const venues = [
  'Larchfield Family Hub, meeting room 2',
  'Oakhurst Primary School, family room',
  'Brookside Children Centre',
  'Civic Centre, room 4.12',
  'The family home (agreed with the family)',
  'Riverside Youth Hub',
] as const;

const services = [
  'School nursing service',
  'Young carers service',
  'Parenting support team',
  'Family mental health in schools team',
  'Housing support officer',
  'Youth justice prevention team',
] as const;

const professionals = [
  'Gemma Ashcombe (school pastoral lead)',
  'Olu Rookwood (health visitor)',
  'Becky Foxleigh (family support worker)',
  'Marek Elderwick (youth worker)',
] as const;

export interface DemoChild {
  name: string;
  firstName: string;
  surname: string;
  /** 'YYYY-MM-DD' */
  dob: string;
  /** The carer who gave consent, in words ("Kerry Wrenfield (mother)"). */
  carer: string;
}

/** Whole days before a 'YYYY-MM-DD' date, as a date. */
function daysBefore(localDate: string, days: number): string {
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d) - days * 86_400_000).toISOString().slice(0, 10);
}

/** The date `years` years before a 'YYYY-MM-DD' date (29 February falls back to the 28th). */
function yearsBefore(localDate: string, years: number): string {
  const [y, m, d] = localDate.split('-').map(Number) as [number, number, number];
  const day = m === 2 && d === 29 ? 28 : d;
  return `${String(y - years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Hands out children without repeating a name within one demo. */
export class Cast {
  private readonly used = new Set<string>();

  constructor(private readonly rng: Rng) {}

  /** A child aged `age` on `today` ('YYYY-MM-DD'), with a date of birth somewhere in that year of life. */
  child(age: number, today: string): DemoChild {
    let firstName: string = this.rng.pick(childFirstNames);
    let surname: string = this.rng.pick(surnames);
    for (let tries = 0; this.used.has(`${firstName} ${surname}`) && tries < 50; tries++) {
      firstName = this.rng.pick(childFirstNames);
      surname = this.rng.pick(surnames);
    }
    this.used.add(`${firstName} ${surname}`);
    const dob = daysBefore(yearsBefore(today, age), this.rng.int(1, 360));
    const carer = this.rng.pick(carers);
    const carerName = `${this.rng.pick(carer.names)} ${surname.split('-')[0]}`;
    return { name: `${firstName} ${surname}`, firstName, surname, dob, carer: `${carerName} (${carer.who})` };
  }

  venue(): string {
    return this.rng.pick(venues);
  }

  service(): string {
    return this.rng.pick(services);
  }

  professional(): string {
    return this.rng.pick(professionals);
  }

  /** A made-up address on an invented street, never with a real postcode. */
  address(surname: string): string {
    const streets = [
      'Wrenfield Close',
      'Marchbank Road',
      'Kettleby Walk',
      'Gorsebrook Avenue',
      'Quillon Court',
    ];
    return `${this.rng.int(2, 88)} ${this.rng.pick(streets)} (a demo address); the ${surname.split('-')[0]} family's phone numbers are on the case record.`;
  }
}
