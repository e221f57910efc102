//! The behaviour every `EventStore` engine must show (filled in by the engines' work).
