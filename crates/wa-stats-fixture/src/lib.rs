//! The fixture file format of `wa-stats-mock` (R13): partners with their credentials, campaigns
//! with their days, settings; the built-in data; and the format's JSON Schema.
//!
//! These types hold no server: the mock serves them, the CLI's `--format fixture` writes them, and
//! the xtask exports [`schema`], none of them linking an HTTP stack to do so. Reading a file with
//! JSON-path errors and checking cross-references as a server would stays in the mock
//! (`wa_stats_mock::ReadFixtures`), which owns those errors.

mod builtin;
mod day;
mod types;

pub use day::{
    CardDayFixture, DayFixture, DropFixture, UndeliveredFixture, day_counters, is_day_counter,
};
pub use types::{
    CampaignFixture, CampaignKind, CardFixture, Fixtures, OAuthClientFixture, PartnerFixture,
    SettingsFixture,
};

impl Fixtures {
    /// The built-in data of R13: partners `demo`, `other` and `inactive`, campaigns 12345,
    /// 12346, 22222 and 33333, each spread over 60 days of 2024.
    pub fn builtin() -> Self {
        builtin::fixtures()
    }
}

/// JSON Schema (draft 2020-12) of the fixture file format.
pub fn schema() -> schemars::Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .into_generator()
        .into_root_schema_for::<Fixtures>()
}
