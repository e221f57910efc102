//! Domain commands → protobuf requests: what a client of the ledger's own
//! gRPC API sends (`order-ledger simulate`). The inverse of
//! [`super::convert`]; a test checks that a command survives the round trip.

use ledger_domain::catalog::{ChargeType, OrderType, PriceUnit};
use ledger_domain::contract::ContractKind;
use ledger_domain::customer::CertificationKind;
use ledger_domain::order::{LineItem, Pricing};
use ledger_domain::Command;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;

use crate::pb;
use crate::pb::ledger_commands_client::LedgerCommandsClient;

/// One command as its RPC's request.
#[derive(Clone, Debug, PartialEq)]
pub enum CommandRequest {
    PlaceOrder(pb::PlaceOrderRequest),
    PayOrder(pb::PayOrderRequest),
    CancelOrder(pb::CancelOrderRequest),
    VoidOrder(pb::VoidOrderRequest),
    ApplyContract(pb::ApplyContractRequest),
    ConvertContract(pb::ConvertContractRequest),
    VoidContract(pb::VoidContractRequest),
    EditContractRemarks(pb::EditContractRemarksRequest),
    RegisterCustomer(pb::RegisterCustomerRequest),
    CertifyRealName(pb::CertifyRealNameRequest),
    SetRemittanceAccount(pb::SetRemittanceAccountRequest),
    CreditAccount(pb::CreditAccountRequest),
    IssueCoupon(pb::IssueCouponRequest),
    PayOrderFromBalance(pb::PayOrderFromBalanceRequest),
}

fn header(command_id: &str) -> Option<pb::CommandHeader> {
    Some(pb::CommandHeader {
        command_id: command_id.to_owned(),
        causation_id: String::new(),
        correlation_id: String::new(),
    })
}

fn order_type(t: OrderType) -> i32 {
    (match t {
        OrderType::Purchase => pb::OrderType::Purchase,
        OrderType::Renewal => pb::OrderType::Renewal,
        OrderType::Upgrade => pb::OrderType::Upgrade,
        OrderType::Downgrade => pb::OrderType::Downgrade,
        OrderType::ConfigurationChange => pb::OrderType::ConfigurationChange,
        OrderType::Compensation => pb::OrderType::Compensation,
    }) as i32
}

fn charge_type(t: ChargeType) -> i32 {
    (match t {
        ChargeType::Subscription => pb::ChargeType::Subscription,
        ChargeType::PayAsYouGo => pb::ChargeType::PayAsYouGo,
    }) as i32
}

fn price_unit(u: PriceUnit) -> i32 {
    (match u {
        PriceUnit::Minute => pb::PriceUnit::Minute,
        PriceUnit::Month => pb::PriceUnit::Month,
        PriceUnit::Year => pb::PriceUnit::Year,
        PriceUnit::Gigabyte => pb::PriceUnit::Gigabyte,
        PriceUnit::Request => pb::PriceUnit::Request,
        PriceUnit::TenThousandRequests => pb::PriceUnit::TenThousandRequests,
    }) as i32
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| t.to_rfc3339()).unwrap_or_default()
}

fn pricing(p: &Pricing) -> pb::Pricing {
    pb::Pricing {
        list_price: p.list_price.to_string(),
        discounts: p
            .discounts
            .iter()
            .map(|d| pb::Discount {
                discount_type: u32::from(d.discount_type.code()),
                amount: d.amount.to_string(),
            })
            .collect(),
        coupon_amount: p.coupon_amount.to_string(),
        card_amount: p.card_amount.to_string(),
        cash_coupon_amount: p.cash_coupon_amount.to_string(),
    }
}

fn line_item(l: &LineItem) -> pb::LineItem {
    pb::LineItem {
        line_item_id: l.id.to_string(),
        service_type_code: l.service_type_code.to_string(),
        product_id: l.product_id.to_string(),
        configuration: l.spec.clone(),
        category_code: l.category_code.clone(),
        count: l.count,
        period_type: u32::from(l.period.period_type.huawei_code()),
        period_number: l.period.number,
        unit_price: l.unit_price.amount.to_string(),
        unit_price_per: price_unit(l.unit_price.per),
        valid_from: time(l.valid_from),
        expires_at: time(l.expires_at),
        pricing: Some(pricing(&l.pricing)),
    }
}

