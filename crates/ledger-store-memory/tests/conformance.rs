//! The shared conformance suite over the in-memory engine.

use std::sync::Arc;

use async_trait::async_trait;
use ledger_store::conformance::Harness;
use ledger_store::DynStore;
use ledger_store_memory::MemoryStore;

/// Every `open` returns a new handle over the same shared state.
struct MemoryHarness {
    store: Arc<MemoryStore>,
}

impl MemoryHarness {
    fn new() -> Self {
        MemoryHarness {
            store: MemoryStore::new(),
        }
    }
}

#[async_trait]
impl Harness for MemoryHarness {
    async fn open(&self) -> DynStore {
        self.store.reopen()
    }
}

ledger_store::conformance_tests!(MemoryHarness::new);
