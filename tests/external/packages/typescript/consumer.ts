// A consumer of @wa-stats/bindings as npm installs it from the packed tarball: it must compile
// under `tsc --strict` reading every counter and reason as a plain `number`, and decode what the
// live mock answers. Run by tests/external/run.sh in a fresh project outside the checkout.

import { VERSION, classifyError, readStatistics, type CampaignStatistics } from "@wa-stats/bindings";

const need = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`set ${name} (tests/external/run.sh does)`);
  return value;
};

const base = need("WA_STATS_MOCK_URL");
const headers = { "content-type": "application/json", authorization: `Bearer ${need("WA_STATS_TOKEN")}` };

async function post(campaignId: number): Promise<{ status: number; text: string }> {
  const answer = await fetch(`${base}/api/wa/v2/statistics/campaign`, {
    method: "POST",
    headers,
    body: JSON.stringify({ campaign_id: campaignId }),
  });
  return { status: answer.status, text: await answer.text() };
}

const found = await post(12345);
if (found.status !== 200) throw new Error(`campaign 12345: HTTP ${found.status} ${found.text}`);
const stats: CampaignStatistics = readStatistics(found.text);
const sent: number = stats.sent;
const capped: number = stats.dropDetails.frequencyCapped;
const media: number = stats.undeliveredDetails.mediaErrors;
console.log(`@wa-stats/bindings ${VERSION}, campaign 12345: sent=${sent} delivered=${stats.delivered} frequencyCapped=${capped} mediaErrors=${media}`);

// The tolerant reading fills a breakdown the body left out.
const sparse = readStatistics('{"data":{"statistics":{"sent":3,"read":1}}}');
const zero: number = sparse.dropDetails.duplicates;
console.log(`envelope read as: sent=${sparse.sent} open=${sparse.open} dropDetails.duplicates=${zero}`);

const missing = await post(99999);
const error = classifyError(missing.status, missing.text);
if (error.kind !== "campaign_not_found") throw new Error(`campaign 99999: expected campaign_not_found, got ${error.kind}`);
console.log(`campaign 99999: HTTP ${error.status} ${error.kind} (code ${error.code ?? "none"})`);
