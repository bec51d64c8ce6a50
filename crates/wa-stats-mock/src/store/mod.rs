//! What the mock knows, compiled from fixtures: partners, credentials, OAuth clients and
//! campaigns. Credentials and partners never change after start; campaigns can be upserted.

mod campaign;
mod dates;
mod table;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub(crate) use campaign::{BASE_COLUMNS, Campaign, MAX_CAMPAIGN_ID, REVENUE_CENTS, column_of};
pub(crate) use table::PrefixTable;
use wa_stats_model::Secret;

use crate::error::FixtureIssue;
use crate::fixtures::{CampaignFixture, Fixtures};
use crate::secret_map::SecretMap;

/// A partner's index in [`Directory::partners`].
pub(crate) type PartnerId = u32;

/// A partner as the checks of R3 see it.
#[derive(Debug, Clone)]
pub(crate) struct Partner {
    pub(crate) name: String,
    pub(crate) whatsapp_active: bool,
}

/// Who a credential acts for, and which rate-limit budget it spends (R9).
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    pub(crate) partner: PartnerId,
    pub(crate) limit_key: Arc<str>,
}

/// An OAuth client of the token endpoint (R14).
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) partner: PartnerId,
    pub(crate) secret: Secret,
    pub(crate) token_ttl: Option<Duration>,
    pub(crate) limit_key: Arc<str>,
}

/// Partners and credentials: fixed for the server's life.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    pub(crate) partners: Vec<Partner>,
    /// Keyed by the secret, looked up in constant time per candidate.
    pub(crate) tokens: SecretMap<Identity>,
    /// Keyed by the secret, looked up in constant time per candidate.
    pub(crate) api_keys: SecretMap<Identity>,
    pub(crate) clients: BTreeMap<String, Client>,
}

impl Directory {
    /// The partner's index by name.
    pub(crate) fn partner_id(&self, name: &str) -> Option<PartnerId> {
        let index = self.partners.iter().position(|p| p.name == name)?;
        PartnerId::try_from(index).ok()
    }

    /// Whether the partner's WhatsApp product is active; unknown partners are not.
    pub(crate) fn is_active(&self, partner: PartnerId) -> bool {
        usize::try_from(partner)
            .ok()
            .and_then(|i| self.partners.get(i))
            .is_some_and(|p| p.whatsapp_active)
    }

    /// Compiles the directory part of fixtures, checking names and credentials are unique.
    pub(crate) fn compile(fixtures: &Fixtures) -> Result<Self, FixtureIssue> {
        let mut directory = Self::default();
        let mut secrets_seen: BTreeMap<String, String> = BTreeMap::new();
        for (i, partner) in fixtures.partners.iter().enumerate() {
            let path = format!("partners[{i}]");
            if partner.name.is_empty() {
                return Err(FixtureIssue::new(
                    format!("{path}.name"),
                    "must not be empty",
                ));
            }
            if directory.partner_id(&partner.name).is_some() {
                return Err(FixtureIssue::new(
                    format!("{path}.name"),
                    format!("duplicate partner {:?}", partner.name),
                ));
            }
            let id = PartnerId::try_from(i)
                .map_err(|_| FixtureIssue::new(&path, "too many partners"))?;
            directory.partners.push(Partner {
                name: partner.name.clone(),
                whatsapp_active: partner.whatsapp_active,
            });
            let mut credential = |value: &Secret, what: String| -> Result<(), FixtureIssue> {
                if value.is_empty() {
                    return Err(FixtureIssue::new(what, "a credential must not be empty"));
                }
                // The earlier place is named, never the value: it is a secret.
                if let Some(first) = secrets_seen.insert(value.expose().to_owned(), what.clone()) {
                    return Err(FixtureIssue::new(
                        what,
                        format!("the same credential is already declared at {first}"),
                    ));
                }
                Ok(())
            };
            for (j, token) in partner.tokens.iter().enumerate() {
                credential(token, format!("{path}.tokens[{j}]"))?;
                let identity = Identity {
                    partner: id,
                    limit_key: format!("token:{}", token.expose()).into(),
                };
                directory.tokens.insert(token.expose(), identity);
            }
            for (j, key) in partner.api_keys.iter().enumerate() {
                credential(key, format!("{path}.apiKeys[{j}]"))?;
                let identity = Identity {
                    partner: id,
                    limit_key: format!("key:{}", key.expose()).into(),
                };
                directory.api_keys.insert(key.expose(), identity);
            }
            for (j, client) in partner.oauth_clients.iter().enumerate() {
                let client_path = format!("{path}.oauthClients[{j}]");
                if client.id.is_empty() {
                    return Err(FixtureIssue::new(
                        format!("{client_path}.id"),
                        "must not be empty",
                    ));
                }
                if directory.clients.contains_key(&client.id) {
                    return Err(FixtureIssue::new(
                        format!("{client_path}.id"),
                        format!("duplicate OAuth client {:?}", client.id),
                    ));
                }
                let token_ttl = client
                    .token_ttl_secs
                    .map(crate::state::token_ttl_secs)
                    .transpose()
                    .map_err(|message| {
                        FixtureIssue::new(format!("{client_path}.tokenTtlSecs"), message)
                    })?;
                directory.clients.insert(
                    client.id.clone(),
                    Client {
                        partner: id,
                        secret: client.secret.clone(),
                        token_ttl,
                        limit_key: format!("client:{}", client.id).into(),
                    },
                );
            }
        }
        Ok(directory)
    }
}

/// The campaigns, by ID.
#[derive(Debug, Default, Clone)]
pub(crate) struct Campaigns {
    pub(crate) by_id: BTreeMap<u64, Campaign>,
}

impl Campaigns {
    /// Compiles every campaign of `fixtures`, checking owners exist and IDs are unique.
    pub(crate) fn compile(
        fixtures: &Fixtures,
        directory: &Directory,
    ) -> Result<Self, FixtureIssue> {
        let mut campaigns = Self::default();
        for (i, fixture) in fixtures.campaigns.iter().enumerate() {
            let path = format!("campaigns[{i}]");
            if campaigns.by_id.contains_key(&fixture.id) {
                return Err(FixtureIssue::new(
                    format!("{path}.id"),
                    format!("duplicate campaign ID {}", fixture.id),
                ));
            }
            let campaign = compile_campaign(fixture, directory, &path)?;
            campaigns.by_id.insert(fixture.id, campaign);
        }
        Ok(campaigns)
    }

    /// Heap bytes of all day tables (a lower bound on the data's memory).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.by_id.values().map(Campaign::heap_bytes).sum()
    }
}

/// Compiles one campaign, resolving its owner.
pub(crate) fn compile_campaign(
    fixture: &CampaignFixture,
    directory: &Directory,
    path: &str,
) -> Result<Campaign, FixtureIssue> {
    let owner = directory.partner_id(&fixture.owner).ok_or_else(|| {
        FixtureIssue::new(
            format!("{path}.owner"),
            format!(
                "unknown partner {:?} (declare it in partners)",
                fixture.owner
            ),
        )
    })?;
    Campaign::compile(fixture, owner, path)
}
