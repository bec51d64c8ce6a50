//! The request builder for one campaign: [`CampaignStatisticsCall`].

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::SystemTime;

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
///     .start_at(now - Duration::from_secs(30 * 86_400))
///     .end_at(now)
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

    /// Restricts the statistics to a range: `a..b` in Unix seconds, `a..`, `..b`, `..`, or a
    /// `Range<SystemTime>`.
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

    /// Sets the inclusive start, in Unix seconds (10 digits; milliseconds are refused with a
    /// hint).
    ///
    /// ```no_run
    /// # async fn demo(client: wa_stats_client::Client) -> Result<(), wa_stats_client::Error> {
    /// let since = client.campaign_statistics(12345).start(1_700_000_000).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn start(mut self, unix_seconds: i64) -> Self {
        self.request = self.request.start_time(unix_seconds);
        self
    }

    /// Sets the exclusive end, in Unix seconds.
    ///
    /// ```no_run
    /// # async fn demo(client: wa_stats_client::Client) -> Result<(), wa_stats_client::Error> {
    /// let until = client.campaign_statistics(12345).end(1_700_000_000).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn end(mut self, unix_seconds: i64) -> Self {
        self.request = self.request.end_time(unix_seconds);
        self
    }

    /// Sets the inclusive start from a [`SystemTime`] (whole seconds).
    ///
    /// ```no_run
    /// # async fn demo(client: wa_stats_client::Client) -> Result<(), wa_stats_client::Error> {
    /// let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    /// let stats = client.campaign_statistics(12345).start_at(day_ago).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn start_at(mut self, time: SystemTime) -> Self {
        self.request = self.request.start_at(time);
        self
    }

    /// Sets the exclusive end from a [`SystemTime`] (whole seconds).
    ///
    /// ```no_run
    /// # async fn demo(client: wa_stats_client::Client) -> Result<(), wa_stats_client::Error> {
    /// let stats = client.campaign_statistics(12345).end_at(std::time::SystemTime::now()).send().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn end_at(mut self, time: SystemTime) -> Self {
        self.request = self.request.end_at(time);
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
