//! One call from validation to result, the whole call path in one `impl Inner`: the attempt loop
//! with pacing, retries, the retry quota, the one token refresh after a 401, the operation
//! deadline and the tracing spans; each attempt's credential (the OAuth token fetched and read);
//! and what of an answer is kept, redacted.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use tokio::time::Instant;
use tracing::Instrument;
use tracing::field::Empty;
use wa_stats_model::request::unix_seconds;
use wa_stats_model::{ApiError, CampaignStatistics, CampaignStatisticsRequest, validate};

use url::Url;
use wa_stats_model::{Secret, TokenResponse};

use crate::client::Inner;
use crate::credentials::{Auth, AuthHeader, bearer_header};
use crate::error::{Error, Setting};
use crate::redact::Redactor;
use crate::retry::{RETRY_COST, TIMEOUT_RETRY_COST, rate_limited_pause};
use crate::token_answer;
use crate::transport::{self, Answer};

/// A failed attempt, with what the loop needs to decide what next.
struct Failure {
    /// Its attempt count is set when the loop gives up.
    error: Error,
    /// The cached OAuth token the attempt used, if any.
    generation: Option<u64>,
}

impl Inner {
    /// Validates, then runs the attempt loop inside a span for the call.
    pub(crate) async fn execute(
        &self,
        request: CampaignStatisticsRequest,
    ) -> Result<CampaignStatistics, Error> {
        // A caller's mistake costs no request and no pacing slot.
        let resolved =
            validate(&request, unix_seconds(SystemTime::now())).map_err(Error::invalid)?;
        let span = tracing::info_span!(
            "wa_stats.campaign_statistics",
            campaign_id = resolved.campaign_id,
            start_time = resolved.start_time,
            end_time = resolved.end_time,
            attempts = Empty,
            outcome = Empty,
        );
        let body = Bytes::from(request.to_json());
        let attempts = AtomicU32::new(0);
        let deadline = self
            .operation_timeout
            .map(|after| (after, Instant::now() + after));
        let run = self.attempt_loop(body, &attempts, deadline.map(|(_, at)| at));
        let result = match deadline {
            None => run.instrument(span.clone()).await,
            // Dropping the loop at the deadline abandons whatever it waits on: a pacing slot, an
            // attempt in flight, a backoff.
            Some((after, at)) => tokio::time::timeout_at(at, run.instrument(span.clone()))
                .await
                .unwrap_or_else(|_| {
                    Err(Error::OperationTimeout {
                        after,
                        attempts: attempts.load(Ordering::Relaxed),
                    })
                }),
        };
        match &result {
            Ok(_) => span.record("outcome", "ok"),
            Err(error) => span.record("outcome", error.kind_name()),
        };
        result
    }

