-- AlterEnum
ALTER TYPE "TransitionKind" ADD VALUE 'missed';
ALTER TYPE "TransitionKind" ADD VALUE 'resumed';

-- AlterTable
ALTER TABLE "Cluster" ADD COLUMN     "lastSeenAt" TIMESTAMPTZ(6);
