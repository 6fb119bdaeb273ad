import type { SilenceRecord } from '../store/silences';

export type SilenceDto = {
  id: number;
  matchers: SilenceRecord['matchers'];
  state: SilenceRecord['state'];
  startsAt: string;
  endsAt: string;
  expiredAt: string | null;
  expiredBy: string | null;
  comment: string;
  createdBy: string;
  createdAt: string;
};

const iso = (ms: number) => new Date(ms).toISOString();

export function toSilenceDto(silence: SilenceRecord): SilenceDto {
  return {
    id: silence.id,
    matchers: silence.matchers,
    state: silence.state,
    startsAt: iso(silence.startsAt),
    endsAt: iso(silence.endsAt),
    expiredAt: silence.expiredAt === null ? null : iso(silence.expiredAt),
    expiredBy: silence.expiredBy,
    comment: silence.comment,
    createdBy: silence.createdBy,
    createdAt: iso(silence.createdAt),
  };
}
