-- AlterTable
ALTER TABLE "ChatMessage" ADD COLUMN     "clientKey" TEXT,
ADD COLUMN     "mentionIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "Comment" ADD COLUMN     "clientKey" TEXT,
ADD COLUMN     "mentionIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "ChatMessage_trackId_updatedAt_idx" ON "ChatMessage"("trackId", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChatMessage_trackId_clientKey_key" ON "ChatMessage"("trackId", "clientKey");

-- CreateIndex
CREATE INDEX "Comment_trackId_updatedAt_idx" ON "Comment"("trackId", "updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Comment_trackId_clientKey_key" ON "Comment"("trackId", "clientKey");
