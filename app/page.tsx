import { toFleetResponse } from '@/lib/api/dto';
import { getStore } from '@/lib/store/client';
import { getFleetSummary } from '@/lib/store/fleet';
import { FleetClient } from './client';

export const dynamic = 'force-dynamic';

export default async function FleetPage() {
  const summary = toFleetResponse(await getFleetSummary(getStore()));
  return <FleetClient initial={summary} />;
}
