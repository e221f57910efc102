//! `call <Rpc> <json>`: a small gRPC client for the tour and for scripts.
//! The request is the proto message as JSON (field names as in
//! proto/ledger/v1/*.proto, enums as numbers); the reply is printed the
//! same way (a query's typed reply with its deprecated `json` while it
//! lasts).

use std::io::Read as _;

use anyhow::Context as _;
use clap::Args;
use ledger_server::pb;
use ledger_server::pb::ledger_admin_client::LedgerAdminClient;
use ledger_server::pb::ledger_commands_client::LedgerCommandsClient;
use ledger_server::pb::ledger_queries_client::LedgerQueriesClient;
use tonic::metadata::MetadataValue;
use tonic::transport::Channel;
use tonic::Request;

#[derive(Args)]
pub struct CallArgs {
    /// The RPC, e.g. PlaceOrder, PayOrder, ListOrders, GetOrder, Head.
    rpc: String,
    /// The request as JSON; `@file` reads a file, `-` reads stdin.
    #[arg(default_value = "{}")]
    request: String,
    /// The server's gRPC address.
    #[arg(long, default_value = "http://127.0.0.1:50051")]
    server: String,
    /// A bearer token from `keys create`.
    #[arg(long, env = "ORDER_LEDGER_TOKEN", hide_env_values = true)]
    token: String,
}

fn read_request(arg: &str) -> anyhow::Result<String> {
    if arg == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path).with_context(|| format!("reading {path}"))
    } else {
        Ok(arg.to_owned())
    }
}

fn authorized<T>(token: &str, message: T) -> anyhow::Result<Request<T>> {
    let mut req = Request::new(message);
    let value: MetadataValue<_> = format!("Bearer {token}")
        .parse()
        .context("the token must be ascii")?;
    req.metadata_mut().insert("authorization", value);
    Ok(req)
}

macro_rules! dispatch {
    ($args:expr, $json:expr, $channel:expr;
     $( $client:ident { $( $rpc:literal => $method:ident($req:ty) ),* $(,)? } )*) => {{
        match $args.rpc.as_str() {
            $( $(
                $rpc => {
                    let message: $req = serde_json::from_str(&$json)
                        .with_context(|| format!("{} request", $rpc))?;
                    let mut client = $client::new($channel.clone());
                    let reply = client
                        .$method(authorized(&$args.token, message)?)
                        .await
                        .map_err(|s| anyhow::anyhow!("{}: {}", s.code(), s.message()))?
                        .into_inner();
                    println!("{}", serde_json::to_string_pretty(&reply)?);
                }
            )* )*
            other => anyhow::bail!("unknown or streaming rpc {other}"),
        }
    }};
}

pub async fn run(args: CallArgs) -> anyhow::Result<()> {
    let json = read_request(&args.request)?;
    let channel = Channel::from_shared(args.server.clone())
        .context("--server must be a url")?
        .connect()
        .await
        .with_context(|| format!("connecting to {}", args.server))?;
    dispatch!(args, json, channel;
        LedgerCommandsClient {
            "PlaceOrder" => place_order(pb::PlaceOrderRequest),
            "PayOrder" => pay_order(pb::PayOrderRequest),
            "CancelOrder" => cancel_order(pb::CancelOrderRequest),
            "VoidOrder" => void_order(pb::VoidOrderRequest),
            "ApplyContract" => apply_contract(pb::ApplyContractRequest),
            "ConvertContract" => convert_contract(pb::ConvertContractRequest),
            "VoidContract" => void_contract(pb::VoidContractRequest),
            "EditContractRemarks" => edit_contract_remarks(pb::EditContractRemarksRequest),
            "RegisterCustomer" => register_customer(pb::RegisterCustomerRequest),
            "CertifyRealName" => certify_real_name(pb::CertifyRealNameRequest),
            "SetRemittanceAccount" => set_remittance_account(pb::SetRemittanceAccountRequest),
            "CreditAccount" => credit_account(pb::CreditAccountRequest),
            "IssueCoupon" => issue_coupon(pb::IssueCouponRequest),
            "PayOrderFromBalance" => pay_order_from_balance(pb::PayOrderFromBalanceRequest),
        }
        LedgerQueriesClient {
            "ListOrders" => list_orders(pb::ListOrdersRequest),
            "GetOrder" => get_order(pb::GetOrderRequest),
            "GetOrderDeductions" => get_order_deductions(pb::GetOrderRequest),
            "ListContracts" => list_contracts(pb::ListContractsRequest),
            "GetContract" => get_contract(pb::GetContractRequest),
            "GetAggregate" => get_aggregate(pb::GetAggregateRequest),
        }
        LedgerAdminClient {
            "Head" => head(pb::HeadRequest),
            "ProjectionStatus" => projection_status(pb::ProjectionStatusRequest),
            "Backup" => backup(pb::BackupRequest),
        }
    );
    Ok(())
}
