"""The mock's built-in data (R13 of the project's API decisions), served when no fixtures are given.

Paths and credential header names are the real API's.
"""

from __future__ import annotations

#: Partner "demo": a static OAuth bearer token, for `v2_url`.
DEMO_TOKEN = "demo-token"
#: Partner "demo": an API key, for `v1_url` (header `x-ins-auth-key`).
DEMO_API_KEY = "INS.demo-key"
#: Partner "demo": an OAuth client for `token_url`.
DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"
#: Partner "other", owner of campaign 33333.
OTHER_TOKEN = "other-token"
OTHER_API_KEY = "INS.other-key"
#: Partner "inactive": its WhatsApp product is not active, so every statistics request gets 403.
INACTIVE_TOKEN = "inactive-token"
INACTIVE_API_KEY = "INS.inactive-key"

#: Demo's campaign whose whole-lifetime statistics are the vendor page's Sample Response.
SAMPLE_CAMPAIGN_ID = 12345
#: Demo's conversational campaign: the sample plus `responses` and `responseSummary`.
CONVERSATIONAL_CAMPAIGN_ID = 12346
#: Demo's campaign that is not a WhatsApp campaign: 422.
NOT_WHATSAPP_CAMPAIGN_ID = 22222
#: Partner "other"'s campaign: demo's credentials get the same 400 `3004` as for a missing one.
OTHER_PARTNER_CAMPAIGN_ID = 33333

V1_PATH = "/v1/statistics/campaign"
V2_PATH = "/api/wa/v2/statistics/campaign"
TOKEN_PATH = "/auth/token"
API_KEY_HEADER = "x-ins-auth-key"
