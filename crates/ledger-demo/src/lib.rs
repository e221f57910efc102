//! A realistic sample so a newcomer sees data at once: three customers,
//! orders of every type (purchase, renewal, upgrade, downgrade,
//! configuration change, compensation) and every status (unpaid, paid,
//! cancelled, expired, voided), and contracts in every status (draft,
//! official, voided, invalid).
//!
//! The story runs on a manual clock from 30 days ago to now, through the
//! same command service as everything else; expiries and invalidations are
//! fired by the real timer, so the log tells them as production would.

mod orders;

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use ledger_app::{AppError, CommandMeta, Ledger, ManualClock};
use ledger_domain::contract::{ApplyContract, ContractKind, ConvertContract, VoidContract};
use ledger_domain::customer::{
    CertificationKind, CertifyRealName, RealName, RegisterCustomer, RemittanceAccount,
    SetRemittanceAccount,
};
use ledger_domain::ids::{OperatorId, ServiceName};
use ledger_domain::order::{CancelOrder, PayOrder, Payment, VoidOrder};
use ledger_domain::{Actor, Command};
use ledger_projections::{Fired, Projector, Timer, TimerError};

pub use orders::{sample_order, OrderShape};

/// The sample's customers (domain ids), for the README's tour.
pub const CUSTOMERS: [(&str, &str); 3] = [
    (
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        "Northwind Trading Co., Ltd.",
    ),
    (
        "1b2c3d4e5f60718293a4b5c6d7e8f90a",
        "Contoso Cloud Pte. Ltd.",
    ),
    ("2c3d4e5f60718293a4b5c6d7e8f90a1b", "Li Wei"),
];

/// How far back the story starts.
pub const STORY_DAYS: i64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the log is not empty: demo data goes only into a new data directory")]
    NotEmpty,
    #[error("demo command {command_id} refused: {source}")]
    Refused {
        command_id: String,
        source: AppError,
    },
    #[error(transparent)]
    Timer(#[from] TimerError),
    #[error(transparent)]
    Projection(#[from] ledger_projections::ProjectionError),
}

/// What was loaded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub commands: u64,
    pub timer_commands: u64,
    pub customers: usize,
    pub orders: usize,
    pub contracts: usize,
}

struct Story<'a> {
    ledger: &'a Ledger,
    clock: &'a ManualClock,
    report: DemoReport,
}

fn purchase_service() -> Actor {
    Actor::Service(
        "purchase"
            .parse::<ServiceName>()
            .expect("valid service name"),
    )
}

fn payment_service() -> Actor {
    Actor::Service(
        "payment"
            .parse::<ServiceName>()
            .expect("valid service name"),
    )
}

fn identity_service() -> Actor {
    Actor::Service(
        "identity"
            .parse::<ServiceName>()
            .expect("valid service name"),
    )
}

fn operator() -> Actor {
    Actor::Operator(
        "ops-alice"
            .parse::<OperatorId>()
            .expect("valid operator id"),
    )
}

fn customer(i: usize) -> Actor {
    Actor::Customer(CUSTOMERS[i].0.parse().expect("valid customer id"))
}

impl Story<'_> {
    async fn run(
        &mut self,
        command_id: &str,
        actor: Actor,
        command: Command,
    ) -> Result<(), DemoError> {
        let id = format!("demo-{command_id}");
        self.ledger
            .execute(command, CommandMeta::new(id.clone(), actor))
            .await
            .map_err(|source| DemoError::Refused {
                command_id: id,
                source,
            })?;
        self.report.commands += 1;
        Ok(())
    }

    fn advance(&self, by: Duration) {
        self.clock.advance(by);
    }

    async fn place(&mut self, i: usize, shape: OrderShape) -> Result<(), DemoError> {
        let order = sample_order(CUSTOMERS[i].0, &shape);
        self.report.orders += 1;
        self.run(
            &format!("place-{}", shape.order_id),
            purchase_service(),
            Command::PlaceOrder(order),
        )
        .await
    }

    async fn pay(&mut self, shape: &OrderShape) -> Result<(), DemoError> {
        let command = Command::PayOrder(PayOrder {
            order_id: shape.order_id.parse().expect("valid order id"),
            payment: Payment {
                payment_id: format!("PAY-{}", shape.order_id)
                    .parse()
                    .expect("valid payment id"),
                amount: shape.amount_due(),
                vouchers: vec![],
            },
        });
        self.run(
            &format!("pay-{}", shape.order_id),
            payment_service(),
            command,
        )
        .await
    }

    async fn contract(
        &mut self,
        i: usize,
        no: &str,
        kind: ContractKind,
        orders: &[&OrderShape],
        remarks: &str,
    ) -> Result<(), DemoError> {
        let command = Command::ApplyContract(ApplyContract {
            contract_no: no.parse().expect("valid contract no"),
            customer_id: CUSTOMERS[i].0.parse().expect("valid customer id"),
            kind,
            order_ids: orders
                .iter()
                .map(|o| o.order_id.parse().expect("valid order id"))
                .collect(),
            party_a_kind: None,
            party_a_details: Default::default(),
            party_b: ledger_domain::contract::DEFAULT_PARTY_B.into(),
            remarks: remarks.into(),
        });
        self.report.contracts += 1;
        self.run(&format!("apply-{no}"), customer(i), command).await
    }
}

