-- AlterTable
ALTER TABLE "dispute" ADD COLUMN "about" TEXT NOT NULL DEFAULT 'decision';
