import { GuestReview } from '../../components/review/GuestReview';

/** A guest review link: listen and comment without an account. Everything is checked per request against the token. */
export default async function GuestReviewPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <GuestReview token={token} />;
}
