// The store's foundation, on every database kind: the hand-written migration matches schema.prisma (every
// model round-trips through the generated client; the database's columns, indexes and foreign keys are what
// Prisma would create), the migrator keeps Prisma's `_prisma_migrations` faithfully, the statement counter
// counts, and openDatabase fails with one clear line.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Database, DatabaseUnavailableError, openDatabase } from '../../src/store/database.ts';
import { Prisma } from '../../src/store/generated/prisma/client.ts';
import { MessageRefStore } from '../../src/store/message-ref-store.ts';
import { defaultMigrationsDir, migrate, readMigrations, sha256 } from '../../src/store/migrator.ts';
import { databaseKinds, freshDatabase, missingDatabaseUrl } from '../support/databases.ts';

const root = join(import.meta.dirname, '..', '..');
const schemaText = readFileSync(join(root, 'prisma', 'schema.prisma'), 'utf8');
const INIT = '20261123090000_init';
/** Every migration the project ships, in order. */
const BUILT_IN = [
  '20261123090000_init',
  '20261123140000_message_refs',
  '20261124090000_meeting_proposals_global_timers',
  '20261125090000_dispute_about',
  '20261126090000_local_workspace',
  '20261206090000_decision_clock_pauses',
];
const ZERO_HASH = '0'.repeat(64);

// Timestamps with milliseconds, to prove TIMESTAMPTZ(3) keeps them.
const t1 = new Date('2026-11-23T09:15:30.123Z');
const t2 = new Date('2026-11-24T17:45:01.987Z');
const t3 = new Date('2027-03-28T00:59:59.999Z'); // the night the clocks go forward
const bigMs = 9_007_199_254_740_993n; // 2^53 + 1: not representable as a JS number

const richJson = {
  text: 'Zoë — "quoted", back\\slash, emoji 🧸, newline\nend',
  number: 12.5,
  negative: -3,
  yes: true,
  no: false,
  nothing: null,
  list: [1, 'two', { three: [3] }, []],
  nested: { deeper: { deepest: {} } },
};

