//! `keys create|list|revoke`: access keys in `<data-dir>/keys.json`. Works
//! while the server runs: it picks up changes on the next request.
//! `keys log-key|rotate-log-key`: the key that signs tree heads.

use anyhow::Context as _;
use clap::{Subcommand, ValueEnum};
use ledger_auth::{KeyStore, Role};
use ledger_ops::DataDir;
use ledger_server::Config;

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Reads and acts on its own domain's orders and contracts only.
    Customer,
    /// May also void official contracts and orders, and administer.
    Operator,
    /// An upstream service: sends commands for any customer.
    Service,
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Issue a new AK/SK pair and bearer token (shown once).
    Create {
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The customer's domain id (required for --role customer).
        #[arg(long)]
        customer: Option<String>,
        /// How long the key lives: `<n>d`, `<n>h`, `<n>m` or `<n>s` (at most
        /// 3650 days), or `never`. Default: 90d for customer and operator
        /// keys, never for service keys.
        #[arg(long, value_parser = parse_ttl)]
        ttl: Option<Ttl>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List keys (no secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Revoke a key: its signatures and token stop working at once.
    Revoke { access_key: String },
    /// Show the log key that signs tree heads (`audit head --signed`):
    /// the current public key and every retired one (created if none).
    LogKey {
        #[arg(long)]
        json: bool,
    },
    /// Replace the log key: new heads are signed with a new key; the old
    /// public key is kept in `log-keys-retired`, so heads it signed still
    /// verify (`audit check-proof --public-key OLD`).
    RotateLogKey {
        #[arg(long)]
        json: bool,
    },
}

fn print_log_keys(keys: &[ledger_ops::log_key::LogPublicKey], json: bool) {
    if json {
        let rows: Vec<_> = keys
            .iter()
            .map(|k| {
                serde_json::json!({
                    "key_id": k.key_id,
                    "public_key": hex::encode(k.public_key.as_bytes()),
                    "retired_at": k.retired_at,
                })
            })
            .collect();
        println!("{}", serde_json::Value::Array(rows));
    } else {
        for k in keys {
            let state = match &k.retired_at {
                None => "current".to_owned(),
                Some(at) => format!("retired {at}"),
            };
            println!(
                "{}  {}  {state}",
                k.key_id,
                hex::encode(k.public_key.as_bytes())
            );
        }
    }
}

/// `keys log-key` and `keys rotate-log-key`: the log key in the data
/// directory (the work is in `ledger_ops::log_key`).
fn run_log_key(config: &Config, cmd: &KeysCommand) -> anyhow::Result<bool> {
    let dir = DataDir::new(&config.data_dir);
    match cmd {
        KeysCommand::LogKey { json } => {
            print_log_keys(&dir.log_public_keys()?, *json);
            Ok(true)
        }
        KeysCommand::RotateLogKey { json } => {
            dir.rotate_log_key(chrono::Utc::now())?;
            print_log_keys(&dir.log_public_keys()?, *json);
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// A `--ttl` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ttl {
    Never,
    After(chrono::Duration),
}

/// Parses `90d`, `12h`, `30m`, `45s` or `never`.
pub fn parse_ttl(text: &str) -> Result<Ttl, String> {
    if text == "never" {
        return Ok(Ttl::Never);
    }
    let bad = || format!("{text:?} is not a duration like 90d, 12h, 30m, 45s or never");
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "d" => n.checked_mul(86_400),
        "h" => n.checked_mul(3_600),
        "m" => n.checked_mul(60),
        "s" => Some(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    if seconds <= 0 || seconds > ledger_auth::keys::MAX_TTL_DAYS * 86_400 {
        return Err(format!(
            "{text:?}: a key lives more than 0 seconds and at most {} days",
            ledger_auth::keys::MAX_TTL_DAYS
        ));
    }
    Ok(Ttl::After(chrono::Duration::seconds(seconds)))
}

fn store(config: &Config) -> anyhow::Result<KeyStore> {
    let dir = DataDir::new(&config.data_dir);
    dir.create()?;
    KeyStore::open(dir.keys()).context("opening the key store")
}

pub fn run(config: &Config, cmd: KeysCommand) -> anyhow::Result<()> {
    if run_log_key(config, &cmd)? {
        return Ok(());
    }
    let keys = store(config)?;
    let now = chrono::Utc::now();
    match cmd {
        KeysCommand::Create {
            role,
            customer,
            ttl,
            json,
        } => {
            let role = match (role, customer) {
                (RoleArg::Customer, Some(c)) => Role::Customer {
                    domain_id: c.parse().context("--customer must be a domain id")?,
                },
                (RoleArg::Customer, None) => {
                    anyhow::bail!("--role customer needs --customer <domain_id>")
                }
                (_, Some(_)) => anyhow::bail!("--customer goes only with --role customer"),
                (RoleArg::Operator, None) => Role::Operator,
                (RoleArg::Service, None) => Role::Service,
            };
            let ttl = match ttl {
                None => role.default_ttl(),
                Some(Ttl::Never) => None,
                Some(Ttl::After(d)) => Some(d),
            };
            let c = keys.create_with_ttl(role, now, ttl)?;
            let expires = c
                .expires_at
                .map(|t| t.to_rfc3339())
                .unwrap_or_else(|| "never".into());
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "access_key": c.access_key.as_str(),
                        "secret_key": c.secret_key.expose(),
                        "token": c.token.expose(),
                        "role": c.role.to_string(),
                        "expires_at": c.expires_at.map(|t| t.to_rfc3339()),
                    })
                );
            } else {
                println!("access key  {}", c.access_key.as_str());
                println!("secret key  {}", c.secret_key.expose());
                println!("token       {}", c.token.expose());
                println!("role        {}", c.role);
                println!("expires     {expires}");
                println!();
                println!("The secret key and token are shown only now. Use the token as");
                println!("`authorization: Bearer <token>` (gRPC) or `X-Auth-Token` (REST),");
                println!("or sign REST requests with AK/SK as the Huawei Cloud SDK does.");
            }
        }
        KeysCommand::List { json } => {
            let list = keys.list()?;
            if json {
                let rows: Vec<_> = list
                    .iter()
                    .map(|k| {
                        serde_json::json!({
                            "access_key": k.access_key.as_str(),
                            "role": k.role.to_string(),
                            "created_at": k.created_at.to_rfc3339(),
                            "revoked_at": k.revoked_at.map(|t| t.to_rfc3339()),
                            "expires_at": k.expires_at.map(|t| t.to_rfc3339()),
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(rows));
            } else {
                println!(
                    "{:<22} {:<42} {:<27} {:<27} revoked",
                    "access key", "role", "created", "expires"
                );
                for k in list {
                    println!(
                        "{:<22} {:<42} {:<27} {:<27} {}",
                        k.access_key.as_str(),
                        k.role.to_string(),
                        k.created_at.to_rfc3339(),
                        k.expires_at
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_else(|| "never".into()),
                        k.revoked_at
                            .map(|t| t.to_rfc3339())
                            .unwrap_or_else(|| "-".into())
                    );
                }
            }
        }
        KeysCommand::Revoke { access_key } => {
            keys.revoke(&access_key, now)?;
            println!("revoked {access_key}");
        }
        // Answered by `run_log_key` above.
        KeysCommand::LogKey { .. } | KeysCommand::RotateLogKey { .. } => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_parse_with_units_and_never() {
        assert_eq!(parse_ttl("never"), Ok(Ttl::Never));
        assert_eq!(parse_ttl("90d"), Ok(Ttl::After(chrono::Duration::days(90))));
        assert_eq!(
            parse_ttl("12h"),
            Ok(Ttl::After(chrono::Duration::hours(12)))
        );
        assert_eq!(
            parse_ttl("30m"),
            Ok(Ttl::After(chrono::Duration::minutes(30)))
        );
        assert_eq!(
            parse_ttl("45s"),
            Ok(Ttl::After(chrono::Duration::seconds(45)))
        );
        for bad in [
            "",
            "d",
            "0d",
            "-1d",
            "3651d",
            "90",
            "1w",
            "1.5d",
            "99999999999999999d",
        ] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }
}
