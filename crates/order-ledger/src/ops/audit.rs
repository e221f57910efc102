//! `audit verify | head | prove | check-proof | replay | history`.

use std::time::Instant;

use anyhow::Context as _;
use clap::{ArgGroup, Args, Subcommand};
use serde_json::json;

use ledger_app::streams::stream_id;
use ledger_app::SystemClock;
use ledger_domain::ids::OperatorId;
use ledger_domain::ids::{ContractNo, CustomerId, OrderId};
use ledger_domain::AggregateId;
use ledger_ops::audit::head_info;
use ledger_ops::history::history;
use ledger_ops::loss::accept_loss;
use ledger_ops::proofs::{self, OfflineJob};
use ledger_ops::records::RecordJson;
use ledger_ops::replay::{replay, AsOf, ReplayRequest};
use ledger_ops::{verify_dir, DataDir, ExpectedHead, HeadInfo, OpsError, Verified};
use ledger_store::DynStore;

use super::progress::Bar;
use super::{print_json, remote, Done, ServerArgs};

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the whole log and prove it: decoding, contiguity, the hash
    /// chain, and the legality of every event. Exit 3 on the first problem.
    Verify(VerifyArgs),
    /// Print the head (position and chain hash) to record it; with
    /// --signed, the Merkle tree head signed with the log key (JSON).
    Head(HeadArgs),
    /// Prove a record is in the log (`--position`), or that the log
    /// extends an older size (`--consistency --from`): JSON with the signed
    /// head(s), for `audit check-proof`.
    Prove(ProveArgs),
    /// Verify a proof file (or a signed head) offline, without a data
    /// directory: exit 0 when it verifies, 3 when it does not.
    CheckProof(CheckProofArgs),
    /// Orders, contracts and a customer's lists as they were at a point.
    Replay(ReplayArgs),
    /// Every event of one stream with its metadata.
    History(HistoryArgs),
    /// Accept that acknowledged positions are lost (the range `audit
    /// verify` names, when no backup holds them): the engine's journal and
    /// the log record it, and the log opens again. The server must be
    /// stopped. Rerun the same command if it was interrupted.
    AcceptLoss(AcceptLossArgs),
}

#[derive(Args)]
pub struct AcceptLossArgs {
    /// The first lost position (as `audit verify` names it).
    #[arg(long)]
    first: u64,
    /// The last lost position.
    #[arg(long)]
    last: u64,
    /// Who accepts the loss (an operator id, recorded as the actor).
    #[arg(long)]
    operator: String,
    /// Why (e.g. the incident ticket; no backup holds these records).
    #[arg(long)]
    reason: String,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct VerifyArgs {
    /// Print a machine-readable summary.
    #[arg(long)]
    json: bool,
    /// Also prove the record at POSITION still has HASH (a head recorded
    /// earlier with `audit head`).
    #[arg(long, value_name = "POSITION:HASH")]
    expect_head: Option<ExpectedHead>,
}

#[derive(Args)]
pub struct HeadArgs {
    #[arg(long)]
    json: bool,
    /// The signed tree head (RFC 9162 root over every record's chain
    /// hash), as JSON.
    #[arg(long)]
    signed: bool,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Args)]
#[command(group(ArgGroup::new("what").required(true).multiple(false)))]
pub struct ProveArgs {
    /// The record to prove included.
    #[arg(long, group = "what")]
    position: Option<u64>,
    /// The tree size to prove it in [default: the whole log].
    #[arg(long, requires = "position")]
    size: Option<u64>,
    /// Prove the log of --to records extends the log of --from.
    #[arg(long, group = "what", requires = "from")]
    consistency: bool,
    #[arg(long, requires = "consistency")]
    from: Option<u64>,
    /// [default: the whole log]
    #[arg(long, requires = "consistency")]
    to: Option<u64>,
}

