#!/usr/bin/env bash
# Installs the real servers that tests/ecosystem/test_eco_servers.py runs over
# TLS on loopback: PostgreSQL, Redis, Mosquitto, MariaDB, OpenLDAP (slapd) and
# vsftpd. Idempotent: it does nothing when every binary is present; otherwise
# one `apt-get update`, then one `apt-get install` of the missing packages.
# Without root or apt-get it only says what is missing (those tests then skip,
# naming the package).
set -euo pipefail

# binary:Debian package. PostgreSQL's binaries live in a versioned directory.
TOOLS="postgres:postgresql redis-server:redis-server mosquitto:mosquitto mariadbd:mariadb-server mariadb-install-db:mariadb-server slapd:slapd slapadd:slapd vsftpd:vsftpd"

have() {
	local bin=$1
	PATH="$PATH:/usr/sbin:/sbin" command -v "$bin" >/dev/null 2>&1 && return 0
	compgen -G "/usr/lib/postgresql/*/bin/$bin" >/dev/null 2>&1
}

missing=""
for pair in $TOOLS; do
	bin=${pair%%:*}
	pkg=${pair#*:}
	if ! have "$bin" && [[ " $missing " != *" $pkg "* ]]; then
		missing="$missing $pkg"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "ecosystem servers: missing$missing (needs root and apt-get; those tests will skip)"
	exit 0
fi

echo "ecosystem servers: installing$missing"
log=$(mktemp)
export DEBIAN_FRONTEND=noninteractive
# The tests start their own instances on free ports; the packages' own
# services are not wanted (Docker images usually forbid them already).
created_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	created_policy=1
fi
status=0
# shellcheck disable=SC2086 # $missing is a list of package names
if apt-get update -qq >"$log" 2>&1 &&
	apt-get install -y -qq --no-install-recommends $missing >>"$log" 2>&1; then
	:
else
	status=1
	cat "$log"
fi
[ -n "$created_policy" ] && rm -f /usr/sbin/policy-rc.d
rm -f "$log"
exit $status
