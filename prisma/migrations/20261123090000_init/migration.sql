-- CreateTable
CREATE TABLE "team" (
    "id" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slack_channel" TEXT,
    "teams_channel" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "team_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "person" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "roles" TEXT[],
    "email" TEXT,
    "slack_user" TEXT,
    "teams_user" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "person_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transfer" (
    "id" TEXT NOT NULL,
    "number" SERIAL NOT NULL,
    "profile_id" TEXT NOT NULL,
    "route_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "from_level" TEXT NOT NULL,
    "to_level" TEXT NOT NULL,
    "sending_team_id" TEXT NOT NULL,
    "receiving_team_id" TEXT NOT NULL,
    "requester_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "holder" TEXT NOT NULL,
    "child_key" TEXT,
    "child_initials" TEXT NOT NULL,
    "child_age_band" TEXT NOT NULL,
    "form" JSONB NOT NULL,
    "consent" JSONB NOT NULL,
    "flags" JSONB NOT NULL DEFAULT '[]',
    "decision" JSONB,
    "allocation" JSONB,
    "paused_at" TIMESTAMPTZ(3),
    "paused_ms" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "submitted_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),

    CONSTRAINT "transfer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "meeting" (
    "id" TEXT NOT NULL,
    "transfer_id" TEXT NOT NULL,
    "meeting_key" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "due_by" TIMESTAMPTZ(3),
    "scheduled_at" TIMESTAMPTZ(3),
    "outcome" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "meeting_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "dispute" (
    "id" TEXT NOT NULL,
    "transfer_id" TEXT NOT NULL,
    "opened_by_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "ladder" JSONB NOT NULL,
    "stage_index" INTEGER NOT NULL,
    "stage_due_at" TIMESTAMPTZ(3),
    "status" TEXT NOT NULL,
    "resolution" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "resolved_at" TIMESTAMPTZ(3),

    CONSTRAINT "dispute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "timer" (
    "id" TEXT NOT NULL,
    "transfer_id" TEXT,
    "kind" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL,
    "occurrence" INTEGER NOT NULL DEFAULT 0,
    "payload" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "timer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "transfer_id" TEXT,
    "kind" TEXT NOT NULL,
    "target" JSONB NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "seq" BIGSERIAL NOT NULL,
    "id" TEXT NOT NULL,
    "transfer_id" TEXT,
    "actor_id" TEXT NOT NULL,
    "surface" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "data" JSONB NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "audit_head" (
    "id" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_head_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "person_email_idx" ON "person"("email");

-- CreateIndex
CREATE INDEX "person_slack_user_idx" ON "person"("slack_user");

-- CreateIndex
CREATE INDEX "person_teams_user_idx" ON "person"("teams_user");

-- CreateIndex
CREATE UNIQUE INDEX "transfer_number_key" ON "transfer"("number");

-- CreateIndex
CREATE INDEX "transfer_state_idx" ON "transfer"("state");

-- CreateIndex
CREATE INDEX "transfer_receiving_team_id_state_idx" ON "transfer"("receiving_team_id", "state");

-- CreateIndex
CREATE INDEX "transfer_sending_team_id_state_idx" ON "transfer"("sending_team_id", "state");

-- CreateIndex
CREATE INDEX "transfer_child_key_idx" ON "transfer"("child_key");

-- CreateIndex
CREATE UNIQUE INDEX "meeting_transfer_id_meeting_key_key" ON "meeting"("transfer_id", "meeting_key");

-- CreateIndex
CREATE INDEX "dispute_transfer_id_idx" ON "dispute"("transfer_id");

-- CreateIndex
CREATE INDEX "timer_status_due_at_idx" ON "timer"("status", "due_at");

-- CreateIndex
CREATE UNIQUE INDEX "timer_transfer_id_key_key" ON "timer"("transfer_id", "key");

-- CreateIndex
CREATE UNIQUE INDEX "outbox_idempotency_key_key" ON "outbox"("idempotency_key");

-- CreateIndex
CREATE INDEX "outbox_status_next_attempt_at_idx" ON "outbox"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "audit_event_id_key" ON "audit_event"("id");

-- CreateIndex
CREATE INDEX "audit_event_transfer_id_idx" ON "audit_event"("transfer_id");

-- AddForeignKey
ALTER TABLE "person" ADD CONSTRAINT "person_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "meeting" ADD CONSTRAINT "meeting_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "transfer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "dispute" ADD CONSTRAINT "dispute_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "transfer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "timer" ADD CONSTRAINT "timer_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "transfer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Genesis of the audit chain (hand-written, not generated): the single audit_head row that every
-- audit writer locks. seq 0 and a hash of 64 zeros are what the first event's prev_hash points at.
INSERT INTO "audit_head" ("id", "seq", "hash") VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
