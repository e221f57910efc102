//! The real server on port 0 over a temp data directory, and clients that
//! authenticate the way real callers do.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use ledger_app::ManualClock;
use ledger_auth::signing::{format_sdk_date, sign};
use ledger_auth::{Credentials, KeyStore, Role, SignedRequest};
use ledger_server::pb::ledger_admin_client::LedgerAdminClient;
use ledger_server::pb::ledger_commands_client::LedgerCommandsClient;
use ledger_server::pb::ledger_queries_client::LedgerQueriesClient;
use ledger_server::{Config, Server, ServerHandle, State};
use tempfile::TempDir;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic_types::StatusExt;

use crate::t0;

/// A server under test. Its clock is manual, starting at [`t0`].
pub struct TestServer {
    handle: Option<ServerHandle>,
    pub dir: TempDir,
    pub clock: Arc<ManualClock>,
}

fn config(dir: &TempDir) -> Config {
    Config {
        data_dir: dir.path().to_path_buf(),
        grpc_listen: "127.0.0.1:0".parse().expect("addr"),
        http_listen: "127.0.0.1:0".parse().expect("addr"),
        ..Config::default()
    }
}

impl TestServer {
    pub async fn start() -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(ManualClock::new(t0()));
        let handle = Server::start(&config(&dir), clock.clone())
            .await
            .expect("server starts");
        TestServer {
            handle: Some(handle),
            dir,
            clock,
        }
    }

    fn handle(&self) -> &ServerHandle {
        self.handle.as_ref().expect("server running")
    }

    /// Stops gracefully and starts again on the same data directory (new
    /// ports).
    pub async fn restart(&mut self) {
        self.handle.take().expect("server running").shutdown().await;
        let handle = Server::start(&config(&self.dir), self.clock.clone())
            .await
            .expect("server restarts");
        self.handle = Some(handle);
    }

    pub async fn shutdown(mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown().await;
        }
    }

    pub fn state(&self) -> &Arc<State> {
        &self.handle().state
    }

    /// `http://127.0.0.1:<port>`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.handle().http_addr)
    }

    pub fn grpc_url(&self) -> String {
        format!("http://{}", self.handle().grpc_addr)
    }

    /// A new key in the server's key store (as `order-ledger keys create`).
    pub fn create_key(&self, role: Role) -> Credentials {
        KeyStore::open(self.dir.path().join("keys.json"))
            .expect("key store")
            .create(role, Utc::now())
            .expect("key created")
    }

    /// A new key living `ttl` from the server's clock (`None`: never
    /// expires), as `order-ledger keys create --ttl`.
    pub fn create_key_with_ttl(&self, role: Role, ttl: Option<chrono::Duration>) -> Credentials {
        use ledger_app::Clock as _;
        KeyStore::open(self.dir.path().join("keys.json"))
            .expect("key store")
            .create_with_ttl(role, self.clock.now(), ttl)
            .expect("key created")
    }

    async fn channel(&self) -> Channel {
        Channel::from_shared(self.grpc_url())
            .expect("url")
            .connect()
            .await
            .expect("grpc connects")
    }

    pub async fn commands(
        &self,
        token: &str,
    ) -> LedgerCommandsClient<InterceptedService<Channel, Bearer>> {
        LedgerCommandsClient::with_interceptor(self.channel().await, Bearer::new(token))
    }

    pub async fn queries(
        &self,
        token: &str,
    ) -> LedgerQueriesClient<InterceptedService<Channel, Bearer>> {
        LedgerQueriesClient::with_interceptor(self.channel().await, Bearer::new(token))
    }

    pub async fn admin(
        &self,
        token: &str,
    ) -> LedgerAdminClient<InterceptedService<Channel, Bearer>> {
        LedgerAdminClient::with_interceptor(self.channel().await, Bearer::new(token))
    }
}

/// Adds `authorization: Bearer <token>` to every gRPC call.
#[derive(Clone)]
pub struct Bearer(tonic::metadata::MetadataValue<tonic::metadata::Ascii>);

impl Bearer {
    pub fn new(token: &str) -> Bearer {
        Bearer(format!("Bearer {token}").parse().expect("ascii token"))
    }
}

impl tonic::service::Interceptor for Bearer {
    fn call(&mut self, mut req: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        req.metadata_mut().insert("authorization", self.0.clone());
        Ok(req)
    }
}

/// Signs HTTP requests exactly as the Huawei SDK does: the same headers
/// (Content-Type, Host, User-Agent, X-Domain-Id, X-Sdk-Date), all signed,
/// SDK-HMAC-SHA256 over the raw path, query and body.
pub struct Signer {
    pub client: reqwest::Client,
    pub base_url: String,
    pub creds: Credentials,
    pub domain_id: String,
}

impl Signer {
    pub fn new(base_url: String, creds: Credentials, domain_id: &str) -> Signer {
        Signer {
            client: reqwest::Client::new(),
            base_url,
            creds,
            domain_id: domain_id.to_owned(),
        }
    }

