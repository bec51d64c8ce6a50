// Compile-time checks: `tsc --strict` must accept the plain uses and reject the mistakes marked
// `@ts-expect-error` (an unused one is itself an error, so each mark proves the mistake is caught).

import type { CampaignStatistics, CampaignStatisticsRequest, CodedErrorBody } from "../src/index.js";

export function deliveryRate(sample: CampaignStatistics): number {
  // Every counter is a plain required number: no TS18048 "possibly 'undefined'".
  return sample.delivered / sample.sent;
}

export function frequencyCapped(sample: CampaignStatistics): number {
  // Both reason breakdowns are required: no null check before reading a reason.
  return sample.dropDetails.frequencyCapped + sample.undeliveredDetails.mediaErrors;
}

export function cardCount(sample: CampaignStatistics): number {
  // The conversational parts may be absent, and the type says so.
  return sample.responses?.length ?? 0;
}

export const request: CampaignStatisticsRequest = { campaign_id: 12345, start_time: 1700000000 };

// @ts-expect-error a misspelt field does not compile
export const typo: CampaignStatisticsRequest = { campaign_id: 1, start_tme: 1700000000 };

export function misspeltCounter(sample: CampaignStatistics): number {
  // @ts-expect-error `deliverd` is not a field of CampaignStatistics
  return sample.deliverd;
}

// @ts-expect-error a body missing its counters is not a CampaignStatistics
export const partial: CampaignStatistics = { sent: 1 };

export function codeText(body: CodedErrorBody): string {
  return String(body.errorCode);
}

export function typoInStatistics(sample: CampaignStatistics): CampaignStatistics {
  // @ts-expect-error `deliverd` is misspelt, and no index signature lets it through
  return { ...sample, sent: 1, deliverd: 2 };
}
