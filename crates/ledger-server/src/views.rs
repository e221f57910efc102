//! JSON views of the read models (amounts as decimal strings), shared by
//! the `/v1` REST resources and the gRPC queries.
