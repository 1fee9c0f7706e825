fn main() {
    let b = std::fs::read(std::env::args().nth(1).unwrap()).unwrap();
    let m = piazza_analysis::ModelBundle::from_bytes(&b).unwrap();
    for (h, g) in m.heads.iter().zip(&m.gates) {
        println!("{} t={:.2} w={:?}", h.name, g.threshold, g.weights.iter().map(|w| format!("{w:.2}")).collect::<Vec<_>>());
    }
}
