//! `keys create|list|revoke`: access keys in `<data-dir>/keys.json`. Works
//! while the server runs: it picks up changes on the next request.

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
}

fn store(config: &Config) -> anyhow::Result<KeyStore> {
    let dir = DataDir::new(&config.data_dir);
    dir.create()?;
    KeyStore::open(dir.keys()).context("opening the key store")
}

pub fn run(config: &Config, cmd: KeysCommand) -> anyhow::Result<()> {
    let keys = store(config)?;
    let now = chrono::Utc::now();
    match cmd {
        KeysCommand::Create {
            role,
            customer,
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
            let c = keys.create(role, now)?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "access_key": c.access_key.as_str(),
                        "secret_key": c.secret_key.expose(),
                        "token": c.token.expose(),
                        "role": c.role.to_string(),
                    })
                );
            } else {
                println!("access key  {}", c.access_key.as_str());
                println!("secret key  {}", c.secret_key.expose());
                println!("token       {}", c.token.expose());
                println!("role        {}", c.role);
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
                        })
                    })
                    .collect();
                println!("{}", serde_json::Value::Array(rows));
            } else {
                println!(
                    "{:<22} {:<42} {:<27} revoked",
                    "access key", "role", "created"
                );
                for k in list {
                    println!(
                        "{:<22} {:<42} {:<27} {}",
                        k.access_key.as_str(),
                        k.role.to_string(),
                        k.created_at.to_rfc3339(),
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
    }
    Ok(())
}
