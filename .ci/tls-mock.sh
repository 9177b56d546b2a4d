# Sourced by the SDK test scripts: builds the graph-mock binary, starts it over HTTPS on port $1
# with the rest of the arguments (what to serve: `--spec spec`, `--api beta`, or none for all of
# Graph) and waits until it answers. Sets $work (a temporary folder holding mock.pem, the
# certificate clients trust) and stops the mock and removes $work on exit. Any HTTP answer (a
# 404 for /) says it is up.
port=$1
shift
cargo build -p graph-mock --locked
work=$(mktemp -d)
target/debug/graph-mock "$@" --port "$port" --tls --tls-cert-out "$work/mock.pem" > "target/tls-mock-$port.log" 2>&1 &
mock=$!
trap 'kill "$mock" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  [ -s "$work/mock.pem" ] && curl -s --cacert "$work/mock.pem" -o /dev/null "https://127.0.0.1:$port/" && break
  sleep 0.2
done
