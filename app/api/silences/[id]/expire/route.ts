import { numericIdParams } from '@/lib/api/alert-schemas';
import { respondJson } from '@/lib/api/respond';
import { toSilenceDto } from '@/lib/api/silence-dto';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { expireSilence } from '@/lib/store/silences';

export const dynamic = 'force-dynamic';

type Params = { id: string };

export const POST = defineRoute<Params>({ access: 'editor' }, async ({ params, identity }) => {
  const { id } = numericIdParams.parse(params);
  return respondJson({ silence: toSilenceDto(await expireSilence(getStore(), { id, by: identity.name, now: new Date() })) });
});
