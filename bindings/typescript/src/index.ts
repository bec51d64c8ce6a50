// The TypeScript binding: the generated types (types.ts), plus what JSON Schema cannot say, in a
// few lines: the tolerant reading of a success body (R10) and the classification of an error
// answer (R11). Both agree with the Rust model on every documented body (test/bindings.test.ts).

import { ALWAYS_PRESENT, DEFAULTS, KIND_OF_CODE, MAX_UNIX_SECONDS, MIN_UNIX_SECONDS, NESTED } from "./counters.js";
import type { ErrorKind } from "./counters.js";
import type {
  CampaignStatistics,
  CampaignStatisticsRequest,
  CodedErrorBody,
  FieldErrorsBody,
  MessageBody,
  RateLimitedBody,
} from "./types.js";

export * from "./types.js";
export { COUNTERS, ERROR_KINDS, VERSION } from "./counters.js";
export type { Counter, ErrorKind } from "./counters.js";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A body that is not what it claims to be; `path` names the offending field. */
export class DecodeError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.name = "DecodeError";
  }
}

/** Fills the defaults of `typeName` in and checks each known field's type: counters are
 * non-negative integers, `revenue` any number. Unknown fields are kept as they came. */
function withDefaults(typeName: string, value: Json, path: string): Json {
  const defaults = DEFAULTS[typeName] ?? {};
  const filled: Json = { ...defaults, ...value };
  for (const [field, fallback] of Object.entries(defaults)) {
    const item = filled[field];
    const at = `${path}.${field}`;
    if (typeof item !== typeof fallback) throw new DecodeError(at, `expected a ${typeof fallback}`);
    if (typeof item === "number" && field !== "revenue" && !(Number.isSafeInteger(item) && item >= 0)) {
      throw new DecodeError(at, "expected a non-negative integer");
    }
  }
  return filled;
}

function readFlat(value: Json, path: string): Json {
  const flat: Json = { ...value };
  // `read` is the enveloped name of `open`; when both came, `open` wins and `read` stays.
  if ("read" in flat && !("open" in flat)) {
    flat["open"] = flat["read"];
    delete flat["read"];
  }
  for (const [field, typeName] of Object.entries(NESTED)) {
    const nested = flat[field];
    const at = `${path}.${field}`;
    if (nested === null || nested === undefined) {
      // The reason breakdowns are in every canonical body: an absent one reads as zeros.
      if (ALWAYS_PRESENT.includes(field)) flat[field] = withDefaults(typeName, {}, at);
      else delete flat[field];
    } else if (Array.isArray(nested)) {
      flat[field] = nested.map((item: unknown, index) => {
        if (!isObject(item)) throw new DecodeError(`${at}[${index}]`, "expected an object");
        return withDefaults(typeName, item, `${at}[${index}]`);
      });
    } else if (isObject(nested)) {
      flat[field] = withDefaults(typeName, nested, at);
    } else {
      throw new DecodeError(at, "expected an object");
    }
  }
  return withDefaults("CampaignStatistics", flat, path);
}

/** Reads a success body in any form R10 accepts: the flat Sample Response, the
 * `{"data":{"statistics":{...}}}` envelope (`read` for `open`), counters left out (read as 0),
 * a reason breakdown left out or `null` (read as all zeros). Throws `DecodeError` for a negative, fractional or non-number counter. Unknown fields are kept. */
export function readStatistics(body: string | unknown): CampaignStatistics {
  const value: unknown = typeof body === "string" ? JSON.parse(body) : body;
  if (!isObject(value)) throw new DecodeError("$", "a success body is a JSON object");
  const data = value["data"];
  if (isObject(data) && isObject(data["statistics"])) {
    const { statistics, ...rest } = data;
    const { data: _envelope, ...beside } = value;
    const inner = readFlat(statistics as Json, "$.data.statistics");
    return { ...inner, ...beside, ...(Object.keys(rest).length > 0 ? { data: rest } : {}) } as unknown as CampaignStatistics;
  }
  return readFlat(value, "$") as unknown as CampaignStatistics;
}

/** Checks a request body against the rules the canonical schema states (a positive integer
 * `campaign_id`, 10-digit times); throws `DecodeError` otherwise. */
