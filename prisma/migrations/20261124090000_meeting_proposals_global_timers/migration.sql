-- AlterTable
ALTER TABLE "meeting" ADD COLUMN "proposed_by_id" TEXT,
ADD COLUMN "sequence" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "timer" ADD COLUMN "global_key" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "timer_global_key_key" ON "timer"("global_key");

-- CreateIndex
CREATE INDEX "outbox_transfer_id_created_at_idx" ON "outbox"("transfer_id", "created_at");