/// The request that sends `command` under `command_id`; `None` for the
/// system's own commands (expiry and invalidation) and the operator's
/// offline `AcceptLoss` (`audit accept-loss`), which no RPC takes.
pub fn command_request(command: &Command, command_id: &str) -> Option<CommandRequest> {
    let header = header(command_id);
    Some(match command {
        Command::PlaceOrder(c) => CommandRequest::PlaceOrder(pb::PlaceOrderRequest {
            header,
            order_id: c.spec.order_id.to_string(),
            customer_id: c.spec.customer_id.to_string(),
            base_order_id: c
                .spec
                .base_order_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            source_type: u32::from(c.spec.source_type.huawei_code()),
            product_name: c.spec.product_name.clone(),
            service_type_code: c.spec.service_type_code.to_string(),
            order_type: order_type(c.spec.order_type),
            charge_type: charge_type(c.spec.charge_type),
            currency: c.spec.currency.as_str().to_owned(),
            line_items: c.spec.line_items.iter().map(line_item).collect(),
            instance_ids: c
                .spec
                .instance_ids
                .iter()
                .map(ToString::to_string)
                .collect(),
            amount_due: c.spec.amount_due.to_string(),
            payment_deadline: time(c.payment_deadline),
            sales_contract_id: c
                .spec
                .sales_contract_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        }),
        Command::PayOrder(c) => CommandRequest::PayOrder(pb::PayOrderRequest {
            header,
            order_id: c.order_id.to_string(),
            payment_id: c.payment.payment_id.to_string(),
            amount: c.payment.amount.to_string(),
            vouchers: c
                .payment
                .vouchers
                .iter()
                .map(|v| pb::Voucher {
                    kind: u32::from(v.kind.huawei_code()),
                    voucher_id: v.voucher_id.to_string(),
                    amount: v.amount.to_string(),
                })
                .collect(),
        }),
        Command::CancelOrder(c) => CommandRequest::CancelOrder(pb::CancelOrderRequest {
            header,
            order_id: c.order_id.to_string(),
        }),
        Command::VoidOrder(c) => CommandRequest::VoidOrder(pb::VoidOrderRequest {
            header,
            order_id: c.order_id.to_string(),
            reason: c.reason.clone(),
        }),
        // The ledger assigns the contract number and Party B: a command
        // whose number is not the one assigned from its command id, or whose
        // Party B is not the server's, comes back different.
        Command::ApplyContract(c) => CommandRequest::ApplyContract(pb::ApplyContractRequest {
            header,
            customer_id: c.customer_id.to_string(),
            kind: (match c.kind {
                ContractKind::Order => pb::ContractKind::Order,
                ContractKind::PaymentRequest => pb::ContractKind::PaymentRequest,
            }) as i32,
            order_ids: c.order_ids.iter().map(ToString::to_string).collect(),
            remarks: c.remarks.clone(),
            party_a_kind: (match c.party_a_kind {
                None => pb::CertificationKind::Unspecified,
                Some(CertificationKind::Personal) => pb::CertificationKind::Personal,
                Some(CertificationKind::Enterprise) => pb::CertificationKind::Enterprise,
            }) as i32,
            party_a: Some(pb::PartyADetails {
                address: c.party_a_details.address.clone(),
                contact_name: c.party_a_details.contact_name.clone(),
                contact_phone: c.party_a_details.contact_phone.clone(),
                tax_id: c.party_a_details.tax_id.clone(),
            }),
        }),
        Command::ConvertContract(c) => {
            CommandRequest::ConvertContract(pb::ConvertContractRequest {
                header,
                contract_no: c.contract_no.to_string(),
            })
        }
        Command::VoidContract(c) => CommandRequest::VoidContract(pb::VoidContractRequest {
            header,
            contract_no: c.contract_no.to_string(),
            ticket_id: c
                .ticket
                .as_ref()
                .map(|t| t.ticket_id.to_string())
                .unwrap_or_default(),
            void_reason: c
                .ticket
                .as_ref()
                .map(|t| t.reason.clone())
                .unwrap_or_default(),
        }),
        Command::EditContractRemarks(c) => {
            CommandRequest::EditContractRemarks(pb::EditContractRemarksRequest {
                header,
                contract_no: c.contract_no.to_string(),
                remarks: c.remarks.clone(),
            })
        }
        Command::RegisterCustomer(c) => {
            CommandRequest::RegisterCustomer(pb::RegisterCustomerRequest {
                header,
                customer_id: c.customer_id.to_string(),
                name: c.name.clone(),
            })
        }
        Command::CertifyRealName(c) => {
            CommandRequest::CertifyRealName(pb::CertifyRealNameRequest {
                header,
                customer_id: c.customer_id.to_string(),
                name: c.real_name.name.clone(),
                kind: (match c.real_name.kind {
                    CertificationKind::Personal => pb::CertificationKind::Personal,
                    CertificationKind::Enterprise => pb::CertificationKind::Enterprise,
                }) as i32,
            })
        }
        Command::SetRemittanceAccount(c) => {
            CommandRequest::SetRemittanceAccount(pb::SetRemittanceAccountRequest {
                header,
                customer_id: c.customer_id.to_string(),
                bank_name: c.account.bank_name.clone(),
                account_name: c.account.account_name.clone(),
                account_number: c.account.account_number.clone(),
            })
        }
        Command::CreditAccount(c) => CommandRequest::CreditAccount(pb::CreditAccountRequest {
            header,
            top_up_id: c.top_up_id.to_string(),
            customer_id: c.customer_id.to_string(),
            amount: c.amount.to_string(),
            currency: c.currency.to_string(),
        }),
        Command::IssueCoupon(c) => CommandRequest::IssueCoupon(pb::IssueCouponRequest {
            header,
            coupon_id: c.coupon_id.to_string(),
            customer_id: c.customer_id.to_string(),
            kind: u32::from(c.kind.huawei_code()),
            face_value: c.face_value.to_string(),
            currency: c.currency.to_string(),
            valid_from: time(Some(c.valid_from)),
            valid_until: time(Some(c.valid_until)),
            min_order_amount: c
                .min_order_amount
                .map(|m| m.to_string())
                .unwrap_or_default(),
        }),
        Command::PayOrderFromBalance(c) => {
            CommandRequest::PayOrderFromBalance(pb::PayOrderFromBalanceRequest {
                header,
                order_id: c.order_id.to_string(),
                coupons: c
                    .coupons
                    .iter()
                    .map(|u| pb::CouponUse {
                        kind: u32::from(u.kind.huawei_code()),
                        coupon_id: u.coupon_id.to_string(),
                    })
                    .collect(),
            })
        }
        Command::ExpireOrder(_) | Command::InvalidateContract(_) | Command::AcceptLoss(_) => {
            return None
        }
    })
}

