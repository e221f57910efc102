//! `demo-data` (and `serve --demo`): load the sample into a new data
//! directory.

use std::sync::Arc;

use ledger_app::{Clock, ManualClock, SystemClock};
use ledger_demo::{DemoReport, CUSTOMERS};
use ledger_ops::DataDir;
use ledger_server::Config;

/// Loads the sample if the log is empty; `None` if it was not.
pub async fn load_if_empty(config: &Config) -> anyhow::Result<Option<DemoReport>> {
    let now = SystemClock.now();
    let clock = Arc::new(ManualClock::new(now));
    let dir = DataDir::new(&config.data_dir);
    let node = dir.open(clock.clone()).await?;
    if node.store.head().position.0 != 0 {
        node.sled.close().await?;
        return Ok(None);
    }
    let report = ledger_demo::load(node.ledger.clone(), node.projector.clone(), clock, now).await?;
    node.projector.catch_up().await?;
    node.projector.flush().await?;
    node.sled.close().await?;
    Ok(Some(report))
}

pub fn print(report: &DemoReport) {
    println!(
        "demo data: {} customers, {} orders, {} contracts ({} commands, {} fired by the timer)",
        report.customers, report.orders, report.contracts, report.commands, report.timer_commands
    );
    println!("customers (domain ids):");
    for (id, name) in CUSTOMERS {
        println!("  {id}  {name}");
    }
}

pub async fn run(config: &Config) -> anyhow::Result<()> {
    match load_if_empty(config).await? {
        Some(report) => {
            print(&report);
            Ok(())
        }
        None => anyhow::bail!(
            "{} already holds a log: demo data goes only into a new data directory",
            config.data_dir.display()
        ),
    }
}
