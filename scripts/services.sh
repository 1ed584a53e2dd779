#!/usr/bin/env bash
# Start the servers the tests need (PostgreSQL, MariaDB, Redis, RabbitMQ) when they are not
# running; fail if one cannot start.
set -u

wait_for() {  # name, check command...
    local name=$1; shift
    for _ in $(seq 1 60); do
        if "$@" >/dev/null 2>&1; then echo "services: $name is up"; return 0; fi
        sleep 1
    done
    echo "services: $name did not come up" >&2
    return 1
}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q; }
maria_up() { mariadb-admin -h 127.0.0.1 -P 3306 -uroot ping; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = PONG ]; }
rabbit_up() { (exec 3<>/dev/tcp/127.0.0.1/5672) && rabbitmq-diagnostics -q check_running >/dev/null; }

if ! pg_up 2>/dev/null; then
    echo "services: starting PostgreSQL"
    command -v pg_ctlcluster >/dev/null || { echo "services: PostgreSQL is not installed" >&2; exit 1; }
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
wait_for PostgreSQL pg_up || exit 1

if ! maria_up 2>/dev/null; then
    echo "services: starting MariaDB"
    [ -x /usr/sbin/mariadbd ] || { echo "services: MariaDB is not installed" >&2; exit 1; }
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
wait_for MariaDB maria_up || exit 1

if ! redis_up 2>/dev/null; then
    echo "services: starting Redis"
    command -v redis-server >/dev/null || { echo "services: Redis is not installed" >&2; exit 1; }
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
wait_for Redis redis_up || exit 1

if ! rabbit_up 2>/dev/null; then
    echo "services: starting RabbitMQ"
    command -v rabbitmq-server >/dev/null || { echo "services: RabbitMQ is not installed" >&2; exit 1; }
    rabbitmq-server -detached || true
fi
wait_for RabbitMQ rabbit_up || exit 1
