import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { getPageUser } from '@/lib/server/auth/pageSession';
import { NotificationBell } from './components/review/NotificationBell';
import { SignOutButton } from './components/SignOutButton';
import './globals.css';

export const metadata: Metadata = {
  title: 'Mastering Room',
  description: 'Self-hosted mastering and review for mixes, references and masters',
};

export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await getPageUser();
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href={user ? '/projects' : '/'} className="brand">
            <span className="brand-mark" aria-hidden />
            Mastering Room
          </Link>
          <nav className="nav">
            {user ? (
              <>
                <Link href="/projects">Projects</Link>
                <NotificationBell />
                <span data-testid="current-user">{user.name}</span>
                <SignOutButton />
              </>
            ) : (
              <>
                <Link href="/signin">Sign in</Link>
                <Link href="/signup" className="button">
                  Create account
                </Link>
              </>
            )}
          </nav>
        </header>
        <main>{children}</main>
        <footer>Mastering Room · free software under the GNU AGPL v3 or later</footer>
      </body>
    </html>
  );
}
