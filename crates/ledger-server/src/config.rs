//! Server settings: defaults, then a TOML file, then environment variables,
//! then command-line flags (each later source wins).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Environment variables read by [`Config::apply_env`].
pub const ENV_DATA_DIR: &str = "ORDER_LEDGER_DATA_DIR";
pub const ENV_GRPC_LISTEN: &str = "ORDER_LEDGER_GRPC_LISTEN";
pub const ENV_HTTP_LISTEN: &str = "ORDER_LEDGER_HTTP_LISTEN";
pub const ENV_PARTY_B: &str = "ORDER_LEDGER_PARTY_B";

/// Largest HTTP request body accepted.
pub const MAX_BODY_BYTES: usize = 1 << 20;
/// Longest a query waits for the read models to reach a position.
pub const MAX_READ_WAIT_MS: u64 = 5_000;
/// Most HTTP or gRPC requests served at once; more wait in the OS backlog.
pub const MAX_CONCURRENT_REQUESTS: usize = 1_024;
/// Longest a request may run before it is answered with a timeout.
pub const REQUEST_TIMEOUT_MS: u64 = 30_000;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The data directory: log, projections and keys.
    pub data_dir: PathBuf,
    /// gRPC listen address (upstream services).
    pub grpc_listen: SocketAddr,
    /// HTTP listen address (REST API, health, metrics).
    pub http_listen: SocketAddr,
    /// Party B of every contract: the provider's legal entity, whose seal
    /// an official contract carries. Customers never type it.
    pub party_b: String,
    /// Opening catches the projections up before the listeners open only
    /// when none lags more than this; beyond, the node serves at once and
    /// `/readyz` answers 503 until they have caught up.
    pub catch_up_before_serving_events: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            data_dir: PathBuf::from("ledger-data"),
            grpc_listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            http_listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            party_b: ledger_domain::contract::DEFAULT_PARTY_B.to_owned(),
            catch_up_before_serving_events: ledger_ops::MAX_CATCH_UP_BEFORE_SERVING,
        }
    }
}

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
    #[error("environment variable {name}: {reason}")]
    Env { name: &'static str, reason: String },
}

impl Config {
    /// Defaults overlaid with the TOML file at `path`.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        toml::from_str(&text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Overlays the `ORDER_LEDGER_*` variables found by `var`.
    pub fn apply_env(
        mut self,
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        if let Some(v) = var(ENV_DATA_DIR) {
            self.data_dir = PathBuf::from(v);
        }
        let addr = |name: &'static str, v: String| {
            v.parse::<SocketAddr>().map_err(|e| ConfigError::Env {
                name,
                reason: e.to_string(),
            })
        };
        if let Some(v) = var(ENV_GRPC_LISTEN) {
            self.grpc_listen = addr(ENV_GRPC_LISTEN, v)?;
        }
        if let Some(v) = var(ENV_HTTP_LISTEN) {
            self.http_listen = addr(ENV_HTTP_LISTEN, v)?;
        }
        if let Some(v) = var(ENV_PARTY_B) {
            if v.trim().is_empty() {
                return Err(ConfigError::Env {
                    name: ENV_PARTY_B,
                    reason: "party b must not be empty".into(),
                });
            }
            self.party_b = v;
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_env_each_override_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.toml");
        std::fs::write(
            &path,
            "data_dir = \"/srv/ledger\"\ngrpc_listen = \"0.0.0.0:6000\"\n",
        )
        .unwrap();
        let from_file = Config::from_file(&path).unwrap();
        assert_eq!(from_file.data_dir, PathBuf::from("/srv/ledger"));
        assert_eq!(from_file.grpc_listen.port(), 6000);
        assert_eq!(from_file.http_listen.port(), 8080);
        let env = from_file
            .apply_env(|k| (k == ENV_GRPC_LISTEN).then(|| "127.0.0.1:7000".to_owned()))
            .unwrap();
        assert_eq!(env.grpc_listen.port(), 7000);
        assert_eq!(env.data_dir, PathBuf::from("/srv/ledger"));
    }

    #[test]
    fn party_b_comes_from_the_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.toml");
        std::fs::write(&path, "party_b = \"Example Cloud Ltd.\"\n").unwrap();
        assert_eq!(
            Config::from_file(&path).unwrap().party_b,
            "Example Cloud Ltd."
        );
        assert_eq!(
            Config::default().party_b,
            ledger_domain::contract::DEFAULT_PARTY_B
        );
        let blank = Config::default().apply_env(|k| (k == ENV_PARTY_B).then(|| " ".into()));
        assert!(matches!(blank, Err(ConfigError::Env { .. })));
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.toml");
        std::fs::write(&path, "grpc_port = 1\n").unwrap();
        assert!(matches!(
            Config::from_file(&path),
            Err(ConfigError::Parse { .. })
        ));
    }

    #[test]
    fn a_bad_address_in_the_environment_is_refused() {
        let r = Config::default().apply_env(|k| (k == ENV_HTTP_LISTEN).then(|| "nope".into()));
        assert!(matches!(r, Err(ConfigError::Env { .. })));
    }
}
