//! Compiles proto/ with protox (pure Rust): no system protoc needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_root = "../../proto";
    let file = "../../proto/ledger/v1/ledger.proto";
    // ledger.proto imports enums.proto and views.proto from here.
    println!("cargo:rerun-if-changed=../../proto/ledger/v1");
    let descriptors = protox::compile([file], [proto_root])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // JSON in and out for the `order-ledger call` client: field names
        // as in the proto, enums as their numbers, absent fields default.
        .message_attribute(
            ".ledger.v1",
            "#[derive(serde::Serialize, serde::Deserialize)] #[serde(default)]",
        )
        .enum_attribute(
            ".ledger.v1",
            "#[derive(serde::Serialize, serde::Deserialize)]",
        )
        .compile_fds(descriptors)?;
    Ok(())
}
