//! The bodies that command fingerprints hash ([`crate::payload::command_fingerprint`]).
//!
//! A command is never stored, but its fingerprint is (in every record's
//! metadata) and a retry under the same command id is compared by it, so
//! these bodies are a format like the events: field and variant order
//! here, not the domain's, make the bytes. They are only ever encoded,
//! never decoded. Changing one changes the fingerprint of every such
//! command: a retry across the change would be refused as a different
//! command. `tests/golden_fingerprints` pins them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use ledger_domain::{account, contract, customer, operations, order, payment};

use super::catalog::{CertificationKind, ContractKind, VoucherKind};
use super::contract::{DocumentSeal, PartyADetails, VoidTicket};
use super::coupon::CouponSpec;
use super::customer::{RealName, RemittanceAccount};
use super::order::{OrderSpecV2, Payment};

#[derive(Debug, Serialize)]
pub struct PlaceOrder {
    pub spec: OrderSpecV2,
    pub payment_deadline: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct PayOrder {
    pub order_id: String,
    pub payment: Payment,
}

#[derive(Debug, Serialize)]
pub struct CancelOrder {
    pub order_id: String,
}

#[derive(Debug, Serialize)]
pub struct VoidOrder {
    pub order_id: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct ExpireOrder {
    pub order_id: String,
}

#[derive(Debug, Serialize)]
pub struct ApplyContract {
    pub contract_no: String,
    pub customer_id: String,
    pub kind: ContractKind,
    pub order_ids: Vec<String>,
    pub party_a_kind: Option<CertificationKind>,
    pub party_a_details: PartyADetails,
    pub party_b: String,
    pub remarks: String,
}

/// The document is left out when absent, so a face's conversion
/// fingerprints as it did before documents were sealed.
#[derive(Debug, Serialize)]
pub struct ConvertContract {
    pub contract_no: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentSeal>,
}

#[derive(Debug, Serialize)]
pub struct VoidContract {
    pub contract_no: String,
    pub ticket: Option<VoidTicket>,
}

#[derive(Debug, Serialize)]
pub struct EditContractRemarks {
    pub contract_no: String,
    pub remarks: String,
}

#[derive(Debug, Serialize)]
pub struct InvalidateContract {
    pub contract_no: String,
}

#[derive(Debug, Serialize)]
pub struct RegisterCustomer {
    pub customer_id: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct CertifyRealName {
    pub customer_id: String,
    pub real_name: RealName,
}

#[derive(Debug, Serialize)]
pub struct SetRemittanceAccount {
    pub customer_id: String,
    pub account: RemittanceAccount,
}

#[derive(Debug, Serialize)]
pub struct AcceptLoss {
    pub first_position: u64,
    pub last_position: u64,
    pub head_position: u64,
    pub reason: String,
    pub record_sha256: String,
}

#[derive(Debug, Serialize)]
pub struct CreditAccount {
    pub top_up_id: String,
    pub customer_id: String,
    pub amount: String,
    pub currency: String,
}

/// The same fields as the coupon `CouponIssued` records.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct IssueCoupon(pub CouponSpec);

#[derive(Debug, Serialize)]
pub struct CouponUse {
    pub kind: VoucherKind,
    pub coupon_id: String,
}

#[derive(Debug, Serialize)]
pub struct PayOrderFromBalance {
    pub order_id: String,
    pub coupons: Vec<CouponUse>,
}

impl From<&order::PlaceOrder> for PlaceOrder {
    fn from(c: &order::PlaceOrder) -> Self {
        let order::PlaceOrder {
            spec,
            payment_deadline,
        } = c;
        PlaceOrder {
            spec: spec.into(),
            payment_deadline: *payment_deadline,
        }
    }
}

impl From<&order::PayOrder> for PayOrder {
    fn from(c: &order::PayOrder) -> Self {
        let order::PayOrder { order_id, payment } = c;
        PayOrder {
            order_id: order_id.to_string(),
            payment: payment.into(),
        }
    }
}

impl From<&order::CancelOrder> for CancelOrder {
    fn from(c: &order::CancelOrder) -> Self {
        let order::CancelOrder { order_id } = c;
        CancelOrder {
            order_id: order_id.to_string(),
        }
    }
}

impl From<&order::VoidOrder> for VoidOrder {
    fn from(c: &order::VoidOrder) -> Self {
        let order::VoidOrder { order_id, reason } = c;
        VoidOrder {
            order_id: order_id.to_string(),
            reason: reason.clone(),
        }
    }
}

impl From<&order::ExpireOrder> for ExpireOrder {
    fn from(c: &order::ExpireOrder) -> Self {
        let order::ExpireOrder { order_id } = c;
        ExpireOrder {
            order_id: order_id.to_string(),
        }
    }
}

impl From<&contract::ApplyContract> for ApplyContract {
    fn from(c: &contract::ApplyContract) -> Self {
        let contract::ApplyContract {
            contract_no,
            customer_id,
            kind,
            order_ids,
            party_a_kind,
            party_a_details,
            party_b,
            remarks,
        } = c;
        ApplyContract {
            contract_no: contract_no.to_string(),
            customer_id: customer_id.to_string(),
            kind: kind.into(),
            order_ids: order_ids.iter().map(ToString::to_string).collect(),
            party_a_kind: party_a_kind.map(Into::into),
            party_a_details: party_a_details.into(),
            party_b: party_b.clone(),
            remarks: remarks.clone(),
        }
    }
}

impl From<&contract::ConvertContract> for ConvertContract {
    fn from(c: &contract::ConvertContract) -> Self {
        let contract::ConvertContract {
            contract_no,
            document,
        } = c;
        ConvertContract {
            contract_no: contract_no.to_string(),
            document: document.as_ref().map(Into::into),
        }
    }
}

impl From<&contract::VoidContract> for VoidContract {
    fn from(c: &contract::VoidContract) -> Self {
        let contract::VoidContract {
            contract_no,
            ticket,
        } = c;
        VoidContract {
            contract_no: contract_no.to_string(),
            ticket: ticket.as_ref().map(Into::into),
        }
    }
}

impl From<&contract::EditContractRemarks> for EditContractRemarks {
    fn from(c: &contract::EditContractRemarks) -> Self {
        let contract::EditContractRemarks {
            contract_no,
            remarks,
        } = c;
        EditContractRemarks {
            contract_no: contract_no.to_string(),
            remarks: remarks.clone(),
        }
    }
}

impl From<&contract::InvalidateContract> for InvalidateContract {
    fn from(c: &contract::InvalidateContract) -> Self {
        let contract::InvalidateContract { contract_no } = c;
        InvalidateContract {
            contract_no: contract_no.to_string(),
        }
    }
}

impl From<&customer::RegisterCustomer> for RegisterCustomer {
    fn from(c: &customer::RegisterCustomer) -> Self {
        let customer::RegisterCustomer { customer_id, name } = c;
        RegisterCustomer {
            customer_id: customer_id.to_string(),
            name: name.clone(),
        }
    }
}

impl From<&customer::CertifyRealName> for CertifyRealName {
    fn from(c: &customer::CertifyRealName) -> Self {
        let customer::CertifyRealName {
            customer_id,
            real_name,
        } = c;
        CertifyRealName {
            customer_id: customer_id.to_string(),
            real_name: real_name.into(),
        }
    }
}

impl From<&customer::SetRemittanceAccount> for SetRemittanceAccount {
    fn from(c: &customer::SetRemittanceAccount) -> Self {
        let customer::SetRemittanceAccount {
            customer_id,
            account,
        } = c;
        SetRemittanceAccount {
            customer_id: customer_id.to_string(),
            account: account.into(),
        }
    }
}

impl From<&operations::AcceptLoss> for AcceptLoss {
    fn from(c: &operations::AcceptLoss) -> Self {
        let operations::AcceptLoss {
            first_position,
            last_position,
            head_position,
            reason,
            record_sha256,
        } = c;
        AcceptLoss {
            first_position: *first_position,
            last_position: *last_position,
            head_position: *head_position,
            reason: reason.clone(),
            record_sha256: record_sha256.clone(),
        }
    }
}

impl From<&account::CreditAccount> for CreditAccount {
    fn from(c: &account::CreditAccount) -> Self {
        let account::CreditAccount {
            top_up_id,
            customer_id,
            amount,
            currency,
        } = c;
        CreditAccount {
            top_up_id: top_up_id.to_string(),
            customer_id: customer_id.to_string(),
            amount: amount.to_string(),
            currency: currency.to_string(),
        }
    }
}

impl From<&ledger_domain::coupon::IssueCoupon> for IssueCoupon {
    fn from(c: &ledger_domain::coupon::IssueCoupon) -> Self {
        IssueCoupon(c.into())
    }
}

impl From<&payment::PayOrderFromBalance> for PayOrderFromBalance {
    fn from(c: &payment::PayOrderFromBalance) -> Self {
        let payment::PayOrderFromBalance { order_id, coupons } = c;
        PayOrderFromBalance {
            order_id: order_id.to_string(),
            coupons: coupons
                .iter()
                .map(|payment::CouponUse { kind, coupon_id }| CouponUse {
                    kind: kind.into(),
                    coupon_id: coupon_id.to_string(),
                })
                .collect(),
        }
    }
}
