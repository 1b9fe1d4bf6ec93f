//! apiprobe-testkit