#[derive(Args)]
pub struct CheckProofArgs {
    /// A file `audit prove` or `audit head --signed` wrote (`-` for
    /// standard input).
    file: std::path::PathBuf,
    /// Accept only heads signed by this log key (64 hex digits;
    /// repeatable: old keys still verify old heads). Without it the
    /// signature is checked under the key the file names, which proves
    /// integrity, not who signed.
    #[arg(long = "public-key", value_name = "HEX")]
    public_keys: Vec<String>,
}

#[derive(Args)]
pub struct ReplayArgs {
    /// A position, or an RFC 3339 time (every record before the first one
    /// recorded after it).
    #[arg(long, value_name = "TIME|POSITION")]
    as_of: AsOf,
    /// Show this customer's order list and contract list as of then.
    #[arg(long)]
    customer: Option<CustomerId>,
    /// An order to show (repeatable).
    #[arg(long = "order", value_name = "ORDER_ID")]
    orders: Vec<OrderId>,
    /// A contract to show (repeatable).
    #[arg(long = "contract", value_name = "CONTRACT_NO")]
    contracts: Vec<ContractNo>,
}

#[derive(Args)]
#[command(group(ArgGroup::new("stream").required(true).multiple(false)))]
pub struct HistoryArgs {
    /// The order's stream.
    #[arg(long, group = "stream")]
    order: Option<OrderId>,
    /// The contract's stream.
    #[arg(long, group = "stream")]
    contract: Option<ContractNo>,
    /// The customer's stream (registration, certification, account).
    #[arg(long, group = "stream")]
    customer: Option<CustomerId>,
    /// Print a JSON array (the export's record objects).
    #[arg(long)]
    json: bool,
}

pub async fn run(dir: &DataDir, cmd: AuditCommand) -> anyhow::Result<Done> {
    match cmd {
        AuditCommand::Verify(a) => verify(dir, a).await,
        AuditCommand::Head(a) if a.signed => signed_head(dir, a).await,
        AuditCommand::Head(a) => head(dir, a).await,
        AuditCommand::Prove(a) => prove(dir, a).await,
        AuditCommand::CheckProof(a) => check_proof(a),
        AuditCommand::Replay(a) => run_replay(dir, a).await,
        AuditCommand::History(a) => run_history(dir, a).await,
        AuditCommand::AcceptLoss(a) => run_accept_loss(dir, a).await,
    }
}

async fn verify(dir: &DataDir, args: VerifyArgs) -> anyhow::Result<Done> {
    let started = Instant::now();
    let bar = Bar::new("verifying");
    let verdict = verify_dir(dir, args.expect_head, |done, total| bar.update(done, total)).await;
    bar.finish();
    let verdict = verdict.context("audit verify")?;
    let micros = started.elapsed().as_micros().max(1);
    let duration_ms = (micros / 1000) as u64;
    match verdict {
        Ok(Verified { report, losses }) => {
            let events_per_s = (u128::from(report.events) * 1_000_000 / micros) as u64;
            if args.json {
                print_json(&json!({
                    "ok": true,
                    "head_position": report.head_position.0,
                    "head_hash": report.head_hash.to_hex(),
                    "events": report.events,
                    "streams": report.streams,
                    "reloads": report.reloads,
                    "duration_ms": duration_ms,
                    "events_per_s": events_per_s,
                    "expected_head": args.expect_head.map(|e| e.to_string()),
                    "accepted_losses": losses,
                }))?;
            } else {
                println!("audit verify: ok");
                println!("  events   {}", report.events);
                println!("  streams  {}", report.streams);
                println!(
                    "  reloads  {} (aggregates rebuilt from their streams)",
                    report.reloads
                );
                println!("  head     {} {}", report.head_position, report.head_hash);
                if let Some(e) = args.expect_head {
                    println!("  expected head {} holds", e.position);
                }
                for l in &losses {
                    println!(
                        "  loss     positions {}..={} accepted by {} at {} (event at {}): {}",
                        l.first_position,
                        l.last_position,
                        l.accepted_by,
                        l.accepted_at.to_rfc3339(),
                        l.event_position,
                        l.reason
                    );
                }
                println!("  took     {duration_ms} ms ({events_per_s} events/s)");
            }
            Ok(Done::Ok)
        }
        Err(failure) => {
            if args.json {
                print_json(&json!({
                    "ok": false,
                    "failure": failure,
                    "duration_ms": duration_ms,
                }))?;
            } else {
                println!("audit verify: FAILED");
                println!("  position {}", failure.position);
                if let Some(s) = &failure.stream {
                    println!("  stream   {s}");
                }
                println!("  problem  {} ({})", failure.reason, failure.code);
            }
            Ok(Done::NotVerified)
        }
    }
}

