//! Domain event payloads (filled in with the domain).
