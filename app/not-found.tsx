import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="panel auth-card">
      <h1>Not found</h1>
      <p className="subtle">This page does not exist, or you do not have access to it.</p>
      <Link href="/projects">Back to your projects</Link>
    </div>
  );
}
