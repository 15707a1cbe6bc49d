import { signUp } from '@/lib/server/auth/signUp';
import { readJsonBody, respond } from '@/lib/server/projects/routeResponse';

export async function POST(req: Request) {
  return respond(async () => {
    const user = await signUp(await readJsonBody(req));
    return { id: user.id, email: user.email, name: user.name, joinedProjectIds: user.joinedProjectIds };
  }, 201);
}
