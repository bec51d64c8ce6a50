//! The fixture file format of `wa-stats-mock` (R13): partners with their credentials, campaigns
//! with their days, settings; the built-in data; and the format's JSON Schema.
//!
//! These types hold no server: the mock serves them, the CLI's `--format fixture` writes them, and
//! the xtask exports [`schema`], none of them linking an HTTP stack to do so. Reading a file with
//! JSON-path errors and checking cross-references as a server would stays in the mock
//! (`wa_stats_mock::fixtures::from_file`, `from_json`, `check`), which owns those errors.
//!
//! # Public API, and why each part is public
//!
//! Listed item by item in `xtask/public-api/wa-stats-fixture.txt` (checked in CI).
//!
//! - [`Fixtures`] and its parts [`PartnerFixture`], [`OAuthClientFixture`], [`CampaignFixture`],
//!   [`CampaignKind`], [`CardFixture`], [`SettingsFixture`]: the file format, built in code by
//!   tests and written by the CLI's `--format fixture`.
//! - [`DayFixture`], [`CardDayFixture`], [`DropFixture`], [`UndeliveredFixture`]: one UTC day's
//!   counters, the unit a fixture is written in.
//! - [`day_counters`], [`is_day_counter`]: which entries of the model's counter table a day
//!   holds, for the mock's store and the CLI's writer to iterate instead of restating.
//! - [`Fixtures::builtin`]: R13's built-in data, served by default and named in docs.
//! - [`schema`]: the format's JSON Schema, committed by the xtask.

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
