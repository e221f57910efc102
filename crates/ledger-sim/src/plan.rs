//! From a mix to commands: each customer's onboarding and each order's
//! whole life (placed; paid, cancelled or left unpaid; perhaps put in a
//! contract, which is then converted or voided), as the domain's own
//! commands with the actor an upstream service or customer would be.

use ledger_domain::catalog::{
    ChargeType, DiscountType, OrderType, PeriodType, PriceUnit, SourceType,
};
use ledger_domain::contract::{ApplyContract, ContractKind, ConvertContract, VoidContract};
use ledger_domain::customer::{
    CertificationKind, CertifyRealName, RealName, RegisterCustomer, RemittanceAccount,
    SetRemittanceAccount,
};
use ledger_domain::ids::{ContractNo, CustomerId, ServiceName};
use ledger_domain::money::{Currency, Money};
use ledger_domain::order::{
    CancelOrder, Discount, LineItem, OrderSpec, PayOrder, Payment, Period, PlaceOrder, Pricing,
    UnitPrice,
};
use ledger_domain::{Actor, Command};
use rust_decimal::Decimal;

use crate::mix::{permille, Mix, Salt};

/// The provider's legal entity, Party B of every simulated contract.
pub const PARTY_B: &str = ledger_domain::contract::DEFAULT_PARTY_B;

/// One command as a sender would send it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Unique within a seed: a rerun of the same plan is deduplicated.
    pub command_id: String,
    pub actor: Actor,
    pub command: Command,
}

/// What one step is, for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StepKind {
    Onboard,
    Place,
    Pay,
    Cancel,
    ApplyContract,
    ConvertContract,
    VoidContract,
}

impl StepKind {
    pub fn of(command: &Command) -> StepKind {
        match command {
            Command::PlaceOrder(_) => StepKind::Place,
            Command::PayOrder(_) => StepKind::Pay,
            Command::CancelOrder(_) => StepKind::Cancel,
            Command::ApplyContract(_) => StepKind::ApplyContract,
            Command::ConvertContract(_) => StepKind::ConvertContract,
            Command::VoidContract(_) => StepKind::VoidContract,
            _ => StepKind::Onboard,
        }
    }
}

fn service(name: &str) -> Actor {
    Actor::Service(name.parse::<ServiceName>().expect("a valid service name"))
}

/// The domain id of customer `index` of a seed: 32 hex digits, the index
/// first, so the largest customer of seed 1 is
/// `00000000000000000000000000000001`.
pub fn customer_id(seed: u64, index: u64) -> CustomerId {
    format!("{index:08x}{seed:024x}")
        .parse()
        .expect("hex digits are a valid customer id")
}

/// The id of order `index` of a seed.
pub fn order_id(seed: u64, index: u64) -> String {
    format!("CS{seed:x}N{index:010}")
}

/// Registers, certifies (enterprise) and sets the remittance account of
/// customer `index`, as the identity service does.
pub fn onboard(mix: &Mix, index: u64) -> Vec<Step> {
    let id = customer_id(mix.seed, index);
    let name = format!("Simulated Customer {index} Co., Ltd.");
    let step = |what: &str, command| Step {
        command_id: format!("sim-{}-{what}-{id}", mix.seed),
        actor: service("identity"),
        command,
    };
    vec![
        step(
            "register",
            Command::RegisterCustomer(RegisterCustomer {
                customer_id: id.clone(),
                name: name.clone(),
            }),
        ),
        step(
            "certify",
            Command::CertifyRealName(CertifyRealName {
                customer_id: id.clone(),
                real_name: RealName {
                    name: name.clone(),
                    kind: CertificationKind::Enterprise,
                },
            }),
        ),
        step(
            "remittance",
            Command::SetRemittanceAccount(SetRemittanceAccount {
                customer_id: id.clone(),
                account: RemittanceAccount {
                    bank_name: "China Merchants Bank".into(),
                    account_name: format!("{name} remittance"),
                    account_number: format!("6214 8300 {:08}", index % 100_000_000),
                },
            }),
        ),
    ]
}