async fn onboard(story: &mut Story<'_>) -> Result<(), DemoError> {
    for (i, (id, name)) in CUSTOMERS.iter().enumerate() {
        let customer_id: ledger_domain::ids::CustomerId = id.parse().expect("valid customer id");
        let kind = if i == 2 {
            CertificationKind::Personal
        } else {
            CertificationKind::Enterprise
        };
        story
            .run(
                &format!("register-{id}"),
                identity_service(),
                Command::RegisterCustomer(RegisterCustomer {
                    customer_id: customer_id.clone(),
                    name: (*name).into(),
                }),
            )
            .await?;
        story
            .run(
                &format!("certify-{id}"),
                identity_service(),
                Command::CertifyRealName(CertifyRealName {
                    customer_id: customer_id.clone(),
                    real_name: RealName {
                        name: (*name).into(),
                        kind,
                    },
                }),
            )
            .await?;
        story
            .run(
                &format!("remittance-{id}"),
                identity_service(),
                Command::SetRemittanceAccount(SetRemittanceAccount {
                    customer_id,
                    account: RemittanceAccount {
                        bank_name: "China Merchants Bank".into(),
                        account_name: format!("{name} remittance"),
                        account_number: format!("6214 8300 {:04} 0001", 1000 + i),
                    },
                }),
            )
            .await?;
        story.report.customers += 1;
    }
    Ok(())
}

/// Loads the sample through `ledger`, whose clock is `clock`, into an
/// empty log; `projector` runs over the same store (for the timer). Ends
/// with the clock at `now`.
pub async fn load(
    ledger: Arc<Ledger>,
    projector: Arc<Projector>,
    clock: Arc<ManualClock>,
    now: DateTime<Utc>,
) -> Result<DemoReport, DemoError> {
    if projector.store().head().position.0 != 0 {
        return Err(DemoError::NotEmpty);
    }
    clock.set(now - Duration::days(STORY_DAYS));
    let mut story = Story {
        ledger: &ledger,
        clock: &clock,
        report: DemoReport::default(),
    };
    onboard(&mut story).await?;
    let o = orders::shapes();
    // Day 0: purchases for everyone; most are paid at once.
    for (i, shape) in [(0, &o.ecs), (1, &o.rds), (2, &o.obs)] {
        story.place(i, shape.clone()).await?;
        story.advance(Duration::minutes(3));
        story.pay(shape).await?;
    }
    story.place(0, o.expiring.clone()).await?;
    story.advance(Duration::days(1));
    // Day 1: an order contract for the paid purchase, made official.
    story
        .contract(
            0,
            "HT-DEMO-0001",
            ContractKind::Order,
            &[&o.ecs],
            "annual ECS purchase",
        )
        .await?;
    story
        .run(
            "convert-HT-DEMO-0001",
            customer(0),
            Command::ConvertContract(ConvertContract::new(
                "HT-DEMO-0001".parse().expect("valid contract no"),
            )),
        )
        .await?;
    // A payment request contract for an order that will never be paid.
    story.place(1, o.never_paid.clone()).await?;
    story.advance(Duration::hours(2));
    story
        .contract(
            1,
            "HT-DEMO-0002",
            ContractKind::PaymentRequest,
            &[&o.never_paid],
            "procurement approval",
        )
        .await?;
    story.advance(Duration::days(9));
    // Day 10: renewal and configuration change, paid; a downgrade cancelled.
    for (i, shape) in [(0, &o.renewal), (1, &o.scale_out)] {
        story.place(i, shape.clone()).await?;
        story.advance(Duration::minutes(10));
        story.pay(shape).await?;
    }
    story.place(0, o.downgrade.clone()).await?;
    story.advance(Duration::hours(1));
    story
        .run(
            &format!("cancel-{}", o.downgrade.order_id),
            customer(0),
            Command::CancelOrder(CancelOrder {
                order_id: o.downgrade.order_id.parse().expect("valid order id"),
            }),
        )
        .await?;
    // A compensation order, paid, in an order contract that is then voided.
    story.place(2, o.compensation.clone()).await?;
    story.pay(&o.compensation).await?;
    story.advance(Duration::days(1));
    story
        .contract(
            2,
            "HT-DEMO-0003",
            ContractKind::Order,
            &[&o.compensation],
            "wrong title",
        )
        .await?;
    story
        .run(
            "void-HT-DEMO-0003",
            customer(2),
            Command::VoidContract(VoidContract {
                contract_no: "HT-DEMO-0003".parse().expect("valid contract no"),
                ticket: None,
            }),
        )
        .await?;
    // A paid purchase whose provisioning failed: voided by an operator.
    story.place(1, o.failed.clone()).await?;
    story.pay(&o.failed).await?;
    story.advance(Duration::hours(4));
    story
        .run(
            &format!("void-{}", o.failed.order_id),
            operator(),
            Command::VoidOrder(VoidOrder {
                order_id: o.failed.order_id.parse().expect("valid order id"),
                reason: "provisioning failed: capacity exhausted in ap-southeast-1a".into(),
            }),
        )
        .await?;
    // Now minus two days: an upgrade still awaiting payment, in a draft
    // payment request contract.
    clock.set(now - Duration::days(2));
    story.place(0, o.upgrade.clone()).await?;
    story.advance(Duration::hours(1));
    story
        .contract(
            0,
            "HT-DEMO-0004",
            ContractKind::PaymentRequest,
            &[&o.upgrade],
            "upgrade approval",
        )
        .await?;
    clock.set(now);
    // The timer expires overdue orders and invalidates overdue contracts.
    let timer = Timer::new(projector.clone(), ledger.clone(), clock.clone());
    projector.catch_up().await?;
    for fired in timer.tick().await? {
        if let Fired::Recorded { .. } = fired {
            story.report.timer_commands += 1;
        }
    }
    Ok(story.report)
}
