//! Many campaigns, one range: bounded concurrency under the client's shared pacer, results in
//! completion order, each with its place in the input when the caller needs the input's order.

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
    /// To put the results back in the order of `ids`, use
    /// [`campaign_statistics_many_indexed`](Self::campaign_statistics_many_indexed), which also
    /// yields each one's position.
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
        self.campaign_statistics_many_indexed(ids, range, concurrency)
            .map(|(_, campaign_id, result)| (campaign_id, result))
    }

    /// Like [`campaign_statistics_many`](Self::campaign_statistics_many), but each item also
    /// says where its campaign was in `ids`: `(index, campaign_id, result)`, with `index`
    /// counting from 0. Items still come in completion order, so a slow campaign holds up
    /// nothing; the index is what lets a caller restore the input's order, or tell apart two
    /// calls for the same ID.
    ///
    /// Every index from 0 to the number of IDs minus one comes exactly once (unless the stream
    /// is dropped early). Printing in input order as soon as possible takes a small buffer for
    /// the results that finish early:
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use futures_util::StreamExt;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), wa_stats_client::Error> {
    /// let server = wa_stats_mock::MockServer::start().await;
    /// let client = wa_stats_client::Client::builder()
    ///     .bearer_token("demo-token")
    ///     .base_url(server.base_url())
    ///     .build()?;
    /// // 33333 is another partner's, so it answers as not found (R7); 12345 is asked for twice.
    /// let ids = [12345, 33333, 12346, 12345];
    /// let mut results = client.campaign_statistics_many_indexed(ids, .., 4);
    /// let (mut early, mut next, mut printed) = (BTreeMap::new(), 0, Vec::new());
    /// while let Some((index, campaign_id, result)) = results.next().await {
    ///     assert_eq!(ids[index], campaign_id);
    ///     early.insert(index, (campaign_id, result));
    ///     while let Some((campaign_id, result)) = early.remove(&next) {
    ///         let outcome = match result {
    ///             Ok(stats) => format!("{} sent", stats.sent),
    ///             Err(error) => error.kind_name().to_owned(),
    ///         };
    ///         printed.push(format!("{campaign_id}: {outcome}"));
    ///         next += 1;
    ///     }
    /// }
    /// assert_eq!(printed[..2], ["12345: 1200 sent", "33333: campaign_not_found"]);
    /// assert!(printed[2].starts_with("12346: "));
    /// assert_eq!(printed[3], "12345: 1200 sent");
    /// # Ok(())
    /// # }
    /// ```
    pub fn campaign_statistics_many_indexed<I>(
        &self,
        ids: I,
        range: impl Into<TimeRange>,
        concurrency: usize,
    ) -> impl Stream<Item = (usize, i64, Result<CampaignStatistics, Error>)> + Send + 'static
    where
        I: IntoIterator<Item = i64>,
        I::IntoIter: Send + 'static,
    {
        let client = self.clone();
        let range = range.into();
        stream::iter(ids)
            .enumerate()
            .map(move |(index, campaign_id)| {
                let call = client.campaign_statistics(campaign_id).range(range);
                async move { (index, campaign_id, call.send().await) }
            })
            .buffer_unordered(concurrency.max(1))
    }
}