/// (name, service type code, configuration, monthly price, minute price).
type Product = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const PRODUCTS: [Product; 6] = [
    (
        "Elastic Cloud Server",
        "hws.service.type.ec2",
        "s6.large.2 | 2 vCPUs | 4 GiB",
        "30.00",
        "0.0012",
    ),
    (
        "Relational Database Service",
        "hws.service.type.rds",
        "MySQL 8.0 | primary/standby | 4 vCPUs 16 GiB",
        "125.00",
        "0.0050",
    ),
    (
        "Object Storage Service",
        "hws.service.type.obs",
        "Standard storage package 1 TB",
        "9.99",
        "0.0004",
    ),
    (
        "Elastic Volume Service",
        "hws.service.type.ebs",
        "General Purpose SSD 500 GB",
        "35.00",
        "0.0014",
    ),
    (
        "Elastic IP",
        "hws.service.type.eip",
        "Dynamic BGP | 5 Mbit/s",
        "18.00",
        "0.0125",
    ),
    (
        "Cloud Container Engine",
        "hws.service.type.cce",
        "Cluster of 50 nodes | HA",
        "210.00",
        "0.0090",
    ),
];

/// (order type, ‰ of orders) — the rest are purchases.
const ORDER_TYPES: [(OrderType, u64); 5] = [
    (OrderType::Renewal, 200),
    (OrderType::Upgrade, 60),
    (OrderType::Downgrade, 40),
    (OrderType::ConfigurationChange, 60),
    (OrderType::Compensation, 40),
];

const MONTHS: [u32; 4] = [1, 3, 6, 12];

fn money(d: Decimal) -> Money {
    Money::new(d).expect("plan amounts are non-negative with at most 8 digits")
}

fn parse(s: &str) -> Decimal {
    s.parse().expect("catalog prices are decimals")
}

/// Everything about order `index` that its commands need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderPlan {
    pub index: u64,
    pub customer: u64,
    pub place: PlaceOrder,
    pub fate: Fate,
    pub contract: Option<ContractPlan>,
}

/// What becomes of an order once placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fate {
    Paid,
    Cancelled,
    /// Left unpaid: the timer expires it once its deadline passes.
    Unpaid,
}

/// The contract an order is put in, alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContractPlan {
    pub apply: ApplyContract,
    pub end: DraftEnd,
}

/// What becomes of a draft.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DraftEnd {
    StaysDraft,
    Converted,
    Voided,
}

