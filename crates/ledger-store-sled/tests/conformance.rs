//! The shared conformance suite over the sled engine in a temporary directory.

use async_trait::async_trait;
use ledger_store::conformance::Harness;
use ledger_store::DynStore;
use ledger_store_sled::SledStore;

/// Every `open` opens the same directory: after dropping the store, a reopen.
struct SledHarness {
    dir: tempfile::TempDir,
}

impl SledHarness {
    fn new() -> Self {
        SledHarness {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }
}

#[async_trait]
impl Harness for SledHarness {
    async fn open(&self) -> DynStore {
        SledStore::open(self.dir.path()).expect("open sled store")
    }
}

ledger_store::conformance_tests!(SledHarness::new);
