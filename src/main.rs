fn main() {
    std::process::exit(ftrun::cli::main());
}