impl OrderPlan {
    /// Plans order `index` of `mix`.
    pub fn new(mix: &Mix, index: u64) -> OrderPlan {
        let seed = mix.seed;
        let customer = mix.customer_of(index);
        let customer_id = customer_id(seed, customer);
        let id = order_id(seed, index);
        let (name, service_code, configuration, monthly, minute) = PRODUCTS
            [(crate::mix::draw(seed, index, Salt::Product) % PRODUCTS.len() as u64) as usize];

        let roll = permille(seed, index, Salt::OrderType);
        let mut upto = 0;
        let mut order_type = OrderType::Purchase;
        for (t, share) in ORDER_TYPES {
            upto += share;
            if roll < upto {
                order_type = t;
                break;
            }
        }
        let (charge_type, period, unit_price, list_price) = match order_type {
            // Elastic scaling of a pay-as-you-go service: one day's minutes.
            OrderType::ConfigurationChange => {
                let per_minute = parse(minute);
                (
                    ChargeType::PayAsYouGo,
                    Period {
                        period_type: PeriodType::PayPerUse,
                        number: 1,
                    },
                    UnitPrice {
                        amount: money(per_minute),
                        per: PriceUnit::Minute,
                    },
                    per_minute * Decimal::from(1440),
                )
            }
            _ => {
                let months = MONTHS
                    [(crate::mix::draw(seed, index, Salt::Months) % MONTHS.len() as u64) as usize];
                let per_month = parse(monthly);
                (
                    ChargeType::Subscription,
                    Period {
                        period_type: PeriodType::Month,
                        number: months,
                    },
                    UnitPrice {
                        amount: money(per_month),
                        per: PriceUnit::Month,
                    },
                    per_month * Decimal::from(months),
                )
            }
        };
        // A compensation is free; a third of the rest get a 10% commercial
        // discount (Huawei discount type 200), exact to the cent.
        let discounts = if order_type == OrderType::Compensation {
            vec![Discount {
                discount_type: DiscountType::new(200).expect("200 is a discount type"),
                amount: money(list_price),
            }]
        } else if permille(seed, index, Salt::Discount) < 333 {
            vec![Discount {
                discount_type: DiscountType::new(200).expect("200 is a discount type"),
                amount: money((list_price / Decimal::from(10)).trunc_with_scale(2)),
            }]
        } else {
            vec![]
        };
        let pricing = Pricing {
            list_price: money(list_price),
            discounts,
            coupon_amount: Money::ZERO,
            card_amount: Money::ZERO,
            cash_coupon_amount: Money::ZERO,
        };
        let amount_due = pricing
            .amount_due()
            .expect("plan discounts never exceed the price");
        let source_type = match order_type {
            OrderType::Compensation => SourceType::Compensation,
            OrderType::Renewal => SourceType::AutoCreated,
            _ => SourceType::Customer,
        };
        let place = PlaceOrder {
            spec: OrderSpec {
                order_id: id.parse().expect("a valid order id"),
                customer_id: customer_id.clone(),
                base_order_id: None,
                source_type,
                product_name: name.into(),
                service_type_code: service_code.parse().expect("a valid service type"),
                order_type,
                charge_type,
                currency: Currency::new("USD").expect("a valid currency"),
                line_items: vec![LineItem {
                    id: format!("{id}-000001").parse().expect("a valid line id"),
                    service_type_code: service_code.parse().expect("a valid service type"),
                    product_id: "prod-00000001".parse().expect("a valid product id"),
                    spec: configuration.into(),
                    category_code: "hws.resource.vm".into(),
                    count: 1,
                    period,
                    unit_price,
                    valid_from: None,
                    expires_at: None,
                    pricing,
                }],
                instance_ids: vec![format!("ins-{seed:x}-{index:010}")
                    .parse()
                    .expect("a valid instance id")],
                amount_due,
                sales_contract_id: None,
            },
            payment_deadline: None,
        };

        let fate_roll = permille(seed, index, Salt::Fate);
        let fate = if fate_roll < u64::from(mix.cancelled) {
            Fate::Cancelled
        } else if fate_roll < u64::from(mix.cancelled) + u64::from(mix.unpaid) {
            Fate::Unpaid
        } else {
            Fate::Paid
        };
        let contract_roll = permille(seed, index, Salt::Contract);
        let kind = match fate {
            Fate::Paid if contract_roll < u64::from(mix.order_contracts) => {
                Some(ContractKind::Order)
            }
            Fate::Unpaid if contract_roll < u64::from(mix.payment_request_contracts) => {
                Some(ContractKind::PaymentRequest)
            }
            _ => None,
        };
        let contract = kind.map(|kind| {
            let draft_roll = permille(seed, index, Salt::Draft);
            let end = if draft_roll < u64::from(mix.converted) {
                DraftEnd::Converted
            } else if draft_roll < u64::from(mix.converted) + u64::from(mix.voided) {
                DraftEnd::Voided
            } else {
                DraftEnd::StaysDraft
            };
            ContractPlan {
                apply: ApplyContract {
                    // As the faces assign it: from the customer and the
                    // apply step's command id (see `steps`).
                    contract_no: ContractNo::assigned(
                        &customer_id,
                        &format!("sim-apply-{}", place.spec.order_id),
                    ),
                    customer_id,
                    kind,
                    order_ids: vec![place.spec.order_id.clone()],
                    party_a_kind: None,
                    party_a_details: Default::default(),
                    party_b: PARTY_B.into(),
                    remarks: String::new(),
                },
                end,
            }
        });
        OrderPlan {
            index,
            customer,
            place,
            fate,
            contract,
        }
    }

