// The TypeScript binding, used as a consumer would: every documented body decodes into the
// generated types and encodes back equal, the refused bodies are refused, the tolerant reading
// and the error classification agree with the Rust model, and a live wa-stats-mock's answers
// decode. Bodies and the Rust model's readings come from ../examples.json (`cargo xtask bindings`).
// The live tests need WA_STATS_MOCK_URL and WA_STATS_STRICT_MOCK_URL (set by
// tests/external/run.sh); without them they fail, saying so.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  type ApiError,
  type CampaignStatistics,
  type CampaignStatisticsEnvelope,
  checkRequest,
  classifyError,
  DecodeError,
  readStatistics,
  VERSION,
} from "../src/index.js";

interface Case {
  name: string;
  type: string;
  body: unknown;
  status?: number;
  kind?: string;
  code?: string | null;
  message?: string | null;
}
interface Refused {
  what: string;
  type: string;
  status: number;
  body: unknown;
}
interface Tolerant {
  name: string;
  body: unknown;
  readsAs: unknown;
}
interface Live {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
  type: string;
  kind: string;
}
interface Examples {
  documented: Case[];
  refused: Refused[];
  tolerant: Tolerant[];
  live: Live[];
  liveRateLimited: Live;
}

const here = new URL(".", import.meta.url);
// Compiled to dist/test/, so the package root is two levels up.
const packageRoot = new URL("../../", here);
const examples = JSON.parse(readFileSync(new URL("../examples.json", packageRoot), "utf8")) as Examples;

/** The generated type a case names, decoded the way a consumer of this package decodes it. */
function decode(type: string, text: string, status = 200): unknown {
  switch (type) {
    case "CampaignStatistics":
      return readStatistics(text);
    case "CampaignStatisticsRequest":
      return checkRequest(JSON.parse(text));
    case "CampaignStatisticsEnvelope": {
      // The enveloped form as it came; readStatistics checks it and gives the canonical form.
      readStatistics(text);
      return JSON.parse(text) as CampaignStatisticsEnvelope;
    }
    default: {
      const error = classifyError(status, text);
      if (error.body === undefined) throw new DecodeError("$", `not a ${type}`);
      return error.body;
    }
  }
}

/** Which generated type an error's `body` is, by its kind. */
function bodyType(error: ApiError): string {
  if (error.body === undefined) return "none";
  switch (error.kind) {
    case "not_a_whatsapp_campaign":
      return "FieldErrorsBody";
    case "rate_limited":
      return "RateLimitedBody";
    case "unauthorized":
    case "other":
      return "MessageBody";
    default:
      return "CodedErrorBody";
  }
}

for (const documented of examples.documented) {
  test(`documented ${documented.name} round-trips`, () => {
    const text = JSON.stringify(documented.body);
    assert.deepEqual(JSON.parse(JSON.stringify(decode(documented.type, text, documented.status))), documented.body);
  });
  if (documented.status !== undefined) {
    test(`documented ${documented.name} classifies as the Rust model does`, () => {
      const error = classifyError(documented.status ?? 0, JSON.stringify(documented.body));
      assert.equal(error.kind, documented.kind);
      assert.equal(error.code ?? null, documented.code ?? null);
      assert.equal(error.message ?? null, documented.message ?? null);
      assert.equal(bodyType(error), documented.type);
    });
  }
}

for (const refused of examples.refused) {
  test(`refuses ${refused.what}`, () => {
    assert.throws(() => decode(refused.type, JSON.stringify(refused.body), refused.status), DecodeError);
  });
}

for (const tolerant of examples.tolerant) {
  test(`tolerant reading of ${tolerant.name} agrees with the Rust model`, () => {
    assert.deepEqual(JSON.parse(JSON.stringify(readStatistics(JSON.stringify(tolerant.body)))), tolerant.readsAs);
  });
}

test("unknown fields are kept at every level", () => {
  const sample = examples.documented.find((c) => c.name === "conversational")?.body as Record<string, unknown>;
  const body = { ...sample, future: { x: [1] }, dropDetails: { ...(sample["dropDetails"] as object), newReason: 1 } };
  assert.deepEqual(JSON.parse(JSON.stringify(readStatistics(body))), body);
});

test("a null counter is refused, a null or absent breakdown reads as zeros", () => {
  const sample = examples.documented.find((c) => c.name === "sample")?.body as CampaignStatistics;
  assert.throws(() => readStatistics({ ...sample, sent: null }), DecodeError);
  assert.equal(readStatistics({ ...sample, dropDetails: null }).dropDetails.frequencyCapped, 0);
  const { undeliveredDetails: _left, ...withoutBreakdown } = sample;
  assert.equal(readStatistics(withoutBreakdown).undeliveredDetails.mediaErrors, 0);
});

test("a proxy's HTML page is an error of kind other with its text kept", () => {
  const error = classifyError(502, "<html>Bad Gateway</html>");
  assert.deepEqual(error, { kind: "other", status: 502, raw: "<html>Bad Gateway</html>" });
});

test("the package version is the crates' version", () => {
  const manifest = JSON.parse(readFileSync(new URL("package.json", packageRoot), "utf8")) as { version: string };
  assert.equal(manifest.version, VERSION);
});

function mockUrl(variable: string): string {
  const url = process.env[variable];
  if (!url) {
    assert.fail(
      `${variable} is not set: run \`bash tests/external/run.sh\` (it starts the mocks), or start ` +
        "target/debug/wa-stats-mock --listen 127.0.0.1:0 and set it to the printed URL",
    );
  }
  return url;
}

async function fetchCase(base: string, live: Live): Promise<[number, string]> {
  const init: RequestInit = { method: live.method, headers: { "content-type": "application/json", ...live.headers } };
  if (live.method === "POST") init.body = live.body;
  const answer = await fetch(base + live.path, init);
  return [answer.status, await answer.text()];
}

function checkLive(live: Live, status: number, text: string): void {
  assert.equal(status, live.status, text);
  if (status === 200) {
    const statistics: CampaignStatistics = readStatistics(text);
    assert.deepEqual(JSON.parse(JSON.stringify(statistics)), JSON.parse(text));
  } else {
    const error = classifyError(status, text);
    assert.equal(error.kind, live.kind, text);
    assert.equal(bodyType(error), live.type, text);
    assert.deepEqual(error.body, JSON.parse(text));
  }
}

for (const live of examples.live) {
  test(`live mock: ${live.name} decodes`, async () => {
    const [status, text] = await fetchCase(mockUrl("WA_STATS_MOCK_URL"), live);
    checkLive(live, status, text);
  });
}

test("live mock: over the rate limit decodes", async () => {
  const live = examples.liveRateLimited;
  const base = mockUrl("WA_STATS_STRICT_MOCK_URL");
  let answer: [number, string] = [0, ""];
  for (let attempt = 0; attempt < 20 && answer[0] !== 429; attempt += 1) answer = await fetchCase(base, live);
  checkLive(live, ...answer);
});
