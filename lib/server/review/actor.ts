import type { Role } from '@/lib/generated/prisma/enums';

/** Who is writing: a signed-in member (with their role in the project) or a guest holding a review link. */
export type ReviewActor =
  | { kind: 'member'; userId: string; name: string; role: Role }
  | { kind: 'guest'; name: string; shareLinkId: string };

export function actorName(actor: ReviewActor): string {
  return actor.kind === 'member' ? actor.name : `${actor.name} (guest)`;
}
