//! The README's capability table is the capability map and the list of
//! connectors, written out: this test rebuilds it from the code and fails
//! when the two disagree, printing the table to paste.

use piazza_desk::ConnectorKind;
use piazza_platforms::{Capabilities, Operation, Platform};

fn table() -> String {
    let ops = [
        Operation::Hide,
        Operation::Delete,
        Operation::Reply,
        Operation::PrivateReply,
        Operation::Ban,
        Operation::Report,
        Operation::Publish,
    ];
    let mut out = String::from(
        "| piattaforma | nascondere | cancellare | rispondere | motivazione in privato | allontanare | segnalare | pubblicare | connettore in Piazza |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for p in Platform::ALL {
        let caps = Capabilities::of(*p);
        let connected = ConnectorKind::ALL.iter().any(|k| k.platform() == Some(*p));
        out.push_str(&format!("| {} |", p.label_it()));
        for op in ops {
            out.push_str(if caps.support(op).is_yes() {
                " sì |"
            } else {
                " no |"
            });
        }
        out.push_str(if connected {
            " sì |\n"
        } else {
            " non ancora |\n"
        });
    }
    out
}

#[test]
fn the_readme_table_is_the_capability_map() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md at the workspace root");
    let expected = table();
    assert!(
        readme.contains(&expected),
        "the README's capability table differs from the code; it should read:\n\n{expected}"
    );
}
