import { listNotifications, markNotificationsRead } from '@/lib/server/review/notifications';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

export async function GET(req: Request) {
  return withUser(req, (user) => listNotifications(user.id));
}

/** `{ ids }` marks those read, `{}` marks all read. */
export async function PATCH(req: Request) {
  return withUser(req, async (user) => markNotificationsRead(user.id, await readJsonBody(req)));
}
