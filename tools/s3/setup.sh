#!/usr/bin/env bash
# Installs the pinned s3rver and fixes its XML namespace (it answers with a wrong xmlns, so S3 clients
# such as the Minio SDK silently read empty listings). Idempotent.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -d node_modules/s3rver ]; then npm ci --no-audit --no-fund --silent; fi
sed -i 's#http://doc.s3.amazonaws.com/2006-03-01/#http://s3.amazonaws.com/doc/2006-03-01/#g' node_modules/s3rver/lib/controllers/*.js