describe.each(databaseKinds)('store on %s', (kind) => {
  let db: Database;
  beforeEach(async () => {
    db = await freshDatabase(kind);
  });
  afterEach(async () => {
    await db?.close();
  });

  describe('(a) every model round-trips through the generated client', () => {
    it('Team and Person (String[] with awkward elements, nullable fields null and set)', async () => {
      const full = {
        id: 'team-mash',
        service: 'mash',
        name: 'MASH – Ünïcode',
        slackChannel: 'C0MASH00',
        teamsChannel: '19:abc@thread.tacv2',
        updatedAt: t1,
      };
      const bare = {
        id: 'team-eh',
        service: 'early-help',
        name: 'EH',
        slackChannel: null,
        teamsChannel: null,
        updatedAt: t2,
      };
      expect(await db.prisma.team.create({ data: full })).toEqual(full);
      expect(await db.prisma.team.create({ data: bare })).toEqual(bare);
      expect(await db.prisma.team.findUniqueOrThrow({ where: { id: full.id } })).toEqual(full);
      expect(await db.prisma.team.findUniqueOrThrow({ where: { id: bare.id } })).toEqual(bare);

      const sam = {
        id: 'sam',
        name: 'Sam Patel',
        teamId: full.id,
        roles: [
          'practitioner',
          'team_manager',
          'a,b',
          'NULL',
          'quote"d',
          "it's",
          '{brace}',
          'back\\slash',
          '',
          ' padded ',
        ],
        email: 'sam.patel@example.gov.uk',
        slackUser: 'U0SAM000',
        teamsUser: '29:1abc',
        updatedAt: t3,
      };
      const kim = {
        id: 'kim',
        name: 'Kim',
        teamId: bare.id,
        roles: [],
        email: null,
        slackUser: null,
        teamsUser: null,
        updatedAt: t1,
      };
      expect(await db.prisma.person.create({ data: sam })).toEqual(sam);
      expect(await db.prisma.person.create({ data: kim })).toEqual(kim);
      expect(await db.prisma.person.findUniqueOrThrow({ where: { id: sam.id } })).toEqual(sam);
      expect(await db.prisma.person.findUniqueOrThrow({ where: { id: kim.id } })).toEqual(kim);
      expect(
        await db.prisma.person.findMany({ where: { roles: { has: 'NULL' } }, select: { id: true } }),
      ).toEqual([{ id: 'sam' }]);
    });

    it('Transfer (Json, BigInt beyond 2^53, every nullable both ways)', async () => {
      const full = transferData('tr-full', 1);
      const bare = {
        ...transferData('tr-bare', 2),
        childKey: null,
        decision: Prisma.DbNull,
        allocation: Prisma.DbNull,
        pausedAt: null,
        submittedAt: null,
        closedAt: null,
        flags: [],
        pausedMs: 0n,
      };
      expect(await db.prisma.transfer.create({ data: full })).toEqual(full);
      await db.prisma.transfer.create({ data: bare });
      expect(await db.prisma.transfer.findUniqueOrThrow({ where: { id: full.id } })).toEqual(full);
      expect(await db.prisma.transfer.findUniqueOrThrow({ where: { number: bare.number } })).toEqual({
        ...bare,
        decision: null,
        allocation: null,
      });
    });

    it('Meeting, Dispute and Timer (relations required and optional)', async () => {
      await db.prisma.transfer.create({ data: transferData('tr-1', 10) });

      const meeting = {
        id: 'm-1',
        transferId: 'tr-1',
        meetingKey: 'joint_visit',
        label: 'Joint visit',
        status: 'scheduled',
        dueBy: t1,
        scheduledAt: t2,
        proposedById: 'sam',
        sequence: 2,
        outcome: { attended: ['sam', 'kim'], notes: null },
        createdAt: t1,
        updatedAt: t3,
      };
      const meetingBare = {
        ...meeting,
        id: 'm-2',
        meetingKey: 'taf',
        dueBy: null,
        scheduledAt: null,
        proposedById: null,
        sequence: 0,
        outcome: Prisma.DbNull,
      };
      expect(await db.prisma.meeting.create({ data: meeting })).toEqual(meeting);
      await db.prisma.meeting.create({ data: meetingBare });
      expect(await db.prisma.meeting.findUniqueOrThrow({ where: { id: 'm-1' } })).toEqual(meeting);
      expect(
        await db.prisma.meeting.findUniqueOrThrow({
          where: { transferId_meetingKey: { transferId: 'tr-1', meetingKey: 'taf' } },
        }),
      ).toEqual({ ...meetingBare, outcome: null });

      const dispute = {
        id: 'd-1',
        transferId: 'tr-1',
        openedById: 'sam',
        about: 'delay',
        reason: 'threshold_not_met',
        ladder: [
          { id: 'tm', waitHours: 48, notify: ['team_manager'] },
          { id: 'hos', waitHours: 72 },
        ],
        stageIndex: 1,
        stageDueAt: t2,
        status: 'open',
        resolution: { decidedBy: 'kim', outcome: 'accepted' },
        createdAt: t1,
        resolvedAt: t3,
      };
      const disputeBare = {
        ...dispute,
        id: 'd-2',
        stageIndex: 0,
        stageDueAt: null,
        resolution: Prisma.DbNull,
        resolvedAt: null,
      };
      expect(await db.prisma.dispute.create({ data: dispute })).toEqual(dispute);
      // "about" left out: a dispute is about a decision unless it says otherwise.
      const { about: _about, ...withoutAbout } = disputeBare;
      await db.prisma.dispute.create({ data: withoutAbout });
      expect(await db.prisma.dispute.findUniqueOrThrow({ where: { id: 'd-1' } })).toEqual(dispute);
      expect(await db.prisma.dispute.findUniqueOrThrow({ where: { id: 'd-2' } })).toEqual({
        ...disputeBare,
        about: 'decision',
        resolution: null,
      });

      const timer = {
        id: 'tm-1',
        transferId: 'tr-1',
        kind: 'decision_due',
        key: 'decision_due',
        dueAt: t2,
        status: 'pending',
        occurrence: 3,
        globalKey: null,
        payload: richJson,
        createdAt: t1,
        doneAt: t3,
      };
      const timerBare = {
        ...timer,
        id: 'tm-2',
        transferId: null,
        key: 'nightly',
        globalKey: 'nightly',
        doneAt: null,
        payload: {},
      };
      expect(await db.prisma.timer.create({ data: timer })).toEqual(timer);
      expect(await db.prisma.timer.create({ data: timerBare })).toEqual(timerBare);
      expect(await db.prisma.timer.findUniqueOrThrow({ where: { id: 'tm-1' } })).toEqual(timer);
      expect(await db.prisma.timer.findUniqueOrThrow({ where: { id: 'tm-2' } })).toEqual(timerBare);
      expect(
        await db.prisma.timer.findMany({
          where: { status: 'pending', dueAt: { lte: t2 } },
          orderBy: { id: 'asc' },
        }),
      ).toEqual([timer, timerBare]);
    });

    it('Outbox, AuditEvent (BIGSERIAL seq), AuditHead (genesis row) ', async () => {
      const outbox = {
        id: 'o-1',
        idempotencyKey: 'tr-1:card:v3',
        transferId: 'tr-1',
        kind: 'slack.update',
        target: { channel: 'C0MASH00', ts: '1732353330.000100' },
        payload: richJson,
        status: 'failed',
        attempts: 7,
        nextAttemptAt: t2,
        lastError: 'ratelimited (429): retry after 30 s',
        createdAt: t1,
        sentAt: t3,
      };
      const outboxBare = {
        ...outbox,
        id: 'o-2',
        idempotencyKey: 'k2',
        transferId: null,
        lastError: null,
        sentAt: null,
      };
      expect(await db.prisma.outbox.create({ data: outbox })).toEqual(outbox);
      expect(await db.prisma.outbox.create({ data: outboxBare })).toEqual(outboxBare);
      expect(
        await db.prisma.outbox.findUniqueOrThrow({ where: { idempotencyKey: outbox.idempotencyKey } }),
      ).toEqual(outbox);
      expect(await db.prisma.outbox.findUniqueOrThrow({ where: { id: 'o-2' } })).toEqual(outboxBare);

      const event = {
        id: 'ev-1',
        transferId: 'tr-1',
        actorId: 'sam',
        surface: 'slack',
        action: 'transfer.submitted',
        at: t1,
        data: richJson,
        prevHash: ZERO_HASH,
        hash: 'a'.repeat(64),
      };
      const first = await db.prisma.auditEvent.create({ data: event });
      expect(typeof first.seq).toBe('bigint');
      expect(first).toEqual({ ...event, seq: first.seq });
      const second = await db.prisma.auditEvent.create({
        data: { ...event, id: 'ev-2', transferId: null, prevHash: event.hash, hash: 'b'.repeat(64) },
      });
      expect(second.seq).toBe(first.seq + 1n);
      expect(await db.prisma.auditEvent.findUniqueOrThrow({ where: { id: 'ev-1' } })).toEqual({
        ...event,
        seq: first.seq,
      });
      expect(await db.prisma.auditEvent.findUniqueOrThrow({ where: { seq: second.seq } })).toMatchObject({
        id: 'ev-2',
        transferId: null,
      });

      // The migration inserts the chain's genesis.
      expect(await db.prisma.auditHead.findMany()).toEqual([{ id: 1, seq: 0n, hash: ZERO_HASH }]);
      const head = { id: 2, seq: bigMs, hash: 'c'.repeat(64) };
      expect(await db.prisma.auditHead.create({ data: head })).toEqual(head);
      expect(await db.prisma.auditHead.findUniqueOrThrow({ where: { id: 2 } })).toEqual(head);
    });

    it('MessageRef and Setting (where a card lives on a surface; run-time settings)', async () => {
      const ref = {
        id: 'mr-1',
        transferId: 'tr-1',
        surface: 'slack',
        purpose: 'card',
        channel: 'C0MASH00',
        messageId: '1700000000.000100',
        version: 3,
        createdAt: t1,
        updatedAt: t2,
      };
      expect(await db.prisma.messageRef.create({ data: ref })).toEqual(ref);
      expect(
        await db.prisma.messageRef.findUniqueOrThrow({
          where: { transferId_surface_purpose: { transferId: 'tr-1', surface: 'slack', purpose: 'card' } },
        }),
      ).toEqual(ref);
      await expect(db.prisma.messageRef.create({ data: { ...ref, id: 'mr-2' } })).rejects.toThrow();
      const setting = { key: 'slack.escalation_channel', value: richJson, updatedAt: t3 };
      expect(await db.prisma.setting.create({ data: setting })).toEqual(setting);
      expect(await db.prisma.setting.findUniqueOrThrow({ where: { key: setting.key } })).toEqual(setting);
    });

    it('a saved message ref never moves back to an older version (a slower render of one finishing last)', async () => {
      const refs = new MessageRefStore(db.prisma);
      const ref = {
        transferId: 'tr-9',
        surface: 'teams',
        purpose: 'card',
        channel: '19:a',
        messageId: 'm-3',
        version: 3,
      };
      await refs.save(ref, t1);
      await refs.save({ ...ref, messageId: 'm-2', version: 2 }, t2);
      expect(await refs.get('tr-9', 'teams', 'card')).toMatchObject({ messageId: 'm-3', version: 3 });
      await refs.save({ ...ref, channel: '19:b', messageId: 'm-4', version: 4 }, t3);
      expect(await refs.get('tr-9', 'teams', 'card')).toMatchObject({
        channel: '19:b',
        messageId: 'm-4',
        version: 4,
      });
    });

    it('LocalMessage (the local workspace: a card, a threaded reply with no card, an invite file)', async () => {
      const card = {
        id: 'card:tr-1',
        conversation: 'team:mash',
        transferId: 'tr-1',
        threadOf: null,
        text: 'SW-000001: step-up request',
        card: richJson,
        file: null,
        version: 4,
        createdAt: t1,
        updatedAt: t2,
      };
      expect(await db.prisma.localMessage.create({ data: { ...card, file: Prisma.DbNull } })).toEqual(card);
      const reply = {
        ...card,
        id: 'o-1',
        transferId: null,
        threadOf: 'card:tr-1',
        card: null,
        file: { filename: 'SW-000001-visit.ics', content: 'BEGIN:VCALENDAR', title: 'Visit' },
        version: 0,
      };
      await db.prisma.localMessage.create({ data: { ...reply, card: Prisma.DbNull } });
      expect(await db.prisma.localMessage.findUniqueOrThrow({ where: { id: 'o-1' } })).toEqual(reply);
      expect(
        (
          await db.prisma.localMessage.findMany({
            where: { conversation: 'team:mash' },
            orderBy: { id: 'asc' },
          })
        ).map((m) => m.id),
      ).toEqual(['card:tr-1', 'o-1']);
    });

    it('applies the schema defaults', async () => {
      const before = Date.now();
      const team = await db.prisma.team.create({ data: { id: 'team-x', service: 'mash', name: 'X' } });
      expect(Math.abs(team.updatedAt.getTime() - before)).toBeLessThan(60_000);
      const person = await db.prisma.person.create({ data: { id: 'p', name: 'P', teamId: 'team-x' } });
      expect(person.roles).toEqual([]);
      const { version, flags, pausedMs, decision, allocation, number, ...rest } = transferData('tr-d', 99);
      void [version, flags, pausedMs, decision, allocation, number];
      const transfer = await db.prisma.transfer.create({ data: rest });
      expect(transfer.number).toBeGreaterThan(0);
      expect(transfer).toMatchObject({
        version: 1,
        flags: [],
        pausedMs: 0n,
        decision: null,
        allocation: null,
      });
      const timer = await db.prisma.timer.create({
        data: { id: 't', kind: 'k', key: 'k', dueAt: t1, status: 'pending', createdAt: t1 },
      });
      expect(timer).toMatchObject({ occurrence: 0, payload: {}, transferId: null, doneAt: null });
      const outbox = await db.prisma.outbox.create({
        data: {
          id: 'o',
          idempotencyKey: 'o',
          kind: 'k',
          target: {},
          payload: {},
          status: 's',
          nextAttemptAt: t1,
          createdAt: t1,
        },
      });
      expect(outbox.attempts).toBe(0);
    });

    it('enforces the unique indexes and the foreign keys with their ON DELETE rules', async () => {
      await db.prisma.team.create({ data: { id: 'team-a', service: 'mash', name: 'A' } });
      await db.prisma.person.create({ data: { id: 'p', name: 'P', teamId: 'team-a' } });
      await expect(db.prisma.team.delete({ where: { id: 'team-a' } })).rejects.toMatchObject({
        code: 'P2003',
      });
      await expect(
        db.prisma.person.create({ data: { id: 'q', name: 'Q', teamId: 'nope' } }),
      ).rejects.toMatchObject({
        code: 'P2003',
      });

      await db.prisma.transfer.create({ data: transferData('tr-1', 1) });
      await expect(db.prisma.transfer.create({ data: transferData('tr-2', 1) })).rejects.toMatchObject({
        code: 'P2002',
      });
      await db.prisma.timer.create({
        data: {
          id: 'tm',
          transferId: 'tr-1',
          kind: 'k',
          key: 'k',
          dueAt: t1,
          status: 'pending',
          createdAt: t1,
        },
      });
      await expect(
        db.prisma.timer.create({
          data: {
            id: 'tm2',
            transferId: 'tr-1',
            kind: 'k',
            key: 'k',
            dueAt: t1,
            status: 'pending',
            createdAt: t1,
          },
        }),
      ).rejects.toMatchObject({ code: 'P2002' });
      await db.prisma.meeting.create({
        data: {
          id: 'm',
          transferId: 'tr-1',
          meetingKey: 'k',
          label: 'L',
          status: 's',
          createdAt: t1,
          updatedAt: t1,
        },
      });
      // RESTRICT for the required relation...
      await expect(db.prisma.transfer.delete({ where: { id: 'tr-1' } })).rejects.toMatchObject({
        code: 'P2003',
      });
      await db.prisma.meeting.delete({ where: { id: 'm' } });
      // ...SET NULL for the optional one.
      await db.prisma.transfer.delete({ where: { id: 'tr-1' } });
      expect((await db.prisma.timer.findUniqueOrThrow({ where: { id: 'tm' } })).transferId).toBeNull();
    });
  });

  describe('(b) the database has exactly the schema the generated client describes', () => {
    it('was generated from this schema.prisma (the client is not stale)', () => {
      const classTs = readFileSync(
        join(root, 'src', 'store', 'generated', 'prisma', 'internal', 'class.ts'),
        'utf8',
      );
      const inline = /"inlineSchema": ("(?:[^"\\]|\\.)*")/.exec(classTs)?.[1];
      expect(inline, 'inlineSchema not found in the generated client').toBeDefined();
      const squash = (s: string) =>
        s
          .replace(/[ \t]+/g, ' ')
          .replace(/ ?\n ?/g, '\n')
          .trim();
      expect(
        squash(JSON.parse(inline as string)),
        'the generated client is stale: run `npm run generate`',
      ).toBe(squash(schemaText));
    });

    it('columns: table, name, type, nullability, precision and default of every field', async () => {
      const models = parseSchema(schemaText);
      const runtime = runtimeDataModel(db);
      // The generated client's own metadata and schema.prisma agree on models, tables, fields and columns...
      expect(
        Object.entries(runtime.models).map(([name, m]) => ({
          name,
          table: m.dbName ?? name,
          fields: m.fields
            .filter((f) => f.kind === 'scalar')
            .map((f) => [f.name, f.type, f.dbName ?? f.name]),
        })),
      ).toEqual(
        models.map((m) => ({
          name: m.name,
          table: m.table,
          fields: m.fields
            .filter((f) => !f.relation && !isModel(models, f.type))
            .map((f) => [f.name, f.type, f.column]),
        })),
      );
      // ...and the database has exactly those columns, with the types Prisma gives them.
      const expected = models
        .flatMap((m) =>
          m.fields
            .filter((f) => !isModel(models, f.type))
            .map((f) => ({
              table: m.table,
              column: f.column,
              ...expectedColumnType(f),
              nullable: f.list || f.optional ? 'YES' : 'NO',
              default: expectedDefault(m.table, f),
            })),
        )
        .sort(byTableColumn);
      const actual = (
        await db.session((s) =>
          s.query<{
            table: string;
            column: string;
            data_type: string;
            udt_name: string;
            precision: number | null;
            nullable: string;
            default: string | null;
          }>(
            `SELECT table_name::text AS "table", column_name::text AS "column", data_type::text AS data_type,
                    udt_name::text AS udt_name, datetime_precision::int AS "precision",
                    is_nullable::text AS nullable, column_default::text AS "default"
               FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations'`,
          ),
        )
      )
        .map((c) => ({
          table: c.table,
          column: c.column,
          dataType: c.data_type === 'ARRAY' ? `${c.udt_name.slice(1)}[]` : c.data_type,
          precision: c.data_type.startsWith('timestamp') ? c.precision : null,
          nullable: c.nullable,
          default: c.default,
        }))
        .sort(byTableColumn);
      expect(actual).toEqual(expected);
    });

    it('indexes and foreign keys are named and defined as Prisma names and defines them', async () => {
      const models = parseSchema(schemaText);
      const expectedIndexes = models
        .flatMap((m) => {
          const col = (fieldNames: string[]) => fieldNames.map((n) => columnOf(m, n));
          const list: { name: string; table: string; unique: boolean; columns: string[] }[] = [];
          const id = m.id ?? m.fields.filter((f) => f.isId).map((f) => f.name);
          list.push({ name: `${m.table}_pkey`, table: m.table, unique: true, columns: col(id) });
          for (const f of m.fields.filter((f) => f.isUnique)) {
            list.push({
              name: `${m.table}_${f.column}_key`,
              table: m.table,
              unique: true,
              columns: [f.column],
            });
          }
          for (const u of m.uniques) {
            list.push({
              name: `${m.table}_${col(u).join('_')}_key`,
              table: m.table,
              unique: true,
              columns: col(u),
            });
          }
          for (const i of m.indexes) {
            list.push({
              name: `${m.table}_${col(i).join('_')}_idx`,
              table: m.table,
              unique: false,
              columns: col(i),
            });
          }
          return list;
        })
        .sort(byName);
      const expectedForeignKeys = models
        .flatMap((m) =>
          m.fields
            .filter((f) => f.relation)
            .map((f) => {
              const relation = f.relation as { fields: string[]; references: string[] };
              const target = models.find((t) => t.name === f.type) as SchemaModel;
              const columns = relation.fields.map((n) => columnOf(m, n));
              const optional = relation.fields.some((n) => m.fields.find((x) => x.name === n)?.optional);
              return {
                name: `${m.table}_${columns.join('_')}_fkey`,
                table: m.table,
                columns,
                references: target.table,
                referencedColumns: relation.references.map((n) => columnOf(target, n)),
                onDelete: optional ? 'SET NULL' : 'RESTRICT',
                onUpdate: 'CASCADE',
              };
            }),
        )
        .sort(byName);

      const { indexes, foreignKeys } = await db.session(async (s) => ({
        indexes: await s.query<{ name: string; table: string; unique: boolean; columns: string[] }>(
          `SELECT i.relname::text AS name, t.relname::text AS "table", ix.indisunique AS "unique",
                  ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                          JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
             FROM pg_index ix
             JOIN pg_class i ON i.oid = ix.indexrelid
             JOIN pg_class t ON t.oid = ix.indrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'`,
        ),
        foreignKeys: await s.query<{
          name: string;
          table: string;
          columns: string[];
          references: string;
          referencedColumns: string[];
          onDelete: string;
          onUpdate: string;
        }>(
          `SELECT c.conname::text AS name, t.relname::text AS "table", r.relname::text AS "references",
                  ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
                          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
                  ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
                          JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord)
                    AS "referencedColumns",
                  CASE c.confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                                     WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END AS "onDelete",
                  CASE c.confupdtype WHEN 'a' THEN 'NO ACTION' WHEN 'r' THEN 'RESTRICT' WHEN 'c' THEN 'CASCADE'
                                     WHEN 'n' THEN 'SET NULL' ELSE 'SET DEFAULT' END AS "onUpdate"
             FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid
             JOIN pg_class r ON r.oid = c.confrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE c.contype = 'f' AND n.nspname = current_schema()`,
        ),
      }));
      expect([...indexes].sort(byName)).toEqual(expectedIndexes);
      expect([...foreignKeys].sort(byName)).toEqual(expectedForeignKeys);
      // The names the design and other code rely on.
      expect(indexes.map((i) => i.name)).toEqual(
        expect.arrayContaining(['transfer_number_key', 'timer_status_due_at_idx']),
      );
      expect(foreignKeys.map((f) => f.name)).toContain('meeting_transfer_id_fkey');
    });
  });

  describe('(c) migrator', () => {
    let scratch: string;
    beforeAll(() => {
      scratch = mkdtempSync(join(tmpdir(), 'stepwise-migrations-'));
    });
    afterAll(() => {
      rmSync(scratch, { recursive: true, force: true });
    });

    /** A copy of prisma/migrations plus the given extra migrations. */
    function migrationsWith(extra: Record<string, string>): string {
      const dir = mkdtempSync(join(scratch, 'm-'));
      cpSync(defaultMigrationsDir, dir, { recursive: true });
      for (const [name, sql] of Object.entries(extra)) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, 'migration.sql'), sql);
      }
      return dir;
    }

    const migrationRows = () =>
      db.session((s) =>
        s.query<{
          id: string;
          checksum: string;
          finished_at: Date | null;
          migration_name: string;
          logs: string | null;
          rolled_back_at: Date | null;
          started_at: Date;
          applied_steps_count: number;
        }>('SELECT * FROM "_prisma_migrations" ORDER BY "migration_name"'),
      );

    it('records each migration in _prisma_migrations as Prisma does, and a second run applies nothing', async () => {
      const rows = await migrationRows();
      const local = readMigrations();
      expect(rows.map((r) => r.migration_name)).toEqual(local.map((m) => m.name));
      const init = rows.find((r) => r.migration_name === INIT);
      if (!init) throw new Error(`${INIT} is not recorded`);
      const file = readFileSync(join(defaultMigrationsDir, INIT, 'migration.sql'));
      expect(init).toMatchObject({
        checksum: sha256(file),
        logs: null,
        rolled_back_at: null,
        applied_steps_count: 1,
      });
      expect(init.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(init.finished_at).toBeInstanceOf(Date);
      expect((init.finished_at as Date).getTime()).toBeGreaterThanOrEqual(init.started_at.getTime());

      const lines: string[] = [];
      expect(await migrate(db, { log: (l) => lines.push(l) })).toEqual({
        applied: [],
        alreadyApplied: BUILT_IN,
      });
      expect(lines.join('\n')).toMatch(/up to date/);
      expect(await migrationRows()).toEqual(rows);

      // The exact columns of Prisma's own table.
      const columns = await db.session((s) =>
        s.query<{ column: string; type: string; nullable: string }>(
          `SELECT column_name::text AS "column", data_type::text || COALESCE('(' || character_maximum_length || ')', '') AS type,
                  is_nullable::text AS nullable
             FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = '_prisma_migrations' ORDER BY ordinal_position`,
        ),
      );
      expect(columns).toEqual([
        { column: 'id', type: 'character varying(36)', nullable: 'NO' },
        { column: 'checksum', type: 'character varying(64)', nullable: 'NO' },
        { column: 'finished_at', type: 'timestamp with time zone', nullable: 'YES' },
        { column: 'migration_name', type: 'character varying(255)', nullable: 'NO' },
        { column: 'logs', type: 'text', nullable: 'YES' },
        { column: 'rolled_back_at', type: 'timestamp with time zone', nullable: 'YES' },
        { column: 'started_at', type: 'timestamp with time zone', nullable: 'NO' },
        { column: 'applied_steps_count', type: 'integer', nullable: 'NO' },
      ]);
    });

    it('applies a new migration once, even with two migrators at the same time', async () => {
      const dir = migrationsWith({
        '20991231000000_extra':
          'CREATE TABLE "extra" ("id" INTEGER NOT NULL);\nINSERT INTO "extra" VALUES (1);\n',
      });
      const [a, b] = await Promise.all([
        migrate(db, { migrationsDir: dir }),
        migrate(db, { migrationsDir: dir }),
      ]);
      expect([a.applied, b.applied].sort()).toEqual([[], ['20991231000000_extra']]);
      expect((a.applied.length ? b : a).alreadyApplied).toEqual([...BUILT_IN, '20991231000000_extra']);
      expect(await db.session((s) => s.query('SELECT "id" FROM "extra"'))).toEqual([{ id: 1 }]);
      expect((await migrationRows()).map((r) => r.migration_name)).toEqual([
        ...BUILT_IN,
        '20991231000000_extra',
      ]);
      expect(await migrate(db, { migrationsDir: dir })).toEqual({
        applied: [],
        alreadyApplied: [...BUILT_IN, '20991231000000_extra'],
      });
    });

    it('rolls back a failing migration completely and records nothing', async () => {
      const dir = migrationsWith({
        '20991231000000_broken': 'CREATE TABLE "half" ("id" INTEGER);\nSELECT * FROM "no_such_table";\n',
      });
      await expect(migrate(db, { migrationsDir: dir })).rejects.toThrow(
        /20991231000000_broken failed .*rolled back.*no_such_table/,
      );
      expect((await migrationRows()).map((r) => r.migration_name)).toEqual(BUILT_IN);
      expect(await db.session((s) => s.query(`SELECT to_regclass('half') AS t`))).toEqual([{ t: null }]);
      // The database is still usable.
      expect(await migrate(db)).toEqual({ applied: [], alreadyApplied: BUILT_IN });
    });

    it('refuses when an applied migration file was changed', async () => {
      await db.session((s) =>
        s.query(`UPDATE "_prisma_migrations" SET "checksum" = $1 WHERE "migration_name" = $2`, [
          'f'.repeat(64),
          INIT,
        ]),
      );
      await expect(migrate(db)).rejects.toThrow(new RegExp(`${INIT} was changed after it was applied`));
      // A checksum recorded from a CRLF checkout is the same file (Prisma accepts it too).
      const crlf = readFileSync(join(defaultMigrationsDir, INIT, 'migration.sql'), 'utf8').replace(
        /\n/g,
        '\r\n',
      );
      await db.session((s) =>
        s.query(`UPDATE "_prisma_migrations" SET "checksum" = $1 WHERE "migration_name" = $2`, [
          sha256(crlf),
          INIT,
        ]),
      );
      expect(await migrate(db)).toEqual({ applied: [], alreadyApplied: BUILT_IN });
    });

    it('refuses while a failed migration is recorded, and re-applies one that was rolled back', async () => {
      await db.session((s) =>
        s.query(
          `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "logs", "applied_steps_count")
           VALUES ('00000000-0000-0000-0000-000000000001', $1, '20991231000000_extra', 'boom', 0)`,
          ['e'.repeat(64)],
        ),
      );
      const dir = migrationsWith({ '20991231000000_extra': 'CREATE TABLE "extra" ("id" INTEGER);\n' });
      await expect(migrate(db, { migrationsDir: dir })).rejects.toThrow(
        /failed migration \(20991231000000_extra\)/,
      );
      // What `prisma migrate resolve --rolled-back` does:
      await db.session((s) =>
        s.query(`UPDATE "_prisma_migrations" SET "rolled_back_at" = now() WHERE "finished_at" IS NULL`),
      );
      expect(await migrate(db, { migrationsDir: dir })).toEqual({
        applied: ['20991231000000_extra'],
        alreadyApplied: BUILT_IN,
      });
    });
  });

  describe('(d) statement counter', () => {
    it('counts a single insert, and BEGIN / COMMIT / ROLLBACK of interactive and batch transactions', async () => {
      const { statements } = db;
      let before = statements.count;
      await db.prisma.team.create({ data: { id: 'team-a', service: 'mash', name: 'A' } });
      const insert = statements.count - before;
      expect(insert).toBeGreaterThanOrEqual(1);

      before = statements.count;
      await db.prisma.$transaction(async (tx) => {
        await tx.team.findMany();
      });
      expect(statements.count - before).toBe(3); // BEGIN, SELECT, COMMIT

      before = statements.count;
      await expect(
        db.prisma.$transaction(async (tx) => {
          await tx.team.findMany();
          throw new Error('abandon');
        }),
      ).rejects.toThrow('abandon');
      expect(statements.count - before).toBe(3); // BEGIN, SELECT, ROLLBACK

      before = statements.count;
      await db.prisma.$transaction(async (tx) => {
        await tx.team.create({ data: { id: 'team-b', service: 'mash', name: 'B' } });
        await tx.team.update({ where: { id: 'team-b' }, data: { name: 'B2' } });
      });
      expect(statements.count - before).toBeGreaterThanOrEqual(2 + 2 * insert);

      before = statements.count;
      await db.prisma.$transaction([db.prisma.team.findMany(), db.prisma.team.count()]);
      expect(statements.count - before).toBe(4); // BEGIN, 2 queries, COMMIT

      before = statements.count;
      await db.session((s) => s.query('SELECT 1'));
      expect(statements.count - before).toBe(1);
    });
  });

  describe('(e) errors specific to this kind', () => {
    it.runIf(kind === 'postgres')('a database that does not exist is one clear line', async () => {
      const url = missingDatabaseUrl() as string;
      const error = await openDatabase({ databaseUrl: url }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      const { pathname, host } = new URL(url);
      expect((error as Error).message).toBe(
        `cannot connect to PostgreSQL at ${host}${pathname}: database ${pathname.slice(1)} does not exist`,
      );
    });

    it('describes itself without secrets', () => {
      expect(db.kind).toBe(kind);
      expect(db.describe).toMatch(
        kind === 'pglite' ? /^PGlite in memory$/ : /^PostgreSQL at 127\.0\.0\.1:\d+\/stepwise_test_/,
      );
    });
  });
});