async fn run_accept_loss(dir: &DataDir, args: AcceptLossArgs) -> anyhow::Result<Done> {
    let operator = OperatorId::new(&args.operator)
        .map_err(|e| anyhow::anyhow!("--operator {:?}: {e}", args.operator))?;
    let done = accept_loss(
        dir,
        args.first,
        args.last,
        operator,
        args.reason,
        std::sync::Arc::new(SystemClock),
    )
    .await
    .context("audit accept-loss")?;
    if args.json {
        print_json(&serde_json::to_value(&done)?)?;
    } else {
        println!(
            "audit accept-loss: positions {}..={} accepted as lost",
            done.first_position, done.last_position
        );
        println!("  head     {}", done.head_position);
        println!(
            "  journal  {} (record sha256 {})",
            if done.journal_recorded {
                "recorded"
            } else {
                "already held it"
            },
            done.record_sha256
        );
        println!(
            "  event    LossAccepted at position {}",
            done.event_position
        );
        println!("check it: order-ledger audit verify");
    }
    Ok(Done::Ok)
}

fn head_json(h: &HeadInfo) -> serde_json::Value {
    json!({
        "position": h.position,
        "hash": h.hash.to_hex(),
        "recorded_at": h.recorded_at,
    })
}

async fn head(dir: &DataDir, args: HeadArgs) -> anyhow::Result<Done> {
    let info = match remote::Admin::from_args(&args.server).await? {
        Some(mut admin) => admin.head().await?,
        None => {
            let sled = dir.open_existing_store()?;
            let store: DynStore = sled.clone();
            let info = head_info(&store).await;
            drop(store);
            sled.close().await?;
            info?
        }
    };
    if args.json {
        print_json(&head_json(&info))?;
    } else {
        println!("position {}", info.position);
        println!("hash     {}", info.hash);
        if let Some(t) = info.recorded_at {
            println!("recorded {}", t.to_rfc3339());
        }
        println!(
            "prove it later: order-ledger audit verify --expect-head {}:{}",
            info.position, info.hash
        );
    }
    Ok(Done::Ok)
}

async fn signed_head(dir: &DataDir, args: HeadArgs) -> anyhow::Result<Done> {
    let head = match remote::Admin::from_args(&args.server).await? {
        Some(mut admin) => admin.signed_head().await?,
        None => proofs::offline(dir, OfflineJob::Head { size: None }, chrono::Utc::now())
            .await
            .context("audit head --signed")?,
    };
    print_json(&head)?;
    Ok(Done::Ok)
}

async fn prove(dir: &DataDir, args: ProveArgs) -> anyhow::Result<Done> {
    let job = match (args.position, args.from) {
        (Some(p), _) => OfflineJob::Inclusion {
            position: ledger_store::Position(p),
            size: args.size,
        },
        (None, Some(from)) => OfflineJob::Consistency { from, to: args.to },
        (None, None) => anyhow::bail!("--position or --consistency --from"),
    };
    let proof = proofs::offline(dir, job, chrono::Utc::now())
        .await
        .context("audit prove")?;
    print_json(&proof)?;
    Ok(Done::Ok)
}

