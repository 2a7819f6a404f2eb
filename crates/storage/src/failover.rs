//! A primary and its replicas behind one URL, as libpq writes it:
//! `postgres://user@primary:5432,replica:5433/passage?target_session_attrs=read-write`.
//! sqlx connects to one host, so Passage does libpq's part itself: it takes
//! the first host that accepts writes (`pg_is_in_recovery()` false) and, while
//! serving, checks every second that it still does. When the primary goes
//! away and a replica is promoted, the pool's next connections go to the new
//! primary; requests in between get the usual 503 with `Retry-After`.

use sqlx::any::AnyConnectOptions;
use sqlx::AnyPool;
use sqlx::{AnyConnection, Connection};
use std::str::FromStr;
use std::time::Duration;

/// The single-host URLs of a multi-host one, in order; a single-host URL as
/// it is. `target_session_attrs` is libpq's and is what this module does, so
/// it is not passed on.
pub fn split_hosts(url: &str) -> Vec<String> {
    let Some((scheme, rest)) = url.split_once("://") else { return vec![url.to_string()] };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let (user, hosts) = match authority.rsplit_once('@') {
        Some((u, h)) => (format!("{u}@"), h),
        None => (String::new(), authority),
    };
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let query: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("target_session_attrs=")).collect();
    let query = if query.is_empty() { String::new() } else { format!("?{}", query.join("&")) };
    hosts.split(',').filter(|h| !h.is_empty()).map(|h| format!("{scheme}://{user}{h}{path}{query}")).collect()
}

/// Whether this host accepts writes now, asked over a connection of its own.
async fn writable(url: &str) -> bool {
    let attempt = async {
        let mut c = AnyConnection::connect(url).await.ok()?;
        let in_recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()").fetch_one(&mut c).await.ok()?;
        let _ = c.close().await;
        Some(!in_recovery)
    };
    matches!(tokio::time::timeout(Duration::from_secs(2), attempt).await, Ok(Some(true)))
}

/// The first host that accepts writes; the first host when none answers (the
/// pool then reports the database unavailable, as for a single host).
pub async fn primary(urls: &[String]) -> usize {
    for (i, u) in urls.iter().enumerate() {
        if writable(u).await {
            return i;
        }
    }
    0
}

/// Keep `pool` on the host that accepts writes. Runs for the life of the pool.
pub fn follow(pool: AnyPool, urls: Vec<String>, mut current: usize) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            // Through the pool: a connection it already holds, not a new one every second.
            let check = sqlx::query_scalar::<_, bool>("SELECT pg_is_in_recovery()").fetch_one(&pool);
            if matches!(tokio::time::timeout(Duration::from_secs(2), check).await, Ok(Ok(false))) {
                continue;
            }
            for (i, u) in urls.iter().enumerate() {
                if i != current && writable(u).await {
                    match AnyConnectOptions::from_str(u) {
                        Ok(opts) => {
                            // Idle connections to the old host fail their check before use and are replaced.
                            pool.set_connect_options(opts);
                            tracing::warn!(host = i, "the database primary moved; following it");
                            current = i;
                        }
                        Err(e) => tracing::error!(error = %e, "a host of the database URL does not parse"),
                    }
                    break;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_host_url_is_one_url_per_host() {
        assert_eq!(
            split_hosts("postgres://passage:pw@10.0.0.1:5432,10.0.0.2:5433/passage?target_session_attrs=read-write&sslmode=disable"),
            ["postgres://passage:pw@10.0.0.1:5432/passage?sslmode=disable", "postgres://passage:pw@10.0.0.2:5433/passage?sslmode=disable"]
        );
        assert_eq!(split_hosts("postgres://a@h/db"), ["postgres://a@h/db"]);
        assert_eq!(split_hosts("postgresql://h1,h2/db?target_session_attrs=read-write"), ["postgresql://h1/db", "postgresql://h2/db"]);
    }
}
