//! apiprobe-explain
