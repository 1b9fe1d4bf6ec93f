//! apiprobe-web
