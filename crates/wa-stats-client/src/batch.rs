//! Many campaigns, one range: bounded concurrency under the client's shared pacer, results in
//! completion order.

use futures_util::stream::{self, Stream, StreamExt};
use wa_stats_model::CampaignStatistics;

use crate::client::Client;
use crate::error::Error;
use crate::request::TimeRange;

impl Client {
    /// Fetches statistics for every campaign in `ids` over the same `range`, with at most
    /// `concurrency` calls in flight (at least 1), and yields `(campaign_id, result)` as each
    /// call finishes. Each campaign succeeds or fails on its own (retries included): one failure
    /// loses nothing else, and dropping the stream cancels what is still in flight.
    ///
    /// All calls go through the client's pacer, so the batch runs at the rate limit and no
    /// faster. To reach the limit, `concurrency` must cover the latency: at 100/s and 50 ms per
    /// answer, at least 5 in flight; 16–32 leaves room for slow answers and retries.
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    /// # async fn demo(client: wa_stats_client::Client) {
    /// let mut results = client.campaign_statistics_many([12345, 12346, 22222], .., 16);
    /// while let Some((campaign_id, result)) = results.next().await {
    ///     match result {
    ///         Ok(stats) => println!("{campaign_id}: {} sent", stats.sent),
    ///         Err(error) => eprintln!("{campaign_id}: {error}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn campaign_statistics_many<I>(
        &self,
        ids: I,
        range: impl Into<TimeRange>,
        concurrency: usize,
    ) -> impl Stream<Item = (i64, Result<CampaignStatistics, Error>)> + Send + 'static
    where
        I: IntoIterator<Item = i64>,
        I::IntoIter: Send + 'static,
    {
        let client = self.clone();
        let range = range.into();
        stream::iter(ids)
            .map(move |campaign_id| {
                let call = client.campaign_statistics(campaign_id).range(range);
                async move { (campaign_id, call.send().await) }
            })
            .buffer_unordered(concurrency.max(1))
    }
}
