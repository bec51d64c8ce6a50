//! Many campaigns, one range: bounded concurrency under the client's shared pacer, results in
//! completion order, each with its place in the input when the caller needs the input's order.

use std::task::Poll;

use futures_util::stream::{self, FuturesUnordered, Stream, StreamExt};
use tokio::time::Instant;
use wa_stats_model::CampaignStatistics;

use crate::client::Client;
use crate::error::Error;
use crate::time_range::TimeRange;

mod concurrency;

pub use concurrency::{Concurrency, MAX_AUTO_CONCURRENCY, UNPACED_AUTO_CONCURRENCY};

impl Client {
    /// Fetches statistics for every campaign in `ids` over the same `range`, with
    /// `concurrency` calls in flight, and yields `(campaign_id, result)` as each call finishes.
    /// Each campaign succeeds or fails on its own (retries included): one failure loses nothing
    /// else, and dropping the stream cancels what is still in flight.
    ///
    /// All calls go through the client's pacer, so the batch runs at the rate limit and no
    /// faster. [`Concurrency::Auto`] (pass `Concurrency::default()`) keeps enough calls in flight
    /// to reach it whatever the server's latency; a number (`16`) means exactly that many.
    ///
    /// The batch entry points are two, one primitive under both: this one (one range for every
    /// ID, items `(campaign_id, result)`), and
    /// [`campaign_statistics_many_indexed`](Self::campaign_statistics_many_indexed) (a range per
    /// call, items with their position in the input, for restoring its order).
    /// [`StreamExt`](crate::stream::StreamExt) is re-exported, so no dependency on
    /// `futures-util` is needed.
    ///
    /// ```no_run
    /// use wa_stats_client::Concurrency;
    /// use wa_stats_client::stream::StreamExt;
    /// # async fn demo(client: wa_stats_client::Client) {
    /// let mut results = client.campaign_statistics_many([12345, 12346, 22222], .., Concurrency::Auto);
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
        concurrency: impl Into<Concurrency>,
    ) -> impl Stream<Item = (i64, Result<CampaignStatistics, Error>)> + Send + 'static
    where
        I: IntoIterator<Item = i64>,
        I::IntoIter: Send + 'static,
    {
        let range = range.into();
        self.campaign_statistics_many_indexed(
            ids.into_iter().map(move |id| (id, range)),
            concurrency,
        )
        .map(|(_, campaign_id, result)| (campaign_id, result))
    }

    /// A batch whose calls are known up front, each with a range of its own: `calls` yields
    /// `(campaign_id, range)` pairs, and each item says where its call was among them:
    /// `(index, campaign_id, result)`, `index` counting from 0. Items come in completion order,
    /// so a slow call holds up nothing; the index is what restores the input's order, or tells
    /// two calls for the same ID apart. A day-by-day series is one call per campaign per day,
    /// all under the same pacer and the same [`Concurrency`]. For calls that depend on earlier
    /// answers, run them yourself at [`calls_in_flight`](Self::calls_in_flight).
    ///
    /// Every index from 0 to the number of calls minus one comes exactly once (unless the stream
    /// is dropped early). Printing in input order as soon as possible takes a small buffer for
    /// the results that finish early (and collecting all of them in order is
    /// `collect::<Vec<_>>()` then `sort_by_key` on the index):
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use wa_stats_client::stream::StreamExt;
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
    /// let mut results = client.campaign_statistics_many_indexed(ids.map(|id| (id, ..)), 4);
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
    pub fn campaign_statistics_many_indexed<I, R>(
        &self,
        calls: I,
        concurrency: impl Into<Concurrency>,
    ) -> impl Stream<Item = (usize, i64, Result<CampaignStatistics, Error>)> + Send + 'static
    where
        I: IntoIterator<Item = (i64, R)>,
        I::IntoIter: Send + 'static,
        R: Into<TimeRange>,
    {
        let client = self.clone();
        let concurrency = concurrency.into();
        let mut pending = calls.into_iter().enumerate();
        let mut running = FuturesUnordered::new();
        let mut first_poll = None;
        // `buffer_unordered` with a limit read again before each refill, so that `Auto` follows
        // the latency as answers come in.
        stream::poll_fn(move |context| {
            let inner = &client.inner;
            let waited = first_poll.get_or_insert_with(Instant::now).elapsed();
            let limit = concurrency.limit(client.rate_per_second(), &inner.latency, waited);
            while running.len() < limit {
                let Some((index, (campaign_id, range))) = pending.next() else {
                    break;
                };
                let call = client.campaign_statistics(campaign_id).range(range.into());
                running.push(async move { (index, campaign_id, call.send().await) });
            }
            match running.poll_next_unpin(context) {
                // Empty with nothing pending: the batch is done.
                Poll::Ready(None) => Poll::Ready(None),
                other => other,
            }
        })
    }

    /// How many calls a batch given `concurrency` keeps in flight at this moment: a
    /// [`Concurrency::Fixed`] number as it is, or for [`Concurrency::Auto`] enough to keep the
    /// rate limit busy at the latency this client has observed so far (300 ms before its first
    /// answer). For a caller that runs its own loop of calls, whose next calls depend on the
    /// answers (as `wa-stats sync`'s planner does), and wants a batch's pace without queueing
    /// more calls in the pacer than the latency needs.
    ///
    /// ```
    /// let client = wa_stats_client::Client::builder().bearer_token("t").build().unwrap();
    /// assert_eq!(client.calls_in_flight(wa_stats_client::Concurrency::Fixed(3)), 3);
    /// assert!(client.calls_in_flight(wa_stats_client::Concurrency::Auto) >= 4);
    /// ```
    pub fn calls_in_flight(&self, concurrency: impl Into<Concurrency>) -> usize {
        concurrency.into().limit(
            self.rate_per_second(),
            &self.inner.latency,
            std::time::Duration::ZERO,
        )
    }
}
