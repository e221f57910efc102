//! `events export | import`, `backup`, `restore`.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use ledger_ops::backup::backup_with_progress;
use ledger_ops::copy::{export_jsonl, import_jsonl};
use ledger_ops::DataDir;
use ledger_store::{DynStore, Position};

use super::progress::Bar;
use super::{is_stdio, print_json, remote, Done, ServerArgs};

#[derive(Subcommand)]
pub enum EventsCommand {
    /// Write records as JSON lines: all metadata, the event (amounts as
    /// decimal strings), the payload and the hashes.
    Export(ExportArgs),
    /// Import an export (from position 1) into an empty data directory:
    /// the same records, the same chain head.
    Import(ImportArgs),
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// One JSON object per record, one per line.
    Jsonl,
}

#[derive(Args)]
pub struct ExportArgs {
    /// First position [default: 1].
    #[arg(long, default_value_t = 1)]
    from: u64,
    /// Last position [default: the head].
    #[arg(long)]
    to: Option<u64>,
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The export file (`-` for standard input).
    file: PathBuf,
}

#[derive(Args)]
pub struct BackupArgs {
    /// The backup directory (on the server's machine with --server); it
    /// must not hold a backup yet.
    dir: PathBuf,
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A backup directory written by `order-ledger backup`.
    dir: PathBuf,
    #[arg(long)]
    json: bool,
}

pub async fn events(dir: &DataDir, cmd: EventsCommand) -> anyhow::Result<Done> {
    match cmd {
        EventsCommand::Export(a) => export(dir, a).await,
        EventsCommand::Import(a) => import(dir, a).await,
    }
}

async fn export(dir: &DataDir, args: ExportArgs) -> anyhow::Result<Done> {
    let Format::Jsonl = args.format;
    let to_file = args.output.as_ref().filter(|p| !is_stdio(p));
    let mut out: Box<dyn Write> = match to_file {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    };
    let sled = dir.open_existing_store()?;
    let store: DynStore = sled.clone();
    let bar = Bar::new("exporting");
    let result = export_jsonl(
        &store,
        Position(args.from),
        args.to.map(Position),
        &mut out,
        |d, t| bar.update(d, t),
    )
    .await;
    bar.finish();
    drop(store);
    sled.close().await?;
    let report = result.context("events export")?;
    drop(out);
    let summary = format!(
        "exported {} events, positions {} to {}",
        report.events, report.from, report.to
    );
    match to_file {
        Some(path) => {
            File::open(path)
                .and_then(|f| f.sync_all())
                .with_context(|| format!("syncing {}", path.display()))?;
            println!("{summary} into {}", path.display());
        }
        None => eprintln!("{summary}"),
    }
    Ok(Done::Ok)
}

async fn import(dir: &DataDir, args: ImportArgs) -> anyhow::Result<Done> {
    dir.check_empty()?;
    dir.create()?;
    let input: Box<dyn std::io::BufRead> = if is_stdio(&args.file) {
        Box::new(BufReader::new(std::io::stdin().lock()))
    } else {
        Box::new(BufReader::new(
            File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?,
        ))
    };
    let sled = dir.open_store()?;
    let store: DynStore = sled.clone();
    let bar = Bar::new("importing");
    let result = import_jsonl(input, store.clone(), |d| bar.update(d, d)).await;
    bar.finish();
    drop(store);
    sled.close().await?;
    let head = result.with_context(|| format!("importing {}", args.file.display()))?;
    println!(
        "imported {} events into {}",
        head.position,
        dir.root().display()
    );
    println!("head {} {}", head.position, head.hash);
    Ok(Done::Ok)
}

pub async fn backup(dir: &DataDir, args: BackupArgs) -> anyhow::Result<Done> {
    let (position, hash, events) = match remote::Admin::from_args(&args.server).await? {
        Some(mut admin) => admin.backup(&args.dir).await?,
        None => {
            let sled = dir.open_existing_store()?;
            let store: DynStore = sled.clone();
            let bar = Bar::new("backing up");
            let result = backup_with_progress(&store, &args.dir, |d, t| bar.update(d, t)).await;
            bar.finish();
            drop(store);
            sled.close().await?;
            let r = result.context("backup")?;
            (r.position.0, r.hash.to_hex(), r.events)
        }
    };
    if args.json {
        print_json(&json!({
            "dir": args.dir,
            "position": position,
            "hash": hash,
            "events": events,
        }))?;
    } else {
        println!("backup written to {}", args.dir.display());
        println!("  events {events}");
        println!("  head   {position} {hash}");
    }
    Ok(Done::Ok)
}

pub async fn restore(dir: &DataDir, args: RestoreArgs) -> anyhow::Result<Done> {
    let bar = Bar::new("restoring");
    let result = ledger_ops::restore(&args.dir, dir, |stage, d, t| {
        bar.label(stage);
        bar.update(d, t);
    })
    .await;
    bar.finish();
    let report = result.with_context(|| format!("restoring {}", args.dir.display()))?;
    if args.json {
        print_json(&json!({
            "ok": true,
            "data_dir": dir.root(),
            "head_position": report.head_position.0,
            "head_hash": report.head_hash.to_hex(),
            "events": report.events,
            "streams": report.streams,
        }))?;
    } else {
        println!("restored into {} and verified", dir.root().display());
        println!("  events  {}", report.events);
        println!("  streams {}", report.streams);
        println!("  head    {} {}", report.head_position, report.head_hash);
    }
    Ok(Done::Ok)
}
