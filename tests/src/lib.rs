//! Shared fixtures for the workspace's cross-crate tests.