/// Sends one request with a bearer token; the reply or the gRPC status.
pub async fn send(
    client: &mut LedgerCommandsClient<Channel>,
    token: &MetadataValue<tonic::metadata::Ascii>,
    request: CommandRequest,
) -> Result<pb::CommandReply, tonic::Status> {
    fn authorized<T>(token: &MetadataValue<tonic::metadata::Ascii>, m: T) -> tonic::Request<T> {
        let mut r = tonic::Request::new(m);
        r.metadata_mut().insert("authorization", token.clone());
        r
    }
    let reply = match request {
        CommandRequest::PlaceOrder(m) => client.place_order(authorized(token, m)).await,
        CommandRequest::PayOrder(m) => client.pay_order(authorized(token, m)).await,
        CommandRequest::CancelOrder(m) => client.cancel_order(authorized(token, m)).await,
        CommandRequest::VoidOrder(m) => client.void_order(authorized(token, m)).await,
        CommandRequest::ApplyContract(m) => client.apply_contract(authorized(token, m)).await,
        CommandRequest::ConvertContract(m) => client.convert_contract(authorized(token, m)).await,
        CommandRequest::VoidContract(m) => client.void_contract(authorized(token, m)).await,
        CommandRequest::EditContractRemarks(m) => {
            client.edit_contract_remarks(authorized(token, m)).await
        }
        CommandRequest::RegisterCustomer(m) => client.register_customer(authorized(token, m)).await,
        CommandRequest::CertifyRealName(m) => client.certify_real_name(authorized(token, m)).await,
        CommandRequest::SetRemittanceAccount(m) => {
            client.set_remittance_account(authorized(token, m)).await
        }
        CommandRequest::CreditAccount(m) => client.credit_account(authorized(token, m)).await,
        CommandRequest::IssueCoupon(m) => client.issue_coupon(authorized(token, m)).await,
        CommandRequest::PayOrderFromBalance(m) => {
            client.pay_order_from_balance(authorized(token, m)).await
        }
    }?;
    Ok(reply.into_inner())
}

