//! apiprobe-probe
