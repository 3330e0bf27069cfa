-- CreateTable
CREATE TABLE "local_message" (
    "id" TEXT NOT NULL,
    "conversation" TEXT NOT NULL,
    "transfer_id" TEXT,
    "thread_of" TEXT,
    "text" TEXT NOT NULL,
    "card" JSONB,
    "file" JSONB,
    "version" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "local_message_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "local_message_conversation_created_at_idx" ON "local_message"("conversation", "created_at");
