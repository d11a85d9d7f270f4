fn main() {
    // The zero of `--timeline`'s clock.
    ftrun::timeline::start();
    std::process::exit(ftrun::cli::main());
}
