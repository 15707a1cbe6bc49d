import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getPageUser } from '@/lib/server/auth/pageSession';

export default async function Landing() {
  if (await getPageUser()) redirect('/projects');
  return (
    <>
      <section className="hero">
        <h1>Your mastering room, on your own server</h1>
        <p>
          Upload mixes and references, keep every version, and follow analysis and masters live with the artists and
          engineers on the project.
        </p>
        <div className="row" style={{ justifyContent: 'center' }}>
          <Link href="/signup" className="button">
            Create an account
          </Link>
          <Link href="/signin" className="button ghost">
            Sign in
          </Link>
        </div>
      </section>
      <section className="features">
        <div className="panel">
          <h2>Versioned uploads</h2>
          <p className="subtle">Resumable uploads of any size. Originals are stored untouched with their checksum.</p>
        </div>
        <div className="panel">
          <h2>Roles that mean something</h2>
          <p className="subtle">Owners, engineers, artists and viewers: each sees and does exactly what they should.</p>
        </div>
        <div className="panel">
          <h2>Live</h2>
          <p className="subtle">Everyone on the project sees new versions and job progress as it happens.</p>
        </div>
      </section>
    </>
  );
}
