//! The one loopback rule (R15): which hosts never leave the machine, so that plain `http://` and
//! `redis://` to them need no opt-in.

use std::net::IpAddr;

use url::Host;

/// `true` for 127.0.0.0/8, `::1` and `localhost`. An IP address may also come as a name: a
/// `redis://` URL is not "special" to the URL standard, so its addresses are opaque names
/// (`[::1]` keeps its brackets).
pub(crate) fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
        Host::Domain(name) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
    }
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;

    #[test]
    fn loopback_is_the_same_for_every_scheme() {
        for scheme in ["http", "redis"] {
            for (host, loopback) in [
                ("127.0.0.1", true),
                ("127.9.8.7", true),
                ("[::1]", true),
                ("localhost", true),
                ("LOCALHOST", true),
                ("10.0.0.1", false),
                ("[::2]", false),
                ("example.com", false),
                ("localhost.example.com", false),
            ] {
                let url = Url::parse(&format!("{scheme}://{host}:1/")).unwrap();
                let parsed = url.host().unwrap();
                assert_eq!(is_loopback(&parsed), loopback, "{url}");
            }
        }
    }
}
