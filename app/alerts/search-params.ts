import { parseAsInteger, parseAsString, parseAsStringLiteral } from 'nuqs';

export const alertTabs = ['firing', 'history', 'rules', 'silences', 'channels'] as const;

export type AlertTab = (typeof alertTabs)[number];

export const historyDays = [1, 7, 31] as const;

// Shared by the page and its client: a pasted link opens the same tab and history filter.
export const alertsSearchParams = {
  tab: parseAsStringLiteral(alertTabs).withDefault('firing'),
  cluster: parseAsString.withDefault(''),
  days: parseAsInteger.withDefault(7),
};