    /// The order's commands, in the order they must be sent.
    pub fn steps(&self) -> Vec<Step> {
        let id = &self.place.spec.order_id;
        let customer = Actor::Customer(self.place.spec.customer_id.clone());
        let step = |what: &str, actor: Actor, command| Step {
            command_id: format!("sim-{what}-{id}"),
            actor,
            command,
        };
        let mut steps = vec![step(
            "place",
            service("purchase"),
            Command::PlaceOrder(self.place.clone()),
        )];
        match self.fate {
            Fate::Paid => steps.push(step(
                "pay",
                service("payment"),
                Command::PayOrder(PayOrder {
                    order_id: id.clone(),
                    payment: Payment {
                        payment_id: format!("PAY-{id}").parse().expect("a valid payment id"),
                        amount: self.place.spec.amount_due,
                        vouchers: vec![],
                    },
                }),
            )),
            Fate::Cancelled => steps.push(step(
                "cancel",
                customer.clone(),
                Command::CancelOrder(CancelOrder {
                    order_id: id.clone(),
                }),
            )),
            Fate::Unpaid => {}
        }
        if let Some(contract) = &self.contract {
            let no = contract.apply.contract_no.clone();
            steps.push(step(
                "apply",
                customer.clone(),
                Command::ApplyContract(contract.apply.clone()),
            ));
            match contract.end {
                DraftEnd::StaysDraft => {}
                DraftEnd::Converted => steps.push(step(
                    "convert",
                    customer,
                    Command::ConvertContract(ConvertContract::new(no)),
                )),
                DraftEnd::Voided => steps.push(step(
                    "void",
                    customer,
                    Command::VoidContract(VoidContract {
                        contract_no: no,
                        ticket: None,
                    }),
                )),
            }
        }
        steps
    }

    /// Events the order's steps record: one per step, plus one attach per
    /// contract, one release per voided contract and one document seal
    /// per converted contract.
    pub fn events(&self) -> u64 {
        let mut events = self.steps().len() as u64;
        if let Some(c) = &self.contract {
            events += 1;
            if c.end != DraftEnd::StaysDraft {
                events += 1;
            }
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_reproducible() {
        let mix = Mix::default();
        assert_eq!(OrderPlan::new(&mix, 17), OrderPlan::new(&mix, 17));
        assert_ne!(
            OrderPlan::new(&mix, 17).place.spec.order_id,
            OrderPlan::new(&mix, 18).place.spec.order_id
        );
    }

    #[test]
    fn the_largest_customer_of_seed_one_is_readable() {
        assert_eq!(
            customer_id(1, 0).as_str(),
            "00000000000000000000000000000001"
        );
    }

    #[test]
    fn every_fate_type_and_draft_end_occurs() {
        let mix = Mix::default();
        let plans: Vec<_> = (0..20_000).map(|i| OrderPlan::new(&mix, i)).collect();
        for fate in [Fate::Paid, Fate::Cancelled, Fate::Unpaid] {
            assert!(plans.iter().any(|p| p.fate == fate), "{fate:?}");
        }
        for t in [
            OrderType::Purchase,
            OrderType::Renewal,
            OrderType::Upgrade,
            OrderType::Downgrade,
            OrderType::ConfigurationChange,
            OrderType::Compensation,
        ] {
            assert!(plans.iter().any(|p| p.place.spec.order_type == t), "{t:?}");
        }
        for end in [DraftEnd::StaysDraft, DraftEnd::Converted, DraftEnd::Voided] {
            for kind in [ContractKind::Order, ContractKind::PaymentRequest] {
                assert!(
                    plans.iter().any(|p| p
                        .contract
                        .as_ref()
                        .is_some_and(|c| c.end == end && c.apply.kind == kind)),
                    "{end:?} {kind:?}"
                );
            }
        }
    }
}
