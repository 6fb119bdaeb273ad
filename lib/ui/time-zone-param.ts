import { createParser } from 'nuqs';
import { isTimeZone, type TimeZoneMode } from './time-zone';

// `tz`: `utc` (the default), `local` or any IANA zone; anything else reads as UTC rather than failing the page.
export const timeZoneParser = createParser<TimeZoneMode>({
  parse: (value) => (value === 'utc' || value === 'local' || isTimeZone(value) ? value : null),
  serialize: (value) => value,
}).withDefault('utc');
