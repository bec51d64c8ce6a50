//! Reading a success body in either shape the API uses (R10).
//!
//! A 200 body that holds no counter at all (a proxy's `{"message":"service under maintenance"}`,
//! an envelope whose `statistics` is not an object) is not a statistics answer, and reading it is
//! an error rather than a day of zeros: read as zeros, such a body once made `sync` overwrite
//! good days (R10, issue 31).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{CampaignStatistics, DropDetails, ResponseCard, ResponseSummary, UndeliveredDetails};

/// The flat shape as it may arrive. Every counter is optional so that the reader can tell a body
/// that holds none (not a statistics answer) from one whose counters are zero; an absent counter
/// of a body that holds others reads as 0.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[derive(Default)]
struct Incoming {
    sent: Option<u64>,
    delivered: Option<u64>,
    open: Option<u64>,
    read: Option<u64>,
    click: Option<u64>,
    conversion: Option<u64>,
    revenue: Option<f64>,
    drop: Option<u64>,
    targeted: Option<u64>,
    unsubscribe: Option<u64>,
    undelivered: Option<u64>,
    delivery_pending: Option<u64>,
    drop_details: Option<DropDetails>,
    undelivered_details: Option<UndeliveredDetails>,
    responses: Option<Vec<ResponseCard>>,
    response_summary: Option<ResponseSummary>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

impl Incoming {
    /// Whether the body holds any counter: a top-level one (`read` and `revenue` included) or an
    /// object of counters (`dropDetails`, `undeliveredDetails`, `responseSummary`, `responses`).
    /// Every answer the vendor page shows holds the top-level counters; a conversational
    /// fragment holds at least its cards.
    fn holds_a_counter(&self) -> bool {
        let top = [
            self.sent,
            self.delivered,
            self.open,
            self.read,
            self.click,
            self.conversion,
            self.drop,
            self.targeted,
            self.unsubscribe,
            self.undelivered,
            self.delivery_pending,
        ];
        top.iter().any(Option::is_some)
            || self.revenue.is_some()
            || self.drop_details.is_some()
            || self.undelivered_details.is_some()
            || self.response_summary.is_some()
            || self.responses.is_some()
    }
}

/// Why a 200 body is not a statistics answer, in the words the reader's error carries.
const NO_COUNTER: &str = "not a statistics answer: the body holds no counter (no `sent`, \
                          `delivered`, `targeted`, … at the top level nor in \
                          `data.statistics`)";

/// The envelope is there but its `statistics` is not an object.
const STATISTICS_NOT_AN_OBJECT: &str =
    "not a statistics answer: `data.statistics` is not an object";

impl From<Incoming> for CampaignStatistics {
    fn from(incoming: Incoming) -> Self {
        let mut extra = incoming.extra;
        // `read` is the enveloped name of `open`; if both came, `open` wins and `read` is kept
        // as an unknown field so that nothing the server said is lost.
        let open = match (incoming.open, incoming.read) {
            (Some(open), Some(read)) => {
                extra.insert("read".to_owned(), Value::from(read));
                open
            }
            (open, read) => open.or(read).unwrap_or(0),
        };
        Self {
            sent: incoming.sent.unwrap_or(0),
            delivered: incoming.delivered.unwrap_or(0),
            open,
            click: incoming.click.unwrap_or(0),
            conversion: incoming.conversion.unwrap_or(0),
            revenue: incoming.revenue.unwrap_or(0.0),
            drop: incoming.drop.unwrap_or(0),
            targeted: incoming.targeted.unwrap_or(0),
            unsubscribe: incoming.unsubscribe.unwrap_or(0),
            undelivered: incoming.undelivered.unwrap_or(0),
            delivery_pending: incoming.delivery_pending.unwrap_or(0),
            drop_details: incoming.drop_details,
            undelivered_details: incoming.undelivered_details,
            responses: incoming.responses,
            response_summary: incoming.response_summary,
            extra,
        }
    }
}

impl<'de> Deserialize<'de> for CampaignStatistics {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut outer = Incoming::deserialize(deserializer)?;
        let Some(inner) = take_envelope(&mut outer.extra) else {
            if outer.holds_a_counter() {
                return Ok(outer.into());
            }
            let envelope_without_object = outer
                .extra
                .get("data")
                .and_then(|data| data.get("statistics"))
                .is_some_and(|statistics| !statistics.is_object());
            return Err(serde::de::Error::custom(if envelope_without_object {
                STATISTICS_NOT_AN_OBJECT
            } else {
                NO_COUNTER
            }));
        };
        let inner = Incoming::deserialize(inner).map_err(serde::de::Error::custom)?;
        if !inner.holds_a_counter() {
            return Err(serde::de::Error::custom(NO_COUNTER));
        }
        let mut stats: Self = inner.into();
        // Whatever else stood beside the envelope is kept too.
        stats.extra.append(&mut outer.extra);
        Ok(stats)
    }
}

/// Takes `data.statistics` out of `extra` when it is an object, leaving any other keys of `data`
/// behind.
fn take_envelope(extra: &mut BTreeMap<String, Value>) -> Option<Value> {
    let Some(Value::Object(data)) = extra.get_mut("data") else {
        return None;
    };
    if !data.get("statistics").is_some_and(Value::is_object) {
        return None;
    }
    let statistics = data.remove("statistics");
    if data.is_empty() {
        extra.remove("data");
    }
    statistics
}