export function checkRequest(value: unknown): CampaignStatisticsRequest {
  if (!isObject(value)) throw new DecodeError("$", "a request body is a JSON object");
  const id = value["campaign_id"];
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 1) {
    throw new DecodeError("$.campaign_id", "expected an integer greater than 0");
  }
  for (const field of ["start_time", "end_time"]) {
    const time = value[field];
    if (time !== undefined && !(typeof time === "number" && Number.isInteger(time) && time >= MIN_UNIX_SECONDS && time <= MAX_UNIX_SECONDS)) {
      throw new DecodeError(`$.${field}`, "expected a 10-digit Unix timestamp in seconds");
    }
  }
  return value as unknown as CampaignStatisticsRequest;
}

/** An error answer, classified; `body` is its documented shape when it had one, `raw` the text
 * as received. */
export type ApiError =
  | { kind: "parse_failed" | "validation_failed" | "campaign_not_found" | "product_not_active"; body?: CodedErrorBody } & ErrorFacts
  | { kind: "not_a_whatsapp_campaign"; body?: FieldErrorsBody } & ErrorFacts
  | { kind: "rate_limited"; body?: RateLimitedBody } & ErrorFacts
  | { kind: "unauthorized" | "other"; body?: MessageBody } & ErrorFacts;

interface ErrorFacts {
  status: number;
  code?: string;
  message?: string;
  raw: string;
}

const text = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));
const isString = (value: unknown): value is string => typeof value === "string";
const isFieldErrors = (value: unknown): value is Record<string, string[]> =>
  isObject(value) && Object.values(value).every((list) => Array.isArray(list) && list.every(isString));

function codedBody(value: Json): CodedErrorBody | undefined {
  const code = value["errorCode"];
  const ok = isString(value["message"]) && (isString(code) || Number.isInteger(code)) &&
    (value["errors"] === undefined || isString(value["errors"]));
  return ok ? (value as unknown as CodedErrorBody) : undefined;
}

function rateLimitedBody(value: Json): RateLimitedBody | undefined {
  const inner = value["error"];
  const ok = isString(value["message"]) && isObject(inner) && isString(inner["message"]) && Number.isInteger(inner["code"]);
  return ok ? (value as unknown as RateLimitedBody) : undefined;
}

/** Classifies an error answer from its status and body, in tiers: the documented shape, else any
 * JSON object (its `message` and code picked out), else the raw text. */
export function classifyError(status: number, raw: string): ApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const value: Json = isObject(parsed) ? parsed : {};
  const errorCode = value["errorCode"];
  const codeText = isString(errorCode) ? errorCode : typeof errorCode === "number" ? String(errorCode) : undefined;
  const inner = value["error"];
  const innerCode = isObject(inner) && inner["code"] !== undefined && inner["code"] !== null ? text(inner["code"]) : undefined;
  const facts: ErrorFacts = { status, raw };
  const code = codeText ?? innerCode;
  if (code !== undefined) facts.code = code;
  if (value["message"] !== undefined && value["message"] !== null) facts.message = text(value["message"]);
  const optional = <T>(body: T | undefined): { body?: T } => (body === undefined ? {} : { body });
  const messageBody = isString(value["message"]) ? (value as unknown as MessageBody) : undefined;
  if (status === 401) return { kind: "unauthorized", ...facts, ...optional(messageBody) };
  if (status === 429) return { kind: "rate_limited", ...facts, ...optional(rateLimitedBody(value)) };
  const kind = codeText === undefined ? undefined : KIND_OF_CODE[codeText];
  if (kind === "parse_failed" || kind === "validation_failed" || kind === "campaign_not_found" || kind === "product_not_active") {
    return { kind, ...facts, ...optional(codedBody(value)) };
  }
  if (status === 422 && codeText === undefined && isFieldErrors(value["errors"])) {
    const body = isString(value["message"]) ? (value as unknown as FieldErrorsBody) : undefined;
    return { kind: "not_a_whatsapp_campaign", ...facts, ...optional(body) };
  }
  return { kind: "other", ...facts, ...optional(messageBody) };
}
