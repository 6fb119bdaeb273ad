import Provider from 'oidc-provider';

// A real OpenID provider for the end-to-end tests (oidc-provider's development login page: any
// login name works; the accounts below decide the groups each one gets).
const port = Number(process.env.OIDC_PORT ?? 3190);
const leasetrail = process.env.LEASETRAIL_URL ?? 'http://127.0.0.1:3101';

const groups: Record<string, string[]> = { alice: ['sre', 'engineering'], bob: ['engineering'], root: ['platform'], eve: ['contractors'] };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: 'leasetrail',
      client_secret: 'leasetrail-e2e-client-secret',
      redirect_uris: [`${leasetrail}/api/auth/callback`],
      post_logout_redirect_uris: [`${leasetrail}/`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email'], groups: ['groups'] },
  scopes: ['openid', 'profile', 'email', 'groups'],
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['leasetrail-e2e-provider-cookie-key'] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: id, email: `${id}@example.com`, groups: groups[id] ?? [] };
      },
    };
  },
});

provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`OpenID provider at http://127.0.0.1:${port}\n`);
});
