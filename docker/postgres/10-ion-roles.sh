#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory
# (/docker-entrypoint-initdb.d). Creates what the service expects (see
# libs/database/src/migrations/1763700000000-create-app-role-and-users.ts and README "A real deployment"):
#
#   ion_owner  LOGIN, not a superuser: owns the database and its schema; runs the migrations
#              (DATABASE_MIGRATION_URL).
#   ion_app    NOLOGIN group role: the migrations grant it exactly what the API needs (no DELETE,
#              and only SELECT/INSERT on the audit tables).
#   ion_api    LOGIN, member of ion_app: the API's own connection (DATABASE_URL).
#
# ion_app is created here because only a role with CREATEROLE may create it, and the owner has none;
# the migration's own CREATE ROLE is skipped when the role exists.
# Passwords come from the environment (never from this file); psql quotes them (:'var').
set -eu
: "${ION_DB_NAME:=ion}"
: "${ION_OWNER_DB_PASSWORD:?ION_OWNER_DB_PASSWORD is not set}"
: "${ION_API_DB_PASSWORD:?ION_API_DB_PASSWORD is not set}"

psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  -v db="$ION_DB_NAME" -v owner_pw="$ION_OWNER_DB_PASSWORD" -v api_pw="$ION_API_DB_PASSWORD" <<'SQL'
CREATE ROLE ion_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_pw';
CREATE ROLE ion_app NOLOGIN;
CREATE ROLE ion_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'api_pw' IN ROLE ion_app;
CREATE DATABASE :"db" OWNER ion_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO ion_app;
SQL
echo "ion: roles ion_owner, ion_app, ion_api and database $ION_DB_NAME created"
