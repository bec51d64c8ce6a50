// A TypeScript team's client of our openapi.json, as they would write it: openapi-typescript made
// `schema.d.ts` from the committed document, openapi-fetch sends the requests. It must compile
// under `tsc --strict` reading every counter and reason as a plain `number` (no null check) and
// each error's code as a plain `string` or `number`, then print what the live mock answers.
// Run by tests/external/run.sh in a fresh project outside the checkout.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Statistics = components["schemas"]["CampaignStatistics"];

const need = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`set ${name} (tests/external/run.sh does)`);
  return value;
};

const token = need("WA_STATS_TOKEN");
const apiKey = need("WA_STATS_API_KEY");

// What a consumer reads off a 200 body: plain numbers, both breakdowns always there.
function summary(data: Statistics): string {
  const sent: number = data.sent;
  const capped: number = data.dropDetails.frequencyCapped;
  const media: number = data.undeliveredDetails.mediaErrors;
  const cards: number = data.responses?.length ?? 0;
  return `sent=${sent} delivered=${data.delivered} frequencyCapped=${capped} mediaErrors=${media} cards=${cards}`;
}

async function main(): Promise<void> {
  const open = createClient<paths>({ baseUrl: need("WA_STATS_MOCK_URL") });
  const bearer = { Authorization: `Bearer ${token}` };

  const byToken = await open.POST("/api/wa/v2/statistics/campaign", { body: { campaign_id: 12345 }, headers: bearer });
  if (byToken.data === undefined) throw new Error(`bearer route: HTTP ${byToken.response.status}`);
  console.log(`bearer route, campaign 12345: ${summary(byToken.data)}`);

  const byKey = await open.POST("/v1/statistics/campaign", {
    body: { campaign_id: 12346 },
    headers: { "x-ins-auth-key": apiKey },
  });
  if (byKey.data === undefined) throw new Error(`API-key route: HTTP ${byKey.response.status}`);
  console.log(`API-key route, campaign 12346: ${summary(byKey.data)}`);

  const missing = await open.POST("/api/wa/v2/statistics/campaign", { body: { campaign_id: 99999 }, headers: bearer });
  if (missing.response.status !== 400 || missing.error === undefined || !("errorCode" in missing.error)) {
    throw new Error(`unknown campaign: expected a 400 with an errorCode, got HTTP ${missing.response.status}`);
  }
  const errorCode: string = missing.error.errorCode;
  console.log(`unknown campaign: HTTP 400, errorCode ${errorCode}, ${missing.error.message}`);
  if (errorCode !== "3004") throw new Error(`expected errorCode 3004, got ${errorCode}`);

  // A mock limited to 1 request per second answers the second request of a burst with 429.
  const strict = createClient<paths>({ baseUrl: need("WA_STATS_STRICT_MOCK_URL") });
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const answer = await strict.POST("/api/wa/v2/statistics/campaign", { body: { campaign_id: 12345 }, headers: bearer });
    if (answer.response.status === 429 && answer.error !== undefined && "error" in answer.error) {
      const code: number = answer.error.error.code;
      console.log(`over the rate limit: HTTP 429, error.code ${code}, Retry-After ${answer.response.headers.get("retry-after")}`);
      return;
    }
  }
  throw new Error("the strict mock never answered 429");
}

await main();