    /// The attempts of one call. `sent` counts the requests that left, for the deadline's error;
    /// a retry whose wait would end past `deadline` is not made.
    async fn attempt_loop(
        &self,
        body: Bytes,
        sent: &AtomicU32,
        deadline: Option<Instant>,
    ) -> Result<CampaignStatistics, Error> {
        let mut attempts = 0u32;
        // Attempts that count against `max_attempts` (the retry after a token refresh does not).
        let mut counted = 0u32;
        let mut refreshed = false;
        let mut spent = 0u32;
        loop {
            attempts += 1;
            let span = tracing::debug_span!(
                "wa_stats.attempt",
                attempt = attempts,
                status = Empty,
                latency_ms = Empty,
                retry_delay_ms = Empty,
            );
            let failure = match self.attempt(&body, sent).instrument(span.clone()).await {
                Ok(statistics) => {
                    tracing::Span::current().record("attempts", attempts);
                    self.retry_quota.release(spent);
                    return Ok(statistics);
                }
                Err(failure) => failure,
            };
            // The one place a failed call's error is made, with its final attempt count.
            let give_up = |error: Error| {
                tracing::Span::current().record("attempts", attempts);
                Err(error.with_attempts(attempts))
            };
            if let (Some(generation), false) = (failure.generation, refreshed)
                && failure.error.is_unauthorized()
            {
                // The token may have expired or been revoked early: get a new one and try once
                // more. A second 401 is final.
                refreshed = true;
                tracing::debug!(parent: &span, "401 with a cached token; refreshing it once");
                self.invalidate_token(generation).await;
                continue;
            }
            counted += 1;
            if !failure.error.is_retryable() || counted >= self.max_attempts {
                return give_up(failure.error);
            }
            let retry_after = failure.error.retry_after();
            let rate_limited = failure.error.is_rate_limited();
            if rate_limited {
                // The server's window is full for everyone using this credential, whether or not
                // this call goes on.
                if let Some(budget) = &self.rate_budget {
                    budget.hold_until(Instant::now() + rate_limited_pause(retry_after));
                }
            }
            let delay = self.backoff.delay(counted, retry_after, rate_limited);
            if let (Some(deadline), Some(after)) = (deadline, self.operation_timeout)
                && Instant::now() + delay >= deadline
            {
                // Waiting would only run into the deadline; end the call now, spending no quota.
                tracing::Span::current().record("attempts", attempts);
                tracing::debug!(parent: &span, error = %failure.error.report(), "no time left to retry");
                return Err(Error::OperationTimeout { after, attempts });
            }
            let cost = if failure.error.is_timeout() {
                TIMEOUT_RETRY_COST
            } else {
                RETRY_COST
            };
            if !self.retry_quota.try_acquire(cost) {
                tracing::warn!(parent: &span, "retry quota exhausted; not retrying");
                return give_up(failure.error);
            }
            spent += cost;
            span.record("retry_delay_ms", duration_ms(delay));
            tracing::debug!(
                parent: &span,
                error = %failure.error.report(),
                retry_delay_ms = duration_ms(delay),
                "retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt: credential, pacing slot, exchange, interpretation.
    /// One attempt; `sent` counts the requests that actually left, so a deadline that ends a
    /// call still waiting for its pacing slot reports that nothing was sent.
    async fn attempt(&self, body: &Bytes, sent: &AtomicU32) -> Result<CampaignStatistics, Failure> {
        let auth = self.auth_header().await.map_err(|error| Failure {
            error,
            generation: None,
        })?;
        if let Some(budget) = &self.rate_budget {
            budget.admit().await.map_err(|error| Failure {
                error,
                generation: None,
            })?;
        }
        // Marks the instant the request leaves, for anyone checking pacing from the outside.
        tracing::trace!(name: "wa_stats.send", "sending");
        sent.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let answer = transport::post_json(
            &self.http,
            &self.statistics_url,
            Some(&auth),
            body.clone(),
            self.limits,
        )
        .await;
        let span = tracing::Span::current();
        span.record("latency_ms", duration_ms(started.elapsed()));
        let failure = |error| Failure {
            error,
            generation: auth.generation,
        };
        let answer = answer.map_err(failure)?;
        self.latency.observe(started.elapsed());
        span.record("status", answer.status);
        self.interpret(answer, &auth).map_err(failure)
    }

    /// What an answer to a request sent with `auth` comes to. Whatever of the answer an error
    /// keeps has the request's credentials taken out: a server may quote them back.
    fn interpret(&self, answer: Answer, auth: &AuthHeader) -> Result<CampaignStatistics, Error> {
        let Answer {
            status,
            headers,
            body,
        } = answer;
        let redactor = self.redactor(Some(auth));
        match status {
            200 => CampaignStatistics::from_json(&body).map_err(|source| Error::UndecodableBody {
                status,
                source: redactor.error(source.into()),
                raw: redactor.body(body),
            }),
            400..=599 => Err(Error::Api {
                error: Box::new(ApiError::classify(status, &redactor.body(body))),
                retry_after: self.backoff.retry_after(&headers),
                attempts: 1,
            }),
            _ => Err(Error::UnexpectedStatus {
                status,
                raw: redactor.body(body),
            }),
        }
    }

    // The credential of each attempt, and what of an answer must not be kept.

    /// The credentials an answer may quote back: the client's own (API key, bearer token, client
    /// secret) and, for an answer to a request sent with `auth`, the header sent (the current
    /// access token).
    pub(crate) fn redactor<'a>(&'a self, auth: Option<&'a AuthHeader>) -> Redactor<'a> {
        let mut secrets = Vec::new();
        match &self.auth {
            Auth::Static { header, bearer } => {
                secrets.extend(header.value.to_str().ok());
                secrets.extend(bearer.as_ref().map(Secret::expose));
            }
            Auth::ClientCredentials(oauth) => secrets.push(oauth.request.client_secret.expose()),
        }
        if let Some(sent) = auth.and_then(|auth| auth.value.to_str().ok()) {
            // The whole header first, then the token alone.
            secrets.push(sent);
            secrets.extend(sent.strip_prefix("Bearer "));
        }
        Redactor::new(secrets)
    }

    /// The credential header for the next attempt.
    pub(crate) async fn auth_header(&self) -> Result<AuthHeader, Error> {
        match &self.auth {
            Auth::Static { header, .. } => Ok(header.clone()),
            Auth::ClientCredentials(_) => {
                let (_, value, generation) = self.oauth_token().await?;
                Ok(AuthHeader {
                    name: http::header::AUTHORIZATION,
                    value,
                    generation: Some(generation),
                })
            }
        }
    }

    /// Drops the cached token of `generation` after a 401.
    pub(crate) async fn invalidate_token(&self, generation: u64) {
        if let Auth::ClientCredentials(oauth) = &self.auth {
            oauth.cache.invalidate(generation).await;
        }
    }

    pub(crate) async fn oauth_token(&self) -> Result<(Secret, http::HeaderValue, u64), Error> {
        let Auth::ClientCredentials(oauth) = &self.auth else {
            return Err(Error::bad_setting(
                Setting::Credential,
                "not a client-credentials client",
            ));
        };
        oauth
            .cache
            .get(|| async {
                #[expect(
                    clippy::expect_used,
                    reason = "a struct of two strings always serialises; an empty body would \
                              only hide a bug as a confusing 400 from the token endpoint"
                )]
                let body = Bytes::from(
                    serde_json::to_vec(&oauth.request).expect("a token request serialises"),
                );
                self.fetch_token(&oauth.token_url, body)
                    .await
                    .map_err(Error::token_endpoint)
            })
            .await
    }

    async fn fetch_token(&self, token_url: &Url, body: Bytes) -> Result<TokenResponse, Error> {
        let answer = transport::post_json(&self.http, token_url, None, body, self.limits).await?;
        if answer.status != 200 {
            let retry_after = self.backoff.retry_after(&answer.headers);
            // The token endpoint may quote the request, client secret included.
            let body = self.redactor(None).body(answer.body);
            return Err(Error::Api {
                error: Box::new(ApiError::classify(answer.status, &body)),
                retry_after,
                attempts: 1,
            });
        }
        // The body may hold the token itself, and serde's messages quote values: keep neither.
        let token = token_answer::read(&answer.body).map_err(unusable_token_answer)?;
        // Checked here rather than left to the cache, which would report it as the caller's
        // credential (Setting::Credential) and outside TokenEndpoint.
        if bearer_header(&token.access_token).is_err() {
            return Err(unusable_token_answer(
                "a token response whose access_token cannot go in an HTTP header",
            ));
        }
        Ok(token)
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// A 200 from the token endpoint that gives no usable token. Neither the body nor a decoder's
/// message is kept: either may hold the token.
fn unusable_token_answer(reason: impl Into<String>) -> Error {
    Error::UnusableToken {
        status: 200,
        reason: reason.into(),
    }
}
