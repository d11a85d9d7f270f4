// Links mimalloc in place of musl's malloc (see Cargo.toml); nothing calls it by name.
#[cfg(target_env = "musl")]
use libmimalloc_sys as _;

fn main() {
    // The zero of `--timeline`'s clock.
    ftrun::timeline::start();
    std::process::exit(ftrun::cli::main());
}
