//! Runs the contract server until stdin closes or the process is stopped, printing its base URL first:
//! what `bench/contract.sh` probes with schemathesis and `apiprobe contract` side by side.

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = apiprobe_testkit::ContractServer::spawn()?;
    println!("{}", server.url(""));
    // Keep serving until whoever started us closes our stdin (or kills us).
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    Ok(())
}
