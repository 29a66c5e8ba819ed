//! Sets the linker arguments a Node addon needs (napi symbols resolved at load time).
fn main() {
    napi_build::setup();
}