impl CommandRequest {
    /// The request as one command of an `ExecuteBatch`.
    pub fn into_batch_command(self) -> pb::BatchCommand {
        use pb::batch_command::Command as C;
        let command = match self {
            CommandRequest::PlaceOrder(m) => C::PlaceOrder(m),
            CommandRequest::PayOrder(m) => C::PayOrder(m),
            CommandRequest::CancelOrder(m) => C::CancelOrder(m),
            CommandRequest::VoidOrder(m) => C::VoidOrder(m),
            CommandRequest::ApplyContract(m) => C::ApplyContract(m),
            CommandRequest::ConvertContract(m) => C::ConvertContract(m),
            CommandRequest::VoidContract(m) => C::VoidContract(m),
            CommandRequest::EditContractRemarks(m) => C::EditContractRemarks(m),
            CommandRequest::RegisterCustomer(m) => C::RegisterCustomer(m),
            CommandRequest::CertifyRealName(m) => C::CertifyRealName(m),
            CommandRequest::SetRemittanceAccount(m) => C::SetRemittanceAccount(m),
            CommandRequest::CreditAccount(m) => C::CreditAccount(m),
            CommandRequest::IssueCoupon(m) => C::IssueCoupon(m),
            CommandRequest::PayOrderFromBalance(m) => C::PayOrderFromBalance(m),
        };
        pb::BatchCommand {
            command: Some(command),
        }
    }
}

/// Sends `requests` as one `ExecuteBatch` with the bearer `token`.
pub async fn send_batch(
    client: &mut LedgerCommandsClient<Channel>,
    token: &MetadataValue<tonic::metadata::Ascii>,
    requests: Vec<CommandRequest>,
) -> Result<Vec<pb::BatchResult>, tonic::Status> {
    let mut r = tonic::Request::new(pb::ExecuteBatchRequest {
        commands: requests
            .into_iter()
            .map(CommandRequest::into_batch_command)
            .collect(),
    });
    r.metadata_mut().insert("authorization", token.clone());
    Ok(client.execute_batch(r).await?.into_inner().results)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grpc::convert;

    fn back(request: CommandRequest, command_id: &str) -> Command {
        let assign = convert::Assign {
            command_id,
            party_b: ledger_sim::plan::PARTY_B,
        };
        match request {
            CommandRequest::PlaceOrder(m) => convert::place_order(m),
            CommandRequest::PayOrder(m) => convert::pay_order(m),
            CommandRequest::CancelOrder(m) => convert::cancel_order(m),
            CommandRequest::VoidOrder(m) => convert::void_order(m),
            CommandRequest::ApplyContract(m) => convert::apply_contract(m, assign),
            CommandRequest::ConvertContract(m) => convert::convert_contract(m),
            CommandRequest::VoidContract(m) => convert::void_contract(m),
            CommandRequest::EditContractRemarks(m) => convert::edit_contract_remarks(m),
            CommandRequest::RegisterCustomer(m) => convert::register_customer(m),
            CommandRequest::CertifyRealName(m) => convert::certify_real_name(m),
            CommandRequest::SetRemittanceAccount(m) => convert::set_remittance_account(m),
            CommandRequest::CreditAccount(m) => convert::credit_account(m),
            CommandRequest::IssueCoupon(m) => convert::issue_coupon(m),
            CommandRequest::PayOrderFromBalance(m) => convert::pay_order_from_balance(m),
        }
        .expect("a request made from a command converts back")
    }

    /// Every command the simulator plans (every order type, fate and
    /// contract end of a few thousand orders, and onboarding) comes back
    /// from its request unchanged.
    #[test]
    fn planned_commands_survive_the_round_trip() {
        let mix = ledger_sim::Mix::default();
        let mut steps = ledger_sim::onboard(&mix, 0);
        for i in 0..3_000 {
            steps.extend(ledger_sim::OrderPlan::new(&mix, i).steps());
        }
        for step in steps {
            let request = command_request(&step.command, &step.command_id).expect("an rpc");
            assert_eq!(
                back(request, &step.command_id),
                step.command,
                "{}",
                step.command_id
            );
        }
    }
}
