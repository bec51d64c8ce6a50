//! The request builder for one campaign: [`CampaignStatisticsCall`].

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use wa_stats_model::{CampaignStatistics, CampaignStatisticsRequest};

use crate::client::Client;
use crate::error::Error;
use crate::time_range::TimeRange;

/// One statistics call being put together; made by [`Client::campaign_statistics`]. Send it
/// with [`send`](Self::send) or by awaiting it directly.
///
/// ```no_run
/// use std::time::{Duration, SystemTime};
/// # async fn demo(client: wa_stats_client::Client) -> Result<(), wa_stats_client::Error> {
/// let now = SystemTime::now();
/// let stats = client
///     .campaign_statistics(12345)
///     .range(now - Duration::from_secs(30 * 86_400)..now)
///     .send()
///     .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until it is sent"]
pub struct CampaignStatisticsCall {
    client: Client,
    request: CampaignStatisticsRequest,
}

impl CampaignStatisticsCall {
    pub(crate) fn new(client: Client, campaign_id: i64) -> Self {
        Self {
            client,
            request: CampaignStatisticsRequest::new(campaign_id),
        }
    }

    /// Restricts the statistics to a range, the one way to set one: `a..b` in Unix seconds,
    /// `a..`, `..b`, `..`, the same forms over [`SystemTime`](std::time::SystemTime), or a
    /// [`TimeRange`]. A second call replaces the first whole (`.range(a..).range(..b)` is
    /// `..b`): a range is one value, so there is no order in which parts of it are kept.
    ///
    /// There are no per-bound setters (issue 34: `.start(a).range(..b)` silently dropped `a`):
    ///
    /// ```compile_fail,E0599
    /// let client = wa_stats_client::Client::builder().api_key("k").build().unwrap();
    /// let call = client.campaign_statistics(12345).start(1_700_000_000);
    /// ```
    ///
    /// ```no_run
    /// # async fn demo(client: wa_stats_client::Client) -> Result<(), wa_stats_client::Error> {
    /// let stats = client.campaign_statistics(12345).range(1_700_000_000..1_700_086_400).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn range(mut self, range: impl Into<TimeRange>) -> Self {
        self.request = range
            .into()
            .apply(CampaignStatisticsRequest::new(self.request.campaign_id));
        self
    }

    /// The request body as it would be sent.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().api_key("k").build()?;
    /// let call = client.campaign_statistics(12345).range(1_700_000_000..);
    /// assert_eq!(call.request().to_json(), r#"{"campaign_id":12345,"start_time":1700000000}"#);
    /// # Ok::<(), wa_stats_client::Error>(())
    /// ```
    pub fn request(&self) -> &CampaignStatisticsRequest {
        &self.request
    }

    /// Validates the request (R5; a mistake costs no request and no rate-limit budget), then
    /// sends it, paced and retried as the client is configured.
    ///
    /// ```no_run
    /// # async fn demo(client: wa_stats_client::Client) -> Result<(), wa_stats_client::Error> {
    /// let stats = client.campaign_statistics(12345).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn send(self) -> Result<CampaignStatistics, Error> {
        self.client.inner.execute(self.request).await
    }
}

impl IntoFuture for CampaignStatisticsCall {
    type Output = Result<CampaignStatistics, Error>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    /// Awaiting a call sends it.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
