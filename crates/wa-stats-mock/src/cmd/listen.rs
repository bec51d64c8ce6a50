//! `--listen`: an IP address and port, or a host name that resolves to loopback (`localhost:0`),
//! as harnesses written for other servers pass it.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};

/// Reads `--listen`. An IP address is taken as it is (any interface). A host name must resolve
/// to loopback addresses only, and the first IPv4 one is used (else the first): a name is a
/// convenience for tests, and binding off loopback should be a deliberate address.
pub(crate) fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let Some((host, port)) = text.rsplit_once(':') else {
        return Err(format!(
            "expected HOST:PORT, such as 127.0.0.1:8080 or localhost:0, got {text:?}"
        ));
    };
    if host.is_empty() || port.parse::<u16>().is_err() {
        return Err(format!(
            "expected HOST:PORT with a port from 0 to 65535, such as localhost:0, got {text:?}"
        ));
    }
    let resolved: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|error| format!("cannot resolve {host:?}: {error}"))?
        .collect();
    choose_loopback(host, &resolved)
}

fn choose_loopback(host: &str, resolved: &[SocketAddr]) -> Result<SocketAddr, String> {
    if resolved.is_empty() {
        return Err(format!("{host:?} resolves to no address"));
    }
    if let Some(other) = resolved.iter().find(|addr| !addr.ip().is_loopback()) {
        return Err(format!(
            "{host:?} resolves to {}, which is not a loopback address; to listen on another \
             interface, give its IP address (such as 0.0.0.0:8080)",
            other.ip()
        ));
    }
    Ok(resolved
        .iter()
        .find(|addr| matches!(addr.ip(), IpAddr::V4(_)))
        .unwrap_or(&resolved[0])
        .to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_taken_as_they_are() {
        assert_eq!(
            parse_listen("127.0.0.1:0"),
            Ok(SocketAddr::from(([127, 0, 0, 1], 0)))
        );
        assert_eq!(
            parse_listen("[::1]:8080"),
            Ok("[::1]:8080".parse().unwrap_or_else(|_| unreachable!()))
        );
    }

    #[test]
    fn localhost_resolves_to_loopback_preferring_ipv4() {
        let addr = parse_listen("localhost:0").unwrap_or_else(|error| panic!("{error}"));
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_eq!(addr.port(), 0);
        let both: Vec<SocketAddr> = vec![
            "[::1]:9".parse().unwrap_or_else(|_| unreachable!()),
            "127.0.0.1:9".parse().unwrap_or_else(|_| unreachable!()),
        ];
        assert_eq!(
            choose_loopback("localhost", &both),
            Ok(SocketAddr::from(([127, 0, 0, 1], 9)))
        );
    }

    #[test]
    fn a_name_off_loopback_or_a_bad_port_is_refused_with_the_fix() {
        let off: Vec<SocketAddr> = vec!["192.0.2.10:80".parse().unwrap_or_else(|_| unreachable!())];
        let error = choose_loopback("build-host", &off).unwrap_err();
        assert!(
            error.contains("not a loopback address") && error.contains("0.0.0.0"),
            "{error}"
        );
        for bad in ["localhost", "localhost:http", "localhost:70000", ":80"] {
            let error = parse_listen(bad).unwrap_err();
            assert!(error.contains("HOST:PORT"), "{bad}: {error}");
        }
    }
}
