import { respond } from '@/lib/server/projects/routeResponse';
import { getGuestReview } from '@/lib/server/review/guestReview';

type Context = { params: Promise<{ token: string }> };

/** Guest review: the token in the path is the credential, checked on every request (revocation is immediate). */
export async function GET(_req: Request, { params }: Context) {
  const { token } = await params;
  return respond(() => getGuestReview(token));
}
