#!/usr/bin/env bash
# Starts a throwaway standalone ZooKeeper on 127.0.0.1:${PORT:-2181} in the foreground, from
# Debian's package (scripts/install-deps.sh installs it). Data lives in a temp dir that is
# removed on exit. Ctrl-C stops it.
set -euo pipefail
PORT="${PORT:-2181}"
J=/usr/share/java
[ -f "$J/zookeeper.jar" ] || { echo "ZooKeeper jars not found: run scripts/install-deps.sh" >&2; exit 1; }
dir="$(mktemp -d -t zkurator-dev-XXXXXX)"
trap 'rm -rf "$dir"' EXIT
cat > "$dir/zoo.cfg" <<CFG
tickTime=2000
dataDir=$dir/data
clientPort=$PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=*
CFG
cp=""
for jar in zookeeper zookeeper-jute netty-handler netty-transport netty-common netty-buffer \
           netty-resolver netty-codec netty-transport-native-epoll netty-transport-native-unix-common \
           slf4j-api slf4j-simple metrics-core snappy-java commons-io commons-cli; do
  [ -f "$J/$jar.jar" ] && cp="$cp:$J/$jar.jar"
done
echo "ZooKeeper on 127.0.0.1:$PORT (data in $dir); Ctrl-C to stop" >&2
java -Xmx256m -cp "${cp#:}" org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zoo.cfg" 2>"$dir/server.log"