    /// A request signed at `at` (the server's clock must be within 15
    /// minutes of it).
    pub fn request(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        body: Option<&str>,
        at: DateTime<Utc>,
    ) -> reqwest::RequestBuilder {
        let host = self.base_url.trim_start_matches("http://").to_owned();
        let date = format_sdk_date(at);
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        let headers = [
            ("Content-Type", "application/json"),
            ("Host", host.as_str()),
            ("User-Agent", "huaweicloud-usdk-python/3.0"),
            ("X-Domain-Id", self.domain_id.as_str()),
            ("X-Sdk-Date", date.as_str()),
        ];
        let request = SignedRequest {
            method: method.as_str(),
            raw_path: path,
            raw_query: query,
            headers: &headers,
            body: body.unwrap_or("").as_bytes(),
        };
        let authorization = sign(
            &request,
            self.creds.access_key.as_str(),
            self.creds.secret_key.expose().as_bytes(),
        )
        .expect("signs");
        let mut builder = self
            .client
            .request(method, format!("{}{path_and_query}", self.base_url));
        for (k, v) in headers {
            if k != "Host" {
                builder = builder.header(k, v);
            }
        }
        builder = builder.header("Authorization", authorization.to_string());
        if let Some(b) = body {
            builder = builder.body(b.to_owned());
        }
        builder
    }
}

/// A gRPC refusal with this status code and stable error code: in the
/// `x-error-code` metadata, as the message's prefix, and as the reason of
/// the google.rpc.ErrorInfo detail.
#[track_caller]
pub fn assert_refused(status: &tonic::Status, grpc: tonic::Code, code: &str) {
    assert_eq!(status.code(), grpc, "{status:?}");
    assert_eq!(
        status
            .metadata()
            .get("x-error-code")
            .and_then(|v| v.to_str().ok()),
        Some(code),
        "{status:?}"
    );
    assert!(status.message().starts_with(code), "{}", status.message());
    let info = status
        .get_error_details()
        .error_info()
        .cloned()
        .expect("an ErrorInfo detail");
    assert_eq!(info.reason, code);
    assert_eq!(info.domain, "order-ledger");
}

/// The protobuf twin of [`crate::place_order`]: list 100.00, discount 301 of
/// 10.00, coupon 5.00, so 85.00 due.
pub fn pb_place_order(
    command_id: &str,
    customer: &str,
    order: &str,
) -> ledger_server::pb::PlaceOrderRequest {
    use ledger_server::pb;
    pb::PlaceOrderRequest {
        header: Some(pb_header(command_id)),
        order_id: order.into(),
        customer_id: customer.into(),
        base_order_id: String::new(),
        source_type: 1,
        product_name: "Elastic Volume Service".into(),
        service_type_code: "hws.service.type.ebs".into(),
        order_type: pb::OrderType::Purchase as i32,
        charge_type: pb::ChargeType::Subscription as i32,
        currency: "USD".into(),
        line_items: vec![pb::LineItem {
            line_item_id: format!("{order}-000001"),
            service_type_code: "hws.service.type.ebs".into(),
            product_id: "d5d3d24".into(),
            configuration: "Common I/O, 100 GB".into(),
            category_code: "hws.resource.storage1.evs".into(),
            count: 1,
            period_type: 2,
            period_number: 1,
            unit_price: "100.00".into(),
            unit_price_per: pb::PriceUnit::Month as i32,
            valid_from: String::new(),
            expires_at: String::new(),
            pricing: Some(pb::Pricing {
                list_price: "100.00".into(),
                discounts: vec![pb::Discount {
                    discount_type: 301,
                    amount: "10.00".into(),
                }],
                coupon_amount: "5.00".into(),
                card_amount: String::new(),
                cash_coupon_amount: String::new(),
            }),
        }],
        instance_ids: vec![format!("vol-{order}")],
        amount_due: "85.00".into(),
        payment_deadline: String::new(),
        sales_contract_id: String::new(),
    }
}

pub fn pb_header(command_id: &str) -> ledger_server::pb::CommandHeader {
    ledger_server::pb::CommandHeader {
        command_id: command_id.into(),
        causation_id: String::new(),
        correlation_id: String::new(),
    }
}

/// Registers, certifies and gives a remittance account to `customer` over
/// gRPC, as the identity service would.
pub async fn pb_onboard(
    commands: &mut LedgerCommandsClient<InterceptedService<Channel, Bearer>>,
    customer: &str,
) {
    use ledger_server::pb;
    commands
        .register_customer(pb::RegisterCustomerRequest {
            header: Some(pb_header(&format!("register-{customer}"))),
            customer_id: customer.into(),
            name: format!("{customer} ltd"),
        })
        .await
        .expect("registered");
    commands
        .certify_real_name(pb::CertifyRealNameRequest {
            header: Some(pb_header(&format!("certify-{customer}"))),
            customer_id: customer.into(),
            name: format!("{customer} Technology Co., Ltd."),
            kind: pb::CertificationKind::Enterprise as i32,
        })
        .await
        .expect("certified");
    commands
        .set_remittance_account(pb::SetRemittanceAccountRequest {
            header: Some(pb_header(&format!("remit-{customer}"))),
            customer_id: customer.into(),
            bank_name: "China Merchants Bank".into(),
            account_name: "Cloud Billing".into(),
            account_number: "6214 8300 0000 0001".into(),
        })
        .await
        .expect("remittance account set");
}