describe('openDatabase failures (one line each, no password)', () => {
  it('rejects an unreachable PostgreSQL with host:port/db and without the password', async () => {
    const started = Date.now();
    const error = await openDatabase({
      databaseUrl: 'postgresql://stepwise:s3cret-p%40ss@127.0.0.1:1/stepwise',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    const message = (error as Error).message;
    expect(message).toBe(
      'cannot connect to PostgreSQL at 127.0.0.1:1/stepwise: connection refused (is the server running and listening on that port?)',
    );
    expect(message).not.toMatch(/s3cret|p@ss|%40/);
    expect(message).not.toContain('\n');
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('rejects a URL that is not postgres:// or postgresql://', async () => {
    for (const url of ['mysql://root:hunter2@localhost/db', 'file:./dev.db', 'localhost:5432/db']) {
      const error = await openDatabase({ databaseUrl: url }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as Error).message).toMatch(
        /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/,
      );
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('rejects a data directory that cannot be used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-baddir-'));
    try {
      const file = join(dir, 'a-file');
      writeFileSync(file, 'not a directory');
      const error = await openDatabase({ dataDir: join(file, 'data') }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect((error as Error).message).toBe(
        `cannot use the data directory ${join(file, 'data')}: part of the path is a file, not a directory`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a file-backed PGlite database across close and reopen', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-data-'));
    try {
      const first = await openDatabase({ dataDir: dir });
      expect(first.describe).toBe(`PGlite at ${join(dir, 'db')}`);
      expect(await migrate(first)).toEqual({ applied: BUILT_IN, alreadyApplied: [] });
      await first.prisma.team.create({ data: { id: 'kept', service: 'mash', name: 'Kept', updatedAt: t1 } });
      await first.close();

      const second = await openDatabase({ dataDir: dir });
      try {
        expect(await migrate(second)).toEqual({ applied: [], alreadyApplied: BUILT_IN });
        expect(await second.prisma.team.findUnique({ where: { id: 'kept' } })).toMatchObject({
          name: 'Kept',
          updatedAt: t1,
        });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------------------

function transferData(id: string, number: number) {
  return {
    id,
    number,
    profileId: 'hackney',
    routeId: 'eh-to-csc',
    kind: 'step_up',
    fromLevel: 'early_help',
    toLevel: 'cin',
    sendingTeamId: 'team-eh',
    receivingTeamId: 'team-mash',
    requesterId: 'sam',
    state: 'submitted',
    version: 7,
    holder: 'receiving',
    childKey: 'ck-1f2e3d',
    childInitials: 'J.D.',
    childAgeBand: '5-10',
    form: richJson,
    consent: { familyAgrees: true, lawfulBasis: 'consent', recordedAt: '2026-11-23T09:00:00Z' },
    flags: ['significant_harm_checked', 'interpreter'],
    decision: { outcome: 'accepted', by: 'kim', reasons: [] },
    allocation: { worker: 'kim', team: 'team-mash' },
    pausedAt: t2,
    pausedMs: bigMs,
    createdAt: t1,
    submittedAt: t1,
    updatedAt: t3,
    closedAt: t3,
  };
}

interface RuntimeDataModel {
  models: Record<
    string,
    { dbName: string | null; fields: { name: string; kind: string; type: string; dbName?: string }[] }
  >;
}

/** The generated client's own metadata of the data model (internal to Prisma, but stable since Prisma 5). */
function runtimeDataModel(database: Database): RuntimeDataModel {
  const model = (database.prisma as unknown as { _runtimeDataModel?: RuntimeDataModel })._runtimeDataModel;
  if (!model?.models)
    throw new Error('the Prisma client no longer exposes _runtimeDataModel: update this test');
  return model;
}

interface SchemaField {
  name: string;
  type: string;
  list: boolean;
  optional: boolean;
  column: string;
  nativeType?: { name: string; args: string[] };
  isId: boolean;
  isUnique: boolean;
  default?: string;
  relation?: { fields: string[]; references: string[] };
}

interface SchemaModel {
  name: string;
  table: string;
  fields: SchemaField[];
  id?: string[];
  uniques: string[][];
  indexes: string[][];
}

/** A small reader for the parts of schema.prisma this project uses (models, @map, @db, @default, @relation...). */
function parseSchema(text: string): SchemaModel[] {
  const models: SchemaModel[] = [];
  const names = (list: string) =>
    list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  for (const block of text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const model: SchemaModel = {
      name: block[1] as string,
      table: block[1] as string,
      fields: [],
      uniques: [],
      indexes: [],
    };
    for (const rawLine of (block[2] as string).split('\n')) {
      const line = rawLine.replace(/\/\/.*$/, '').trim();
      if (!line) continue;
      if (line.startsWith('@@')) {
        const args = /\(\s*\[([^\]]*)\]/.exec(line)?.[1];
        if (line.startsWith('@@map')) model.table = /"([^"]+)"/.exec(line)?.[1] as string;
        else if (line.startsWith('@@id')) model.id = names(args as string);
        else if (line.startsWith('@@unique')) model.uniques.push(names(args as string));
        else if (line.startsWith('@@index')) model.indexes.push(names(args as string));
        else throw new Error(`parseSchema: unknown block attribute ${line}`);
        continue;
      }
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!m) throw new Error(`parseSchema: cannot read ${line}`);
      const attrs = m[5] as string;
      const native = /@db\.(\w+)(?:\(([^)]*)\))?/.exec(attrs);
      const relation = /@relation\(\s*fields:\s*\[([^\]]*)\],\s*references:\s*\[([^\]]*)\]/.exec(attrs);
      model.fields.push({
        name: m[1] as string,
        type: m[2] as string,
        list: m[3] !== undefined,
        optional: m[4] !== undefined,
        column: /@map\("([^"]+)"\)/.exec(attrs)?.[1] ?? (m[1] as string),
        nativeType: native
          ? { name: native[1] as string, args: native[2] ? names(native[2]) : [] }
          : undefined,
        isId: /@id\b/.test(attrs),
        isUnique: /@unique\b/.test(attrs),
        default: /@default\(((?:[^()]|\([^()]*\))*)\)/.exec(attrs)?.[1],
        relation: relation
          ? { fields: names(relation[1] as string), references: names(relation[2] as string) }
          : undefined,
      });
    }
    models.push(model);
  }
  return models;
}

function isModel(models: SchemaModel[], type: string): boolean {
  return models.some((m) => m.name === type);
}

function columnOf(model: SchemaModel, fieldName: string): string {
  const field = model.fields.find((f) => f.name === fieldName);
  if (!field) throw new Error(`no field ${fieldName} in ${model.name}`);
  return field.column;
}

function expectedColumnType(f: SchemaField): { dataType: string; precision: number | null } {
  let dataType: string;
  let precision: number | null = null;
  switch (f.type) {
    case 'String':
      if (f.nativeType) throw new Error(`extend the test for String @db.${f.nativeType.name}`);
      dataType = 'text';
      break;
    case 'Int':
      dataType = 'integer';
      break;
    case 'BigInt':
      dataType = 'bigint';
      break;
    case 'Boolean':
      dataType = 'boolean';
      break;
    case 'Float':
      dataType = 'double precision';
      break;
    case 'Json':
      dataType = 'jsonb';
      break;
    case 'DateTime': {
      const tz = f.nativeType?.name === 'Timestamptz';
      if (f.nativeType && !tz && f.nativeType.name !== 'Timestamp') {
        throw new Error(`extend the test for DateTime @db.${f.nativeType.name}`);
      }
      dataType = tz ? 'timestamp with time zone' : 'timestamp without time zone';
      precision = Number(f.nativeType?.args[0] ?? 3);
      break;
    }
    default:
      throw new Error(`extend the test for field type ${f.type}`);
  }
  if (f.list) {
    const udt: Record<string, string> = {
      text: 'text',
      integer: 'int4',
      bigint: 'int8',
      boolean: 'bool',
      jsonb: 'jsonb',
    };
    return { dataType: `${udt[dataType] ?? dataType}[]`, precision: null };
  }
  return { dataType, precision };
}

function expectedDefault(table: string, f: SchemaField): string | null {
  const d = f.default;
  if (d === undefined) return null;
  if (d === 'autoincrement()') return `nextval('${table}_${f.column}_seq'::regclass)`;
  if (d === 'now()') return 'CURRENT_TIMESTAMP';
  if (/^-?\d+(\.\d+)?$/.test(d) || d === 'true' || d === 'false') return d;
  const literal = /^"(.*)"$/.exec(d)?.[1];
  if (literal !== undefined && f.type === 'Json') return `'${literal}'::jsonb`;
  if (literal !== undefined && f.type === 'String') return `'${literal}'::text`;
  throw new Error(`extend the test for @default(${d})`);
}

function byTableColumn(a: { table: string; column: string }, b: { table: string; column: string }): number {
  return a.table === b.table ? a.column.localeCompare(b.column) : a.table.localeCompare(b.table);
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name);
}
