//! The sample's orders: one shape per order, turned into PlaceOrder.

use ledger_domain::catalog::{
    ChargeType, DiscountType, OrderType, PeriodType, PriceUnit, SourceType,
};
use ledger_domain::money::{Currency, Money};
use ledger_domain::order::{Discount, LineItem, OrderSpec, Period, PlaceOrder, Pricing, UnitPrice};

/// What differs between the sample's orders.
#[derive(Clone, Debug)]
pub struct OrderShape {
    pub order_id: &'static str,
    pub base_order_id: Option<&'static str>,
    pub order_type: OrderType,
    pub charge_type: ChargeType,
    pub source_type: SourceType,
    pub product_name: &'static str,
    pub service_type_code: &'static str,
    pub product_id: &'static str,
    pub configuration: &'static str,
    pub category_code: &'static str,
    pub count: u32,
    pub period: (PeriodType, u32),
    pub unit_price: (&'static str, PriceUnit),
    pub list_price: &'static str,
    /// (Huawei discount type code, amount).
    pub discounts: Vec<(u16, &'static str)>,
    pub coupon_amount: &'static str,
    pub instance_id: &'static str,
}

fn money(s: &str) -> Money {
    s.parse().expect("sample amounts are valid")
}

impl OrderShape {
    fn pricing(&self) -> Pricing {
        Pricing {
            list_price: money(self.list_price),
            discounts: self
                .discounts
                .iter()
                .map(|(code, amount)| Discount {
                    discount_type: DiscountType::new(*code)
                        .expect("sample discount codes are valid"),
                    amount: money(amount),
                })
                .collect(),
            coupon_amount: money(self.coupon_amount),
            card_amount: Money::ZERO,
            cash_coupon_amount: Money::ZERO,
        }
    }

    /// List price less discounts and coupon.
    pub fn amount_due(&self) -> Money {
        self.pricing()
            .amount_due()
            .expect("sample deductions never exceed the list price")
    }
}

/// The PlaceOrder of a shape for a customer (one line item).
pub fn sample_order(customer_id: &str, s: &OrderShape) -> PlaceOrder {
    PlaceOrder {
        spec: OrderSpec {
            order_id: s.order_id.parse().expect("valid order id"),
            customer_id: customer_id.parse().expect("valid customer id"),
            base_order_id: s.base_order_id.map(|b| b.parse().expect("valid order id")),
            source_type: s.source_type,
            product_name: s.product_name.into(),
            service_type_code: s.service_type_code.parse().expect("valid service type"),
            order_type: s.order_type,
            charge_type: s.charge_type,
            currency: Currency::new("USD").expect("valid currency"),
            line_items: vec![LineItem {
                id: format!("{}-000001", s.order_id)
                    .parse()
                    .expect("valid line id"),
                service_type_code: s.service_type_code.parse().expect("valid service type"),
                product_id: s.product_id.parse().expect("valid product id"),
                spec: s.configuration.into(),
                category_code: s.category_code.into(),
                count: s.count,
                period: Period {
                    period_type: s.period.0,
                    number: s.period.1,
                },
                unit_price: UnitPrice {
                    amount: money(s.unit_price.0),
                    per: s.unit_price.1,
                },
                valid_from: None,
                expires_at: None,
                pricing: s.pricing(),
            }],
            instance_ids: vec![s.instance_id.parse().expect("valid instance id")],
            amount_due: s.amount_due(),
            sales_contract_id: None,
        },
        payment_deadline: None,
    }
}

pub struct Shapes {
    pub ecs: OrderShape,
    pub rds: OrderShape,
    pub obs: OrderShape,
    pub expiring: OrderShape,
    pub never_paid: OrderShape,
    pub renewal: OrderShape,
    pub scale_out: OrderShape,
    pub downgrade: OrderShape,
    pub compensation: OrderShape,
    pub failed: OrderShape,
    pub upgrade: OrderShape,
}

/// (product name, service type code, configuration).
type Product = (&'static str, &'static str, &'static str);
/// (unit price per month, months, list price).
type Price = (&'static str, u32, &'static str);

fn subscription(
    order_id: &'static str,
    (product_name, service, configuration): Product,
    (monthly, months, list_price): Price,
    instance_id: &'static str,
) -> OrderShape {
    OrderShape {
        order_id,
        base_order_id: None,
        order_type: OrderType::Purchase,
        charge_type: ChargeType::Subscription,
        source_type: SourceType::Customer,
        product_name,
        service_type_code: service,
        product_id: "prod-00000001",
        configuration,
        category_code: "hws.resource.vm",
        count: 1,
        period: (PeriodType::Month, months),
        unit_price: (monthly, PriceUnit::Month),
        list_price,
        discounts: vec![],
        coupon_amount: "0",
        instance_id,
    }
}

pub fn shapes() -> Shapes {
    let ecs = OrderShape {
        discounts: vec![(200, "36.00")],
        coupon_amount: "10.00",
        ..subscription(
            "CS24DEMO0001",
            (
                "Elastic Cloud Server",
                "hws.service.type.ec2",
                "s6.large.2 | 2 vCPUs | 4 GiB | CentOS 7.9",
            ),
            ("30.00", 12, "360.00"),
            "ecs-7f3a9c01",
        )
    };
    let rds = OrderShape {
        discounts: vec![(605, "12.50")],
        ..subscription(
            "CS24DEMO0002",
            (
                "Relational Database Service",
                "hws.service.type.rds",
                "MySQL 8.0 | primary/standby | 4 vCPUs 16 GiB",
            ),
            ("125.00", 1, "125.00"),
            "rds-1e2d3c4b",
        )
    };
    let obs = subscription(
        "CS24DEMO0003",
        (
            "Object Storage Service",
            "hws.service.type.obs",
            "Standard storage package 1 TB",
        ),
        ("9.99", 1, "9.99"),
        "obs-pkg-0003",
    );
    let expiring = subscription(
        "CS24DEMO0004",
        (
            "Elastic Volume Service",
            "hws.service.type.ebs",
            "General Purpose SSD 500 GB",
        ),
        ("35.00", 1, "35.00"),
        "vol-5c6d7e8f",
    );
    let never_paid = subscription(
        "CS24DEMO0005",
        (
            "Content Delivery Network",
            "hws.service.type.cdn",
            "Traffic package 10 TB",
        ),
        ("420.00", 1, "420.00"),
        "cdn-pkg-0005",
    );
    let renewal = OrderShape {
        order_type: OrderType::Renewal,
        base_order_id: Some("CS24DEMO0001"),
        source_type: SourceType::AutoCreated,
        ..subscription(
            "CS24DEMO0006",
            (
                "Elastic Cloud Server",
                "hws.service.type.ec2",
                "s6.large.2 | 2 vCPUs | 4 GiB | CentOS 7.9",
            ),
            ("30.00", 1, "30.00"),
            "ecs-7f3a9c01",
        )
    };
    let scale_out = OrderShape {
        order_type: OrderType::ConfigurationChange,
        charge_type: ChargeType::PayAsYouGo,
        period: (PeriodType::PayPerUse, 1),
        unit_price: ("0.0125", PriceUnit::Minute),
        ..subscription(
            "CS24DEMO0007",
            (
                "Auto Scaling",
                "hws.service.type.as",
                "Scale-out: +2 x c6.xlarge.2 for 1440 minutes",
            ),
            ("0.0125", 1, "36.00"),
            "as-grp-0007",
        )
    };
    let downgrade = OrderShape {
        order_type: OrderType::Downgrade,
        ..subscription(
            "CS24DEMO0008",
            (
                "Elastic Cloud Server",
                "hws.service.type.ec2",
                "s6.large.2 -> s6.medium.2 | remaining 11 months",
            ),
            ("15.00", 11, "0.01"),
            "ecs-7f3a9c01",
        )
    };
    let compensation = OrderShape {
        order_type: OrderType::Compensation,
        source_type: SourceType::Compensation,
        period: (PeriodType::Day, 3),
        discounts: vec![(610, "2.97")],
        ..subscription(
            "CS24DEMO0009",
            (
                "Object Storage Service",
                "hws.service.type.obs",
                "Compensation duration: 3 days after an outage",
            ),
            ("0.99", 1, "3.00"),
            "obs-pkg-0003",
        )
    };
    let failed = subscription(
        "CS24DEMO0010",
        (
            "GPU Accelerated Cloud Server",
            "hws.service.type.ec2",
            "p2s.2xlarge.8 | 1 x V100 | 8 vCPUs 64 GiB",
        ),
        ("1499.00", 1, "1499.00"),
        "ecs-gpu-0010",
    );
    let upgrade = OrderShape {
        order_type: OrderType::Upgrade,
        ..subscription(
            "CS24DEMO0011",
            (
                "Elastic Cloud Server",
                "hws.service.type.ec2",
                "s6.large.2 -> s6.xlarge.2 | remaining 10 months",
            ),
            ("60.00", 10, "300.00"),
            "ecs-7f3a9c01",
        )
    };
    Shapes {
        ecs,
        rds,
        obs,
        expiring,
        never_paid,
        renewal,
        scale_out,
        downgrade,
        compensation,
        failed,
        upgrade,
    }
}