fn check_proof(args: CheckProofArgs) -> anyhow::Result<Done> {
    use std::io::Read as _;
    let pinned = args
        .public_keys
        .iter()
        .map(|k| ledger_ops::log_key::parse_public_key(k))
        .collect::<Result<Vec<_>, _>>()?;
    let mut bytes = Vec::new();
    let limit = proofs::MAX_PROOF_FILE_BYTES + 1;
    if super::is_stdio(&args.file) {
        std::io::stdin().take(limit).read_to_end(&mut bytes)?;
    } else {
        std::fs::File::open(&args.file)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .with_context(|| format!("{}", args.file.display()))?;
    }
    if bytes.len() as u64 > proofs::MAX_PROOF_FILE_BYTES {
        anyhow::bail!("{}: larger than any proof file", args.file.display());
    }
    match proofs::check_proof(&bytes, &pinned) {
        Ok(ok) => {
            let signer = if ok.pinned {
                format!("signed by key {}", ok.key_id)
            } else {
                format!(
                    "signed by key {} (the file's own; pass --public-key to pin the signer)",
                    ok.key_id
                )
            };
            println!("ok: {}; {signer}", ok.summary);
            Ok(Done::Ok)
        }
        Err(OpsError::Rejected(reason)) => {
            eprintln!("not verified: {}: {reason}", args.file.display());
            Ok(Done::NotVerified)
        }
        Err(e) => Err(e.into()),
    }
}

async fn run_replay(dir: &DataDir, args: ReplayArgs) -> anyhow::Result<Done> {
    let req = ReplayRequest {
        as_of: args.as_of,
        customer: args.customer,
        orders: args.orders,
        contracts: args.contracts,
    };
    let sled = dir.open_existing_store()?;
    let store: DynStore = sled.clone();
    let result = replay(&store, &req).await;
    drop(store);
    sled.close().await?;
    let replayed = result.with_context(|| format!("replay as of {}", req.as_of))?;
    print_json(&replayed.to_json())?;
    Ok(Done::Ok)
}

async fn run_history(dir: &DataDir, args: HistoryArgs) -> anyhow::Result<Done> {
    let id = match (args.order, args.contract, args.customer) {
        (Some(o), _, _) => AggregateId::Order(o),
        (_, Some(c), _) => AggregateId::Contract(c),
        (_, _, Some(c)) => AggregateId::Customer(c),
        _ => anyhow::bail!("name an --order, a --contract or a --customer"),
    };
    let stream = stream_id(&id);
    let sled = dir.open_existing_store()?;
    let store: DynStore = sled.clone();
    let records = history(&store, &stream).await;
    drop(store);
    sled.close().await?;
    let records = records?;
    if args.json {
        let all: Vec<RecordJson> = records.iter().map(|r| RecordJson::new(r, &[])).collect();
        print_json(&serde_json::to_value(all)?)?;
        return Ok(Done::Ok);
    }
    if records.is_empty() {
        println!("{id}: no events (stream {stream})");
        return Ok(Done::Ok);
    }
    println!("{id}: {} events (stream {stream})", records.len());
    for r in &records {
        let j = RecordJson::new(r, &[]);
        let c = &r.metadata.command;
        println!();
        println!(
            "#{} position {}  {}  {} (schema {})",
            r.stream_version,
            r.position,
            c.recorded_at.to_rfc3339(),
            r.event_type,
            r.schema_version
        );
        println!(
            "    actor {}  command {}  causation {}  correlation {}",
            c.actor,
            c.command_id,
            c.causation_id.as_deref().unwrap_or("-"),
            c.correlation_id.as_deref().unwrap_or("-")
        );
        println!("    event id {}  fingerprint {}", j.event_id, j.fingerprint);
        println!("    hash {}  prev {}", j.hash, j.prev_hash);
        match &j.event {
            Some(e) => println!("    {e}"),
            None => println!("    (payload does not decode)"),
        }
    }
    Ok(Done::Ok)
}
