//! Reading a success body in either shape the API uses (R10).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::{CampaignStatistics, DropDetails, ResponseCard, ResponseSummary, UndeliveredDetails};

/// The flat shape as it may arrive: `open` and `read` both optional, everything else defaulted.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[derive(Default)]
struct Incoming {
    sent: u64,
    delivered: u64,
    open: Option<u64>,
    read: Option<u64>,
    click: u64,
    conversion: u64,
    revenue: f64,
    drop: u64,
    targeted: u64,
    unsubscribe: u64,
    undelivered: u64,
    delivery_pending: u64,
    drop_details: Option<DropDetails>,
    undelivered_details: Option<UndeliveredDetails>,
    responses: Option<Vec<ResponseCard>>,
    response_summary: Option<ResponseSummary>,
    #[serde(flatten)]
    extra: BTreeMap<String, Value>,
}

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
            sent: incoming.sent,
            delivered: incoming.delivered,
            open,
            click: incoming.click,
            conversion: incoming.conversion,
            revenue: incoming.revenue,
            drop: incoming.drop,
            targeted: incoming.targeted,
            unsubscribe: incoming.unsubscribe,
            undelivered: incoming.undelivered,
            delivery_pending: incoming.delivery_pending,
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
            return Ok(outer.into());
        };
        let mut stats: Self = Incoming::deserialize(inner)
            .map_err(serde::de::Error::custom)?
            .into();
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
