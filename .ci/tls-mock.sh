# Sourced by the SDK test scripts: builds the mock, starts it over HTTPS on port $1 and waits
# until it answers. With a second argument, the mock is that generated workspace's (as `cargo
# xtask corpus` built it, so nothing is rebuilt), else this checkout's. Sets $work (a temporary
# folder holding mock.pem, the certificate clients trust) and stops the mock and removes $work
# on exit.
if [ -n "${2:-}" ]; then
  CARGO_TARGET_DIR="$PWD/target" cargo build --quiet --manifest-path "$2/Cargo.toml" \
    --workspace --bins --tests
else
  cargo build -p graph-mock --locked
fi
work=$(mktemp -d)
target/debug/graph-mock --port "$1" --tls --tls-cert-out "$work/mock.pem" > "target/tls-mock-$1.log" 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  [ -s "$work/mock.pem" ] && curl -fs --cacert "$work/mock.pem" "https://127.0.0.1:$1/beta/\$openapi" > /dev/null && break
  sleep 0.2
done
