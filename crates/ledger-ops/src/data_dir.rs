//! The data directory's layout and opening it.
//!
//! ```text
//! <data-dir>/log/          the event log (sled engine)
//! <data-dir>/projections/  read models and checkpoints (sled)
//! <data-dir>/keys.json     access keys (mode 0600)
//! <data-dir>/document-key  the contract documents' signing key (mode 0600)
//! <data-dir>/log-key       the tree heads' signing key (mode 0600)
//! <data-dir>/log-keys-retired  public log keys rotated out
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use ledger_app::{Clock, Ledger, LedgerConfig};
use ledger_projections::contracts::ContractsProjection;
use ledger_projections::coupons::CouponsProjection;
use ledger_projections::deadlines::Deadlines;
use ledger_projections::MerkleProjection;
use ledger_projections::{OrdersProjection, Projection, ProjectionError, Projector};
use ledger_store::{DynStore, StoreError};
use ledger_store_sled::SledStore;

/// Most events any projection may lag for opening to serve to catch it up
/// before returning, by default (≈ 2 s at the orders projection's ≈ 27k
/// events/s).
pub const MAX_CATCH_UP_BEFORE_SERVING: u64 = 50_000;

/// Why an operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Codec(#[from] ledger_codec::CodecError),
    #[error(transparent)]
    Query(#[from] ledger_projections::QueryError),
    /// A line of an import file that cannot be read.
    #[error("line {line}: {reason}")]
    Format { line: u64, reason: String },
    /// A copied record that would not come out identical.
    #[error("position {position}: {reason}")]
    Mismatch {
        position: ledger_store::Position,
        reason: String,
    },
    /// A restored or imported log that does not verify.
    #[error("the copy does not verify: {0}")]
    Audit(#[from] crate::audit::AuditFailure),
    /// A document copy that does not verify (the reason says why).
    #[error("{0}")]
    Rejected(String),
    #[error("no log in {0}")]
    NoLog(PathBuf),
    #[error(
        "{0} is not empty: restore and import need a data directory without a log or projections"
    )]
    NotEmpty(PathBuf),
}

/// The paths of one data directory.
#[derive(Clone, Debug)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn log(&self) -> PathBuf {
        self.root.join("log")
    }

    pub fn projections(&self) -> PathBuf {
        self.root.join("projections")
    }

    pub fn keys(&self) -> PathBuf {
        self.root.join("keys.json")
    }

    /// Creates the directory if missing.
    pub fn create(&self) -> Result<(), OpsError> {
        std::fs::create_dir_all(&self.root).map_err(|source| OpsError::Io {
            path: self.root.clone(),
            source,
        })
    }

    /// Opens the event log (sled takes an exclusive lock on it: one process
    /// at a time).
    pub fn open_store(&self) -> Result<Arc<SledStore>, OpsError> {
        self.create()?;
        Ok(SledStore::open(self.log())?)
    }

    /// Opens the event log of a data directory that must already hold one
    /// (for audits and copies, which must not create an empty log).
    pub fn open_existing_store(&self) -> Result<Arc<SledStore>, OpsError> {
        if !self.log().is_dir() {
            return Err(OpsError::NoLog(self.log()));
        }
        Ok(SledStore::open(self.log())?)
    }

    /// Refuses a directory that holds a log or projections (a `keys.json`
    /// is fine: keys are not part of a backup or an export).
    pub fn check_empty(&self) -> Result<(), OpsError> {
        for path in [self.log(), self.projections()] {
            let occupied = match std::fs::read_dir(&path) {
                Ok(mut entries) => entries.next().is_some(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                Err(source) => return Err(OpsError::Io { path, source }),
            };
            if occupied {
                return Err(OpsError::NotEmpty(self.root.clone()));
            }
        }
        Ok(())
    }

    /// Every projection the ledger runs, in a fixed order.
    pub fn projections_list() -> Vec<Arc<dyn Projection>> {
        vec![
            Arc::new(OrdersProjection),
            Arc::new(ContractsProjection),
            Arc::new(CouponsProjection),
            Arc::new(Deadlines),
            Arc::new(MerkleProjection),
        ]
    }

    /// Opens the log, the ledger and the projections (caught up).
    pub async fn open(&self, clock: Arc<dyn Clock>) -> Result<Node, OpsError> {
        let node = self.open_node(clock, |store| store).await?;
        node.projector.catch_up().await?;
        Ok(node)
    }

    /// Opens for serving: the store the ledger and projections use is
    /// wrapped by `wrap` (e.g. to measure appends), and the projections are
    /// caught up before returning only when no projection lags more than
    /// `catch_up_limit` events (the server's default:
    /// [`MAX_CATCH_UP_BEFORE_SERVING`]). A larger lag (a new node, a
    /// projection whose version changed) is caught up by the server's
    /// follower once its listeners are open, `/readyz` answering 503 until
    /// then: a restart is never held up by a rebuild.
    pub async fn open_with(
        &self,
        clock: Arc<dyn Clock>,
        catch_up_limit: u64,
        wrap: impl FnOnce(DynStore) -> DynStore,
    ) -> Result<Node, OpsError> {
        let node = self.open_node(clock, wrap).await?;
        let lag = node
            .projector
            .status()
            .iter()
            .map(|s| s.lag)
            .max()
            .unwrap_or(0);
        if lag <= catch_up_limit {
            node.projector.catch_up().await?;
        } else {
            tracing::warn!(
                lag,
                limit = catch_up_limit,
                "projections far behind the log: catching up in the background, not ready until then"
            );
        }
        Ok(node)
    }

    async fn open_node(
        &self,
        clock: Arc<dyn Clock>,
        wrap: impl FnOnce(DynStore) -> DynStore,
    ) -> Result<Node, OpsError> {
        let sled = self.open_store()?;
        let store: DynStore = wrap(sled.clone());
        let ledger = Arc::new(
            Ledger::new(store.clone(), clock.clone(), LedgerConfig::default())
                .with_document_key(self.document_key()?),
        );
        let projector =
            Projector::open(self.projections(), store.clone(), Self::projections_list()).await?;
        Ok(Node {
            sled,
            store,
            ledger,
            projector,
            clock,
        })
    }
}

/// An opened data directory.
pub struct Node {
    pub sled: Arc<SledStore>,
    pub store: DynStore,
    pub ledger: Arc<Ledger>,
    pub projector: Arc<Projector>,
    pub clock: Arc<dyn Clock>,
}
