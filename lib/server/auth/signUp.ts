import { Prisma } from '@/lib/generated/prisma/client';
import { getPrisma } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { validate } from '@/lib/server/projects/validate';
import { signUpSchema } from './credentials';
import { hashPassword } from './password';

export interface PublicUser {
  id: string;
  email: string;
  name: string;
}

/** Creates the account and turns every pending invite for its email into a membership, in one transaction. */
export async function signUp(input: unknown): Promise<PublicUser & { joinedProjectIds: string[] }> {
  const { email, password, name } = validate(signUpSchema, input);
  const prisma = getPrisma();
  if (await prisma.user.findUnique({ where: { email }, select: { id: true } })) throw duplicateEmail();
  const passwordHash = await hashPassword(password);
  try {
    return await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { email, name, passwordHash }, select: { id: true, email: true, name: true } });
      const invites = await tx.invite.findMany({ where: { email } });
      for (const invite of invites) {
        await tx.membership.create({ data: { projectId: invite.projectId, userId: user.id, role: invite.role } });
      }
      await tx.invite.deleteMany({ where: { email } });
      return { ...user, joinedProjectIds: invites.map((i) => i.projectId) };
    });
  } catch (error) {
    // Two sign-ups racing for one email: the unique index decides.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw duplicateEmail();
    throw error;
  }
}

function duplicateEmail() {
  return new ServiceError(409, 'email_taken', 'An account with this email already exists', {
    email: 'An account with this email already exists',
  });
}
