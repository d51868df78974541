#!/bin/sh
# One-shot bucket and credentials set-up for MinIO (the minio-init service in compose.yml; image minio/mc).
# Idempotent: safe to run on every `docker compose up`.
#
# 1. The evidence bucket, created WITH Object Lock (`--with-lock`, which also turns versioning on).
#    Object Lock can only be enabled when a bucket is created: a bucket that already exists without
#    it stays without it, and the API (STORAGE_REQUIRE_WORM=true) then refuses to start, naming it.
#    No default retention is set on purpose: the API puts a retention (STORAGE_RETENTION_MODE,
#    STORAGE_RETENTION_YEARS) on each evidence item and packet once its database row is committed,
#    and deletes the version of an upload that failed before that; a bucket default would lock those
#    failed versions too.
# 2. The API's own S3 user (S3_ACCESS_KEY / S3_SECRET_KEY) with a policy limited to that bucket:
#    read, write, multipart, retention and legal hold. Not: create or delete buckets, change the
#    bucket's lock or versioning configuration, or bypass governance retention.
set -eu
: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}"
BUCKET="${S3_BUCKET:-ion-evidence}"
ENDPOINT="${MINIO_ENDPOINT:-http://minio:9000}"
export MC_CONFIG_DIR="${MC_CONFIG_DIR:-/tmp/.mc}"

mc alias set ion "$ENDPOINT" "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc ready ion

mc mb --with-lock --ignore-existing "ion/$BUCKET"
mc anonymous set none "ion/$BUCKET"
mc version info "ion/$BUCKET"

policy="$MC_CONFIG_DIR/ion-api-policy.json"
cat > "$policy" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads",
        "s3:GetBucketObjectLockConfiguration", "s3:GetBucketVersioning"
      ],
      "Resource": ["arn:aws:s3:::$BUCKET"]
    },
    {
      "Effect": "Allow",
      "Action": [
        "s3:PutObject", "s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject", "s3:DeleteObjectVersion",
        "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
        "s3:PutObjectRetention", "s3:GetObjectRetention", "s3:PutObjectLegalHold", "s3:GetObjectLegalHold"
      ],
      "Resource": ["arn:aws:s3:::$BUCKET/*"]
    }
  ]
}
JSON
mc admin user add ion "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
mc admin policy create ion ion-api "$policy"
if ! out=$(mc admin policy attach ion ion-api --user "$S3_ACCESS_KEY" 2>&1); then
  case "$out" in
    *already*) echo "policy ion-api already attached to $S3_ACCESS_KEY" ;;
    *) echo "$out" >&2; exit 1 ;;
  esac
fi
echo "ion: bucket $BUCKET (Object Lock) and S3 user $S3_ACCESS_KEY ready"
